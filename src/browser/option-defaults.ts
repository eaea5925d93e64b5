/**
 * Every option default in one place: what Meshcast runs with where an option is left out. The
 * resolvers (`resolveOptions`, `resolvePolicy`), the deadline guard and the video.js plugin read
 * them from here; the TSDoc `@default`s and README's options table state the same values.
 */
export const OPTION_DEFAULTS = {
  p2p: true,
  statsIntervalS: 10,
  /** video.js only: the control-bar display. */
  statsDisplay: true,
  integrity: { mode: 'auto', verifyHttp: false, maxPeerFailures: 2 },
  policy: 'guarded',
  live: { targetLatency: 15, seeding: 'staggered' },
  startup: { waitForPeersMs: 0 },
  upload: { maxConcurrent: 4, onMetered: false, onSaveData: false, whenHidden: false },
  prefetch: {
    /** VOD; live streams use the target latency. */
    httpS: 30,
    p2pS: 120,
    memoryMiB: { desktop: 256, mobile: 96 },
  },
} as const;
