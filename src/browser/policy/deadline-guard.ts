/**
 * The deadline guard's decisions, as pure functions of the playback state.
 *
 * p2p-media-loader moves a segment to HTTP once the segment starts within `highDemandTimeWindow`
 * seconds (scaled by the playback rate) of the playhead; until then a segment it has not got from a
 * peer simply waits. Its default is a fixed 15 s, so every viewer fetches its first 15 s (and a live
 * viewer near the edge, everything) over HTTP. The guard sizes that window to how long an HTTP fetch
 * really takes here and now: a segment waits for peers for as long as it can and still arrive over
 * HTTP before the playhead needs it.
 */

import { OPTION_DEFAULTS } from '../option-defaults';

/** What the guard knows about HTTP delivery: measured, or nothing yet. */
export interface HttpTiming {
  /** Seconds recent HTTP segments took, newest last (start of request to last byte). */
  recentLoadS: readonly number[];
  /** Seconds the longest HTTP request still under way has been running. */
  inFlightS: number;
}

export interface GuardState {
  http: HttpTiming;
  /** Seconds of media per segment (the playlist's target duration). */
  segmentDurationS: number;
  /** True when the stream is live. */
  live: boolean;
  /** Seconds behind the live edge the player aims for (live only). */
  targetLatencyS: number;
  /**
   * No peer has been connected for a while (3 s): nobody to wait for, so the player buffers as
   * p2p-media-loader would, over HTTP, instead of fetching each segment just in time.
   */
  alone?: boolean;
}

export interface GuardTuning {
  /** How many times the expected HTTP time a segment must be moved to HTTP ahead of its deadline. @default 3 */
  safety: number;
  /** Seconds for the guard and p2p-media-loader to notice and start a request. @default 1 */
  reactionS: number;
  /** HTTP time assumed before any HTTP segment was measured. @default 1 */
  unmeasuredHttpS: number;
  /** The window never goes below this. @default 1.5 */
  minWindowS: number;
  /** ...nor above p2p-media-loader's own default. @default 15 */
  maxWindowS: number;
}

export const DEFAULT_TUNING: GuardTuning = { safety: 3, reactionS: 1, unmeasuredHttpS: 1, minWindowS: 1.5, maxWindowS: 15 };

/** Windows handed to p2p-media-loader (its `DynamicStreamConfig`), seconds of media. */
export interface GuardDecision {
  highDemandTimeWindow: number;
  httpDownloadTimeWindow: number;
  p2pDownloadTimeWindow: number;
}

/** Seconds an HTTP segment is expected to take now: the slowest of the recent ones, or of one under way. */
export function expectedHttpS(http: HttpTiming, tuning: GuardTuning = DEFAULT_TUNING): number {
  const recent = http.recentLoadS.slice(-5);
  const measured = recent.length === 0 ? tuning.unmeasuredHttpS : Math.max(...recent);
  return Math.max(measured, http.inFlightS);
}

/** Seconds of media ahead of the playhead in which a segment must be fetched over HTTP now. */
export function highDemandWindowS(state: GuardState, tuning: GuardTuning = DEFAULT_TUNING): number {
  const needed = tuning.reactionS + tuning.safety * expectedHttpS(state.http, tuning);
  // A live player sitting closer to the edge than the window would fetch everything over HTTP
  // anyway; capping at the latency minus one segment leaves the newest segment to the swarm.
  const cap = state.live ? Math.max(tuning.minWindowS, Math.min(tuning.maxWindowS, state.targetLatencyS - state.segmentDurationS)) : tuning.maxWindowS;
  if (state.alone) return round(cap);
  return round(Math.min(cap, Math.max(tuning.minWindowS, needed)));
}

/**
 * All three windows. Background HTTP fetching (of segments no peer has, so the swarm gets them) and
 * P2P prefetching are bounded in minutes, not p2p-media-loader's 50 minutes and 100 minutes; a live
 * stream's background HTTP window covers the whole latency, so each new segment can enter the swarm
 * as soon as it is published.
 */
export function decideWindows(state: GuardState, prefetch: { httpS: number | undefined; p2pS: number }, tuning: GuardTuning = DEFAULT_TUNING): GuardDecision {
  const highDemandTimeWindow = highDemandWindowS(state, tuning);
  const httpS = prefetch.httpS ?? (state.live ? state.targetLatencyS : OPTION_DEFAULTS.prefetch.httpS);
  return {
    highDemandTimeWindow,
    httpDownloadTimeWindow: round(Math.max(highDemandTimeWindow, httpS)),
    p2pDownloadTimeWindow: round(Math.max(highDemandTimeWindow, prefetch.p2pS, httpS)),
  };
}

/** p2p-media-loader's own limit on HTTP downloads at once. */
export const PML_HTTP_CONCURRENCY = 2;
/** p2p-media-loader's own limit on P2P downloads at once. */
export const PML_P2P_CONCURRENCY = 3;

/**
 * Whether the buffer ahead of the playhead is too short for downloads to share the viewer's link: two
 * downloads sharing it each take about twice as long, so the margin is the high-demand window for twice
 * the HTTP time. Before the buffer is known: not short.
 */
export function bufferTooShortToShare(http: HttpTiming, bufferAheadS: number | undefined, tuning: GuardTuning = DEFAULT_TUNING): boolean {
  if (bufferAheadS === undefined) return false;
  const sharedLinkS = 2 * expectedHttpS(http, tuning);
  return bufferAheadS < tuning.reactionS + tuning.safety * sharedLinkS;
}

/**
 * How many segments may come over HTTP at once. While the buffer is too short to share the link, one
 * at a time, so the nearest segment gets the whole link (p2p-media-loader starts the nearest first and,
 * at the limit, cancels a farther one for it). Otherwise p2p-media-loader's own 2, which also paces its
 * background fetching for the swarm.
 */
export function httpConcurrency(http: HttpTiming, bufferAheadS: number | undefined, tuning: GuardTuning = DEFAULT_TUNING): number {
  return bufferTooShortToShare(http, bufferAheadS, tuning) ? 1 : PML_HTTP_CONCURRENCY;
}

/**
 * How many segments may come from peers at once. Prefetching from peers shares the link with the
 * segment the playhead needs next (over HTTP or from a peer), so while the buffer is too short to share
 * it, one at a time: p2p-media-loader takes the nearest first. Otherwise its own 3. (None beside an HTTP
 * download would protect that download on a narrow downlink, but where the origin path rather than the
 * viewer's link is slow it leaves the viewer on HTTP alone: see docs/simulator.md "Downlink".)
 */
export function p2pConcurrency(http: HttpTiming, bufferAheadS: number | undefined, tuning: GuardTuning = DEFAULT_TUNING): number {
  return bufferTooShortToShare(http, bufferAheadS, tuning) ? 1 : PML_P2P_CONCURRENCY;
}

const round = (seconds: number) => Math.round(seconds * 10) / 10;
