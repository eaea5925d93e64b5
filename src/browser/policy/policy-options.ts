import { OPTION_DEFAULTS } from '../option-defaults';
import { invalidOption as invalid, optionGroup as objectOf } from '../option-validation';

/** Live streams: how far behind the live edge viewers play. */
export interface LiveOptions {
  /**
   * Seconds behind the live edge. More latency leaves peers more time to pass each new segment on
   * (more offload); less is closer to real time. Sets hls.js live sync and the deadline guard together.
   * Unset, a stream's own HOLD-BACK (PART-HOLD-BACK for LL-HLS, as hls.js plays it) comes first.
   * @default 15
   */
  targetLatency?: number;
  /**
   * Who fetches each new live segment from the origin, where a viewer is not connected to the whole
   * audience (a large swarm, or a stream's viewers split among renditions; the audience is what the
   * collector counts). `staggered`: viewers agree without a message on about two per segment (more at a
   * low target latency, where a segment has little time to spread, and with `upload.maxBytesPerS` below
   * the rendition's bitrate, the share peers cannot carry) who fetch it as soon as it appears, and the
   * others take it from peers, each fetching it themselves only if, some
   * seconds later, none of their peers has it. `random`: p2p-media-loader's own random background fetch
   * of segments no connected peer has. Without a collector, or for a viewer that may not upload (hidden,
   * Save-Data, metered), `random`.
   * @default 'staggered'
   */
  seeding?: LiveSeeding;
}

export type LiveSeeding = 'staggered' | 'random';

/** The start of a source. */
export interface StartupOptions {
  /**
   * Milliseconds from the first segment request during which segments come only from peers; after
   * it, over HTTP as the deadline guard decides (p2p-media-loader's `httpDownloadInitialTimeoutMs`).
   * It saves a joining viewer's first segments from the origin when a peer connects in time, and
   * delays start-up by up to as much when none does (the README's benchmark results have measured
   * figures). 0: the first segment comes over HTTP at once.
   * @default 0
   */
  waitForPeersMs?: number;
}

/** When and how much a viewer uploads to peers. */
export interface UploadOptions {
  /**
   * Average upload rate to peers, bytes per second; uploads pause while above it.
   * @default undefined (no limit)
   */
  maxBytesPerS?: number;
  /**
   * Peers uploaded to at the same time; new requests are declined while at it.
   * @default 4
   */
  maxConcurrent?: number;
  /** Upload on metered or cellular connections (Network Information API). @default false */
  onMetered?: boolean;
  /** Upload when the browser asks to save data (`Save-Data`). @default false */
  onSaveData?: boolean;
  /** Upload while the tab is hidden. @default false */
  whenHidden?: boolean;
}

/** How far ahead segments are fetched, and how much of them is kept. */
export interface PrefetchOptions {
  /**
   * Seconds ahead of the playhead within which a segment no peer has may be fetched over HTTP in
   * the background (so the swarm gets it). p2p-media-loader's own default is 50 minutes.
   * @default 30 (VOD); the live target latency, if longer
   */
  httpS?: number;
  /**
   * Seconds ahead of the playhead within which segments are fetched from peers in the background.
   * @default 120
   */
  p2pS?: number;
  /**
   * Memory for segments held for playback and for peers, MiB. p2p-media-loader's own default is 4 GiB
   * on desktop.
   * @default 256 on desktop, 96 on mobile
   */
  memoryMiB?: number;
}

/**
 * `guarded`: Meshcast's deadline guard, live latency target, upload rules and bounds.
 * `pml-defaults`: p2p-media-loader's own behaviour, unchanged (for comparison).
 */
export type PolicyMode = 'guarded' | 'pml-defaults';

export interface ResolvedPolicy {
  mode: PolicyMode;
  live: Required<LiveOptions>;
  /** Whether the page set `live.targetLatency` (it then wins over a stream's own hold-back). */
  liveTargetExplicit: boolean;
  startup: Required<StartupOptions>;
  upload: Required<Omit<UploadOptions, 'maxBytesPerS'>> & Pick<UploadOptions, 'maxBytesPerS'>;
  prefetch: { httpS: number | undefined; p2pS: number; memoryMiB: number };
}

export interface PolicyInput {
  policy?: unknown;
  live?: unknown;
  startup?: unknown;
  upload?: unknown;
  prefetch?: unknown;
}

function numberIn(name: string, value: unknown, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw invalid(name, `a number from ${min} to ${max}`, value);
  }
  return value;
}

function flag(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw invalid(name, 'a boolean', value);
  return value;
}

/** Phones and tablets get a smaller segment cache. */
export function isMobileDevice(nav: { userAgent?: string; userAgentData?: { mobile?: boolean } } | undefined): boolean {
  if (!nav) return false;
  if (nav.userAgentData?.mobile !== undefined) return nav.userAgentData.mobile;
  return /Android|iPhone|iPad|iPod|Mobile/i.test(nav.userAgent ?? '');
}

export function resolvePolicy(input: PolicyInput, nav = typeof navigator === 'undefined' ? undefined : navigator): ResolvedPolicy {
  if (input.policy !== undefined && input.policy !== 'guarded' && input.policy !== 'pml-defaults') {
    throw invalid('policy', 'one of "guarded", "pml-defaults"', input.policy);
  }
  const live = objectOf('live', input.live, ['targetLatency', 'seeding']);
  if (live.seeding !== undefined && live.seeding !== 'staggered' && live.seeding !== 'random') {
    throw invalid('live.seeding', 'one of "staggered", "random"', live.seeding);
  }
  const startup = objectOf('startup', input.startup, ['waitForPeersMs']);
  const upload = objectOf('upload', input.upload, ['maxBytesPerS', 'maxConcurrent', 'onMetered', 'onSaveData', 'whenHidden']);
  const prefetch = objectOf('prefetch', input.prefetch, ['httpS', 'p2pS', 'memoryMiB']);
  const defaults = OPTION_DEFAULTS;
  const maxConcurrent = numberIn('upload.maxConcurrent', upload.maxConcurrent, 1, 64, defaults.upload.maxConcurrent);
  if (!Number.isInteger(maxConcurrent)) throw invalid('upload.maxConcurrent', 'an integer from 1 to 64', maxConcurrent);
  return {
    mode: (input.policy as PolicyMode | undefined) ?? defaults.policy,
    live: {
      targetLatency: numberIn('live.targetLatency', live.targetLatency, 4, 600, defaults.live.targetLatency),
      seeding: (live.seeding as LiveSeeding | undefined) ?? defaults.live.seeding,
    },
    liveTargetExplicit: live.targetLatency !== undefined,
    startup: { waitForPeersMs: numberIn('startup.waitForPeersMs', startup.waitForPeersMs, 0, 10_000, defaults.startup.waitForPeersMs) },
    upload: {
      maxBytesPerS: upload.maxBytesPerS === undefined ? undefined : numberIn('upload.maxBytesPerS', upload.maxBytesPerS, 1000, 1e10, 0),
      maxConcurrent,
      onMetered: flag('upload.onMetered', upload.onMetered, defaults.upload.onMetered),
      onSaveData: flag('upload.onSaveData', upload.onSaveData, defaults.upload.onSaveData),
      whenHidden: flag('upload.whenHidden', upload.whenHidden, defaults.upload.whenHidden),
    },
    prefetch: {
      httpS: prefetch.httpS === undefined ? undefined : numberIn('prefetch.httpS', prefetch.httpS, 0, 3600, 0),
      p2pS: numberIn('prefetch.p2pS', prefetch.p2pS, 0, 3600, defaults.prefetch.p2pS),
      memoryMiB: numberIn('prefetch.memoryMiB', prefetch.memoryMiB, 16, 4096, defaults.prefetch.memoryMiB[isMobileDevice(nav as never) ? 'mobile' : 'desktop']),
    },
  };
}
