/** The loading times hls.js reads from a fragment's stats (milliseconds, performance.now()). */
export interface LoadingStats {
  loaded: number;
  loading: { start: number; first: number; end: number };
}

/**
 * Makes a fragment's loading times say at least `bitsPerS`, so hls.js's bandwidth estimate does not fall
 * below what the origin is measured to deliver to this viewer. p2p-media-loader tells hls.js a segment
 * took as long as its own estimate of the bandwidth says, and that estimate follows the peers: on a home
 * link a data channel carries about a third of the uplink (measured on the network testbed), so hls.js
 * would switch down for segments that the deadline guard gets over HTTP in time anyway. The time to first
 * byte is kept; only the transfer is shortened. Nothing changes without a measure or when the stats
 * already say more.
 */
export function raiseToBandwidth(stats: LoadingStats, bitsPerS: number | undefined): void {
  const { loading, loaded } = stats;
  if (bitsPerS === undefined || !(bitsPerS > 0) || !(loaded > 0)) return;
  const transferMs = loading.end - loading.first;
  const floorMs = (loaded * 8 * 1000) / bitsPerS;
  if (!(transferMs > floorMs)) return;
  const ttfbMs = Math.max(0, loading.first - loading.start);
  loading.first = loading.end - floorMs;
  loading.start = loading.first - ttfbMs;
}
