/** Meshcast's package version, replaced at build time. */
export const VERSION: string = __MESHCAST_VERSION__;
declare const __MESHCAST_VERSION__: string;
