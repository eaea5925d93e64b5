import type { HlsConfig } from 'hls.js';
import { MeshcastError } from './errors';
import { invalidOption as invalid, isPlainObject, optionGroup } from './option-validation';
import { OPTION_DEFAULTS } from './option-defaults';
import { resolvePolicy, type LiveOptions, type PolicyMode, type PrefetchOptions, type ResolvedPolicy, type StartupOptions, type UploadOptions } from './policy/policy-options';

/**
 * Bumped whenever Meshcast peers of different versions could no longer exchange segments
 * correctly; it is part of every swarm id, so incompatible versions never meet.
 */
export const MESHCAST_PROTOCOL_VERSION = 1;

/** Options accepted by {@link MeshcastEngine}, `player.meshcast()` and the drop-in. */
export interface MeshcastOptions {
  /**
   * WebTorrent tracker announce URLs (`ws://` or `wss://`) used to find peers.
   * Setting them also switches the STUN default to none, so nothing public is contacted.
   * @default p2p-media-loader's public trackers (`wss://tracker.novage.com.ua`, `wss://tracker.openwebtorrent.com`)
   */
  trackers?: string[];
  /**
   * WebRTC configuration (STUN/TURN servers) for peer connections.
   * @default `{ iceServers: [] }` when `trackers` is set, otherwise p2p-media-loader's public STUN servers
   */
  rtcConfig?: RTCConfiguration;
  /**
   * Peers only exchange segments with peers in the same swarm. Set it when one stream is reachable
   * under several manifest URLs (CDN hostnames, signed paths).
   * @default derived from the manifest URL without scheme, query and fragment, prefixed with Meshcast's protocol version
   */
  swarmId?: string;
  /**
   * Fetch segments from peers. `false` plays over HTTP only (no tracker, no peer connection).
   * @default true
   */
  p2p?: boolean;
  /**
   * Extra hls.js configuration, merged over Meshcast's. Its loaders (`fLoader`, `pLoader`) are Meshcast's
   * while P2P is on and cannot be replaced here.
   * @default {}
   */
  hlsConfig?: Partial<HlsConfig>;
  /** Verification of segments against the publisher's SHA-256 sidecars (`meshcast hash`). */
  integrity?: IntegrityOptions;
  /**
   * Base URL of a Meshcast collector (`meshcast serve`): the session's stats go to
   * `<statsUrl>/v1/beacons`. No beacon is sent without it.
   * @default undefined
   */
  statsUrl?: string;
  /**
   * The viewer token the page's backend issued for this page view (`meshcast viewer-token`,
   * `signViewerToken`), sent with each beacon: collectors run with `--beacon-secret` need it.
   * @default undefined
   */
  statsToken?: string;
  /**
   * Seconds between beacons (also sent when the page is hidden or closed).
   * @default 10
   */
  statsIntervalS?: number;
  /**
   * `guarded`: Meshcast's deadline guard, live latency target, upload rules and prefetch bounds;
   * `pml-defaults`: p2p-media-loader's own behaviour (for comparison).
   * @default 'guarded'
   */
  policy?: PolicyMode;
  /** Live streams: the target latency behind the live edge. */
  live?: LiveOptions;
  /** The start of a source: how long segments may wait for peers before HTTP. */
  startup?: StartupOptions;
  /** Upload rules: rate, concurrency, metered connections, Save-Data, hidden tabs. */
  upload?: UploadOptions;
  /** Background fetching windows and the segment memory cap. */
  prefetch?: PrefetchOptions;
}

/** How segments from peers are checked against the publisher's SHA-256 sidecars. */
export type IntegrityMode = 'auto' | 'required' | 'off';

export interface IntegrityOptions {
  /**
   * `auto`: verify P2P segments when the playlist has a sidecar, otherwise accept them and count
   * them in `unverifiedP2PBytes`; `required`: no P2P without a sidecar; `off`: no verification.
   * @default 'auto'
   */
  mode?: IntegrityMode;
  /**
   * URL of one JSON map (segment URI -> SHA-256, URIs relative to it) used instead of the sidecar
   * next to each media playlist (`index.m3u8` -> `index.sha256.json`).
   * @default undefined
   */
  manifestUrl?: string;
  /**
   * Also verify segments from the origin (HTTP). Costs a hash per segment.
   * @default false
   */
  verifyHttp?: boolean;
  /**
   * Segments failing verification after which a peer is refused for the rest of the session: its
   * data is dropped unread and its connection closed whenever it comes back.
   * @default 2
   */
  maxPeerFailures?: number;
}

/** {@link MeshcastOptions} with every default applied: what the engine actually runs with. */
export interface ResolvedOptions {
  trackers: string[] | undefined;
  rtcConfig: RTCConfiguration | undefined;
  swarmId: string | undefined;
  p2p: boolean;
  hlsConfig: Partial<HlsConfig>;
  integrity: Required<Omit<IntegrityOptions, 'manifestUrl'>> & Pick<IntegrityOptions, 'manifestUrl'>;
  statsUrl: string | undefined;
  statsToken: string | undefined;
  statsIntervalS: number;
  policy: ResolvedPolicy;
}

const OPTION_NAMES: ReadonlyArray<keyof MeshcastOptions> = [
  'trackers',
  'rtcConfig',
  'swarmId',
  'p2p',
  'hlsConfig',
  'integrity',
  'statsUrl',
  'statsToken',
  'statsIntervalS',
  'policy',
  'live',
  'startup',
  'upload',
  'prefetch',
];
const INTEGRITY_MODES: readonly IntegrityMode[] = ['auto', 'required', 'off'];

/** hls.js settings that would silently bypass p2p-media-loader if a page could override them. */
const RESERVED_HLS_KEYS = ['fLoader', 'pLoader', 'loader'] as const;

function resolveTrackers(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0) {
    throw invalid('trackers', 'a non-empty array of ws:// or wss:// URLs', value);
  }
  return value.map((url, i) => {
    if (typeof url !== 'string' || !/^wss?:\/\/[^\s/]+/i.test(url)) {
      throw invalid(`trackers[${i}]`, 'a ws:// or wss:// URL', url);
    }
    return url;
  });
}

function resolveRtcConfig(value: unknown, trackers: string[] | undefined): RTCConfiguration | undefined {
  if (value === undefined) return trackers ? { iceServers: [] } : undefined;
  if (!isPlainObject(value)) throw invalid('rtcConfig', 'an RTCConfiguration object', value);
  const servers = value.iceServers;
  if (servers !== undefined) {
    if (!Array.isArray(servers)) throw invalid('rtcConfig.iceServers', 'an array', servers);
    servers.forEach((server, i) => {
      const urls = isPlainObject(server) ? server.urls : undefined;
      const ok =
        typeof urls === 'string' || (Array.isArray(urls) && urls.length > 0 && urls.every((u) => typeof u === 'string'));
      if (!ok) throw invalid(`rtcConfig.iceServers[${i}].urls`, 'a URL string or an array of them', urls);
    });
  }
  return value as RTCConfiguration;
}

function resolveSwarmId(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '' || value.length > 512) {
    throw invalid('swarmId', 'a non-empty string of at most 512 characters', value);
  }
  return value;
}

function resolveHlsConfig(value: unknown): Partial<HlsConfig> {
  if (value === undefined) return {};
  if (!isPlainObject(value)) throw invalid('hlsConfig', 'an hls.js config object', value);
  for (const key of RESERVED_HLS_KEYS) {
    if (key in value) throw invalid(`hlsConfig.${key}`, 'left unset (Meshcast provides the loaders)', value[key]);
  }
  return value as Partial<HlsConfig>;
}

function resolveIntegrity(value: unknown): ResolvedOptions['integrity'] {
  const defaults = OPTION_DEFAULTS.integrity;
  if (value === undefined) return { ...defaults, manifestUrl: undefined };
  const { mode = defaults.mode, manifestUrl, verifyHttp = defaults.verifyHttp, maxPeerFailures = defaults.maxPeerFailures } = optionGroup('integrity', value, ['mode', 'manifestUrl', 'verifyHttp', 'maxPeerFailures']);
  if (!INTEGRITY_MODES.includes(mode as IntegrityMode)) throw invalid('integrity.mode', `one of ${INTEGRITY_MODES.map((m) => `"${m}"`).join(', ')}`, mode);
  if (manifestUrl !== undefined && (typeof manifestUrl !== 'string' || manifestUrl === '')) {
    throw invalid('integrity.manifestUrl', 'a URL string', manifestUrl);
  }
  if (typeof verifyHttp !== 'boolean') throw invalid('integrity.verifyHttp', 'a boolean', verifyHttp);
  if (!Number.isInteger(maxPeerFailures) || (maxPeerFailures as number) < 1) {
    throw invalid('integrity.maxPeerFailures', 'an integer of at least 1', maxPeerFailures);
  }
  return { mode: mode as IntegrityMode, manifestUrl: manifestUrl as string | undefined, verifyHttp, maxPeerFailures: maxPeerFailures as number };
}

function resolveStatsUrl(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^(https?:\/\/[^\s/]+|\/)/i.test(value)) {
    throw invalid('statsUrl', 'an http:// or https:// URL (or a path on this site)', value);
  }
  return value;
}

function resolveStatsToken(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > 1024) throw invalid('statsToken', 'a token string (at most 1024 characters)', value);
  return value;
}

function resolveStatsInterval(value: unknown): number {
  if (value === undefined) return OPTION_DEFAULTS.statsIntervalS;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 1 || value > 3600) {
    throw invalid('statsIntervalS', 'a number of seconds from 1 to 3600', value);
  }
  return value;
}

/**
 * Validates options and applies defaults in one place.
 * @throws MeshcastError (type `configError`) naming the offending option and what was expected.
 */
export function resolveOptions(input: unknown = {}): ResolvedOptions {
  if (!isPlainObject(input)) throw invalid('options', 'an object', input);
  for (const key of Object.keys(input)) {
    if (!(OPTION_NAMES as readonly string[]).includes(key)) {
      throw new MeshcastError(
        'configError',
        'unknownOption',
        `Unknown Meshcast option "${key}"; known options: ${OPTION_NAMES.join(', ')}`,
        { fatal: true, option: key },
      );
    }
  }
  if (input.p2p !== undefined && typeof input.p2p !== 'boolean') throw invalid('p2p', 'a boolean', input.p2p);
  const trackers = resolveTrackers(input.trackers);
  return {
    trackers,
    rtcConfig: resolveRtcConfig(input.rtcConfig, trackers),
    swarmId: resolveSwarmId(input.swarmId),
    p2p: input.p2p ?? OPTION_DEFAULTS.p2p,
    hlsConfig: resolveHlsConfig(input.hlsConfig),
    integrity: resolveIntegrity(input.integrity),
    statsUrl: resolveStatsUrl(input.statsUrl),
    statsToken: resolveStatsToken(input.statsToken),
    statsIntervalS: resolveStatsInterval(input.statsIntervalS),
    policy: resolvePolicy(input),
  };
}

/**
 * The swarm id for a stream: Meshcast's protocol version plus the stream's identity, which is its
 * manifest URL without scheme, credentials, query and fragment, so tokens and CDN signatures in the
 * query do not split one audience into many swarms.
 */
export function deriveSwarmId(manifestUrl: string, explicit?: string): string {
  const prefix = `meshcast/${MESHCAST_PROTOCOL_VERSION}/`;
  if (explicit !== undefined) return prefix + explicit;
  let identity: string;
  try {
    const url = new URL(manifestUrl);
    identity = `${url.host.toLowerCase()}${url.pathname}`;
  } catch {
    identity = manifestUrl.split(/[?#]/)[0];
  }
  return prefix + identity;
}
