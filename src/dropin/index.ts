// Entry of dist/meshcast.min.js (global `Meshcast`): the public API with hls.js and
// p2p-media-loader bundled, for pages that load Meshcast with a script tag.
export * from '../index';
