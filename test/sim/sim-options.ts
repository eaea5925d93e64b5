/**
 * What the swarm simulator models, and its defaults. Network figures are assumptions about a typical
 * audience (documented in README "Scale"); the calibration (`sim-calibration.ts`) replaces them with
 * the benchmark's own machine so the model can be checked against `npm run bench`.
 */
import { OPTION_DEFAULTS } from '../../src/browser/option-defaults';

export type SimScenario = 'vod' | 'live';
export type SimPolicy = 'guarded' | 'pml-defaults';

/** Network figures of the simulated audience. */
export interface NetworkModel {
  /** Seconds from an HTTP request to the first byte (CDN edge). @default 0.08 */
  httpTtfbS: number;
  /** Bytes/s one HTTP segment request receives. @default 3_125_000 (25 Mbit/s) */
  httpBytesPerS: number;
  /** Seconds from a P2P request to the first byte (one round trip between viewers). @default 0.06 */
  p2pRttS: number;
  /** Bytes/s one WebRTC transfer carries at most. @default 1_250_000 (10 Mbit/s) */
  p2pBytesPerS: number;
  /** Bytes/s a viewer's uplink carries, shared by its uploads under way. @default 2_500_000 (20 Mbit/s) */
  uplinkBytesPerS: number;
  /**
   * Bytes/s a viewer's downlink carries, shared max-min fairly by its downloads under way (HTTP and
   * P2P), so that a deadline fetch competing with P2P downloads is slower. @default 3_125_000 (25 Mbit/s)
   */
  downlinkBytesPerS: number;
  /**
   * Bytes/s the origin sends in all, shared equally by the HTTP transfers under way (a CDN path capped
   * below what the audience needs, as the testbed's `congested-cdn`); absent: no cap. @default undefined
   */
  originBytesPerS?: number;
  /** Seconds from an offer reaching a peer to a connected data channel: [min, max], uniform. @default [1, 3] */
  connectS: [number, number];
  /** Seconds between a viewer's announces to the tracker (Meshcast's `serve --announce-interval`). @default 120 */
  announceIntervalS: number;
  /** Offers per announce: bittorrent-tracker's WebSocket client sends at most 5. @default 5 */
  offersPerAnnounce: number;
}

export interface SimOptions {
  scenario: SimScenario;
  /** Concurrent viewers (churn replaces leavers one for one, so this stays the audience size). */
  viewers: number;
  /** Renditions; each viewer stays on one (its own swarm, as p2p-media-loader keys swarms by stream). @default 1 */
  renditions: number;
  /**
   * Meshcast's `upload.maxBytesPerS` for every viewer: uploads pause while a viewer is over it;
   * undefined = no rate limit (the uplink and `upload.maxConcurrent` still bound uploading).
   */
  uploadCapBps: number | undefined;
  /** Fraction of the audience leaving per minute, each replaced at once by a new viewer. @default 0 */
  churnPerMin: number;
  /** Seconds of stream each viewer watches (a VOD's length; a live event's length). @default 600 */
  durationS: number;
  /** Seconds of media per segment. @default 2 */
  segmentS: number;
  /** Bits/s of the single (or middle) rendition. @default 2_500_000 */
  bitrate: number;
  /** Joins spread evenly over this many seconds from the start. @default 60 */
  joinSpreadS: number;
  /** Live: seconds behind the live edge (Meshcast `live.targetLatency`). @default 15 */
  targetLatencyS: number;
  policy: SimPolicy;
  /**
   * Who fetches each new live segment from the origin where a viewer does not see its rendition's whole
   * audience (where it does, Meshcast's one fetcher): `staggered`, `src/browser/policy/segment-seeding.ts`,
   * the player's default (`live.seeding`); `pml`, p2p-media-loader's random background fetching, the
   * player's `live.seeding: 'random'`, and what VOD runs. @default the player's default with `guarded` on live, else 'pml'
   */
  seeding: 'pml' | 'staggered';
  /** Seed of the pseudo-random generator: the same options and seed give the same report. @default 1 */
  seed: number;
  /** Simulation step, seconds. @default 0.1 */
  stepS: number;
  network: NetworkModel;
  /** Explicit segment sizes in bytes (one rendition, cycled), instead of sizes from the bitrate. */
  segmentBytes?: number[];
  /** Explicit join/leave times (seconds from the start), instead of `joinSpreadS`/`durationS`. */
  plan?: Array<{ joinAtS: number; leaveAtS: number }>;
  /** Live: seconds of stream the live playlist lists. @default 60 */
  liveWindowS: number;
  /** Live: seconds of stream published before the first viewer joins. @default targetLatencyS + 60 */
  liveHeadStartS?: number;
}

export const DEFAULT_NETWORK: NetworkModel = {
  httpTtfbS: 0.08,
  httpBytesPerS: 3_125_000,
  p2pRttS: 0.06,
  p2pBytesPerS: 1_250_000,
  uplinkBytesPerS: 2_500_000,
  downlinkBytesPerS: 3_125_000,
  connectS: [1, 3],
  announceIntervalS: 120,
  offersPerAnnounce: 5,
};

export const DEFAULT_SIM_OPTIONS: Omit<SimOptions, 'viewers'> = {
  scenario: 'vod',
  renditions: 1,
  uploadCapBps: undefined,
  churnPerMin: 0,
  durationS: 600,
  segmentS: 2,
  bitrate: 2_500_000,
  joinSpreadS: 60,
  targetLatencyS: 15,
  policy: 'guarded',
  seeding: OPTION_DEFAULTS.live.seeding === 'staggered' ? 'staggered' : 'pml',
  seed: 1,
  stepS: 0.1,
  network: DEFAULT_NETWORK,
  liveWindowS: 60,
};

/** Share of viewers and bitrate factor of each rendition: most watch the middle of the ladder. */
export function renditionLadder(renditions: number, bitrate: number): Array<{ share: number; bitrate: number }> {
  if (renditions === 1) return [{ share: 1, bitrate }];
  // Bitrates double per step around the middle; shares fall off away from it (1, 2, 1 for three).
  const middle = (renditions - 1) / 2;
  const weights = Array.from({ length: renditions }, (_, i) => 1 / (1 + Math.abs(i - middle)));
  const total = weights.reduce((a, b) => a + b, 0);
  return weights.map((w, i) => ({ share: w / total, bitrate: Math.round(bitrate * 2 ** (i - middle)) }));
}

function check(ok: boolean, option: string, expected: string, got: unknown): void {
  if (!ok) throw new Error(`${option} must be ${expected}, got ${JSON.stringify(got)}`);
}

/** Defaults filled in and every value checked; an error names the option at fault. */
export function resolveSimOptions(input: Partial<SimOptions> & { viewers: number }): SimOptions {
  const o: SimOptions = { ...DEFAULT_SIM_OPTIONS, ...input, network: { ...DEFAULT_NETWORK, ...input.network } };
  // p2p-media-loader's own windows have no staggered seeding, and VOD keeps its background fetch.
  if (input.seeding === undefined && (o.policy !== 'guarded' || o.scenario === 'vod')) o.seeding = 'pml';
  check(o.scenario === 'vod' || o.scenario === 'live', '--scenario', 'vod or live', o.scenario);
  check(Number.isInteger(o.viewers) && o.viewers >= 1 && o.viewers <= 1_000_000, '--viewers', 'an integer from 1 to 1000000', o.viewers);
  check(Number.isInteger(o.renditions) && o.renditions >= 1 && o.renditions <= 8, '--renditions', 'an integer from 1 to 8', o.renditions);
  check(o.uploadCapBps === undefined || (Number.isFinite(o.uploadCapBps) && o.uploadCapBps > 0), '--upload-cap', 'bytes per second above 0', o.uploadCapBps);
  check(Number.isFinite(o.churnPerMin) && o.churnPerMin >= 0 && o.churnPerMin <= 1, '--churn', 'a fraction of viewers per minute from 0 to 1', o.churnPerMin);
  check(Number.isFinite(o.durationS) && o.durationS >= 10 && o.durationS <= 24 * 3600, '--duration', 'seconds from 10 to 86400', o.durationS);
  check(Number.isFinite(o.segmentS) && o.segmentS >= 0.5 && o.segmentS <= 20, '--segment', 'seconds from 0.5 to 20', o.segmentS);
  check(Number.isFinite(o.bitrate) && o.bitrate >= 10_000, '--bitrate', 'bits per second, at least 10000', o.bitrate);
  check(Number.isFinite(o.joinSpreadS) && o.joinSpreadS >= 0, '--join-spread', 'seconds, 0 or more', o.joinSpreadS);
  check(Number.isFinite(o.targetLatencyS) && o.targetLatencyS >= 4 && o.targetLatencyS <= 600, '--target-latency', 'seconds from 4 to 600', o.targetLatencyS);
  check(o.policy === 'guarded' || o.policy === 'pml-defaults', '--policy', 'guarded or pml-defaults', o.policy);
  check(o.seeding === 'pml' || (o.seeding === 'staggered' && o.policy === 'guarded'), '--seeding', 'pml, or staggered with --policy guarded', o.seeding);
  check(Number.isInteger(o.seed), '--seed', 'an integer', o.seed);
  check(Number.isFinite(o.stepS) && o.stepS > 0 && o.stepS <= 0.5, 'stepS', 'seconds above 0, at most 0.5', o.stepS);
  check(Number.isFinite(o.liveWindowS) && o.liveWindowS >= 6, 'liveWindowS', 'seconds, at least 6', o.liveWindowS);
  check(o.uploadCapBps === undefined || o.policy === 'guarded', '--upload-cap', 'used with --policy guarded (it is Meshcast\'s upload.maxBytesPerS)', o.uploadCapBps);
  const n = o.network;
  for (const key of ['httpTtfbS', 'p2pRttS'] as const) check(Number.isFinite(n[key]) && n[key] >= 0, `network.${key}`, 'seconds, 0 or more', n[key]);
  for (const key of ['httpBytesPerS', 'p2pBytesPerS', 'uplinkBytesPerS', 'downlinkBytesPerS'] as const) check(Number.isFinite(n[key]) && n[key] > 0, `network.${key}`, 'bytes per second above 0', n[key]);
  check(n.originBytesPerS === undefined || (Number.isFinite(n.originBytesPerS) && n.originBytesPerS > 0), 'network.originBytesPerS', 'bytes per second above 0, or absent', n.originBytesPerS);
  check(Array.isArray(n.connectS) && n.connectS.length === 2 && n.connectS[0] >= 0 && n.connectS[1] >= n.connectS[0], 'network.connectS', '[min, max] seconds', n.connectS);
  check(n.announceIntervalS >= 1, 'network.announceIntervalS', 'seconds, at least 1', n.announceIntervalS);
  check(Number.isInteger(n.offersPerAnnounce) && n.offersPerAnnounce >= 1, 'network.offersPerAnnounce', 'an integer, at least 1', n.offersPerAnnounce);
  if (o.segmentBytes) check(o.segmentBytes.length > 0 && o.segmentBytes.every((b) => b > 0), 'segmentBytes', 'positive sizes', o.segmentBytes.length);
  if (o.plan) check(o.plan.length === o.viewers && o.plan.every((p) => p.leaveAtS > p.joinAtS && p.joinAtS >= 0), 'plan', 'one join before leave per viewer', o.plan.length);
  return o;
}
