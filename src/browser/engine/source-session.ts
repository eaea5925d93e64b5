import Hls, { type ErrorData, type FragLoadedData, type HlsConfig, type LevelSwitchedData } from 'hls.js';
import { HlsJsP2PEngine } from 'p2p-media-loader-hlsjs';
import type { CoreEventMap, PeerDetails, SegmentLoadDetails, SegmentStartDetails } from 'p2p-media-loader-core';
import { deriveSwarmId, type ResolvedOptions } from '../config';
import { MeshcastError } from '../errors';
import { IntegrityGuard } from '../integrity/integrity-guard';
import { initialWindows, PolicyController } from '../policy/policy-controller';
import { pagePeerIdentity } from '../policy/segment-leader';
import type { PlaybackQoe } from '../stats/playback-qoe';
import type { QoeObserver } from '../stats/qoe-observer';
import type { SegmentSource, SessionStats } from '../stats/session-stats';
import { Disposer } from '../utils/disposer';
import { hlsListener } from '../utils/hls-listeners';
import { copyingFragmentLoader } from './copying-fragment-loader';
import { decideRecovery, type RecoveryAttempts } from './error-recovery';

/** Where a session reports what happens: the engine's stats, QoE, and its event callbacks. */
export interface SessionSinks {
  stats: SessionStats;
  qoe: PlaybackQoe;
  observer: QoeObserver;
  onSegment(source: SegmentSource, bytes: number, url: string): void;
  onError(error: MeshcastError): void;
  /** Viewers of the stream as the collector last counted them; undefined without a collector. */
  audience(): number | undefined;
}

/** What a session plays: a source into a media element with its own hls.js, or a page's hls.js instance. */
export type SessionSource = { media: HTMLMediaElement; src: string } | { hls: Hls };

/**
 * One source played by one hls.js instance, with one p2p-media-loader engine when P2P is on.
 * With P2P off no p2p-media-loader code runs at all: plain hls.js, no tracker, no peer connection.
 * An adopted hls.js instance (a page that already runs hls.js) gets P2P loaders and keeps playing;
 * destroying the session gives it back its own loaders.
 */
export class SourceSession {
  readonly hls: Hls;
  readonly src: string;
  readonly swarmId: string | undefined;
  /** The stream's identity in stats: its swarm id, whether or not P2P is on. */
  readonly streamId: string;
  /** This viewer's peer ID in the swarm, when Meshcast set it (P2P on, guarded policy). */
  readonly peerId: string | undefined;
  private readonly p2pEngine: HlsJsP2PEngine | undefined;
  private readonly integrity: IntegrityGuard | undefined;
  private readonly policy: PolicyController | undefined;
  private readonly disposer = new Disposer();
  private readonly adopted: boolean;

  constructor(source: SessionSource, options: ResolvedOptions, private readonly sinks: SessionSinks) {
    this.adopted = 'hls' in source;
    this.src = 'hls' in source ? source.hls.url ?? '' : source.src;
    const guarded = options.policy.mode === 'guarded';
    const hlsConfig: Partial<HlsConfig> = { ...(guarded && liveSyncConfig(options)), ...options.hlsConfig };
    this.streamId = deriveSwarmId(new URL(this.src, document.baseURI).href, options.swarmId);
    if (options.p2p) {
      this.swarmId = this.streamId;
      this.peerId = guarded ? pagePeerIdentity() : undefined;
      const integrity = new IntegrityGuard(options.integrity, sinks.stats, () => {
        this.p2pEngine?.applyDynamicConfig({ core: { isP2PDisabled: false } });
      });
      this.integrity = integrity;
      this.p2pEngine = new HlsJsP2PEngine({
        core: {
          swarmId: this.swarmId,
          ...(options.trackers && { announceTrackers: options.trackers }),
          ...(options.rtcConfig && { rtcConfig: options.rtcConfig }),
          ...(integrity.p2pInitiallyDisabled && { isP2PDisabled: true }),
          ...integrity.hooks(),
          ...(guarded && {
            ...initialWindows(options.policy),
            segmentMemoryStorageLimit: options.policy.prefetch.memoryMiB,
            // A full-length prefix is the whole peer ID: the policy must know its own.
            trackerClientVersionPrefix: this.peerId,
            httpDownloadInitialTimeoutMs: options.policy.startup.waitForPeersMs,
          }),
        },
      });
      const { fLoader, pLoader } = this.p2pEngine.getConfigForHlsJs();
      hlsConfig.fLoader = copyingFragmentLoader(fLoader as never);
      hlsConfig.pLoader = pLoader as HlsConfig['pLoader'];
    }

    if (this.p2pEngine && guarded) {
      const engine = this.p2pEngine;
      this.policy = new PolicyController({
        applyDynamicConfig: (config) => engine.applyDynamicConfig(config),
        addEventListener: (name, listener) => engine.addEventListener(name, listener),
        removeEventListener: (name, listener) => engine.removeEventListener(name, listener),
        stream: () => {
          const details = this.hls?.levels[this.hls.currentLevel]?.details ?? this.hls?.latestLevelDetails;
          return details ? { segmentDurationS: details.targetduration, live: details.live } : undefined;
        },
        uploadsInFlight: (now) => sinks.stats.uploadsInFlight(now),
        peers: () => sinks.stats.peerCount(),
        swarm: () => ({ selfId: this.peerId!, peerIds: sinks.stats.peerIds(), audience: sinks.audience() }),
        liveSegments: () => {
          const details = this.hls?.levels[this.hls.currentLevel]?.details ?? this.hls?.latestLevelDetails;
          const media = this.hls?.media;
          if (!details?.live || !media) return undefined;
          const positionS = media.currentTime;
          const segments = details.fragments
            .filter((frag) => frag.start + frag.duration > positionS)
            .map((frag) => ({ sequence: Number(frag.sn), startS: frag.start, url: frag.url }));
          return { positionS, segments };
        },
      }, options.policy, 'hls' in source ? source.hls.media : source.media);
    }

    if ('hls' in source) {
      this.hls = source.hls;
      const { fLoader, pLoader } = this.hls.config;
      Object.assign(this.hls.config, hlsConfig);
      this.disposer.add(() => Object.assign(this.hls.config, { fLoader, pLoader }));
      this.registerListeners();
      this.p2pEngine?.bindHls(this.hls);
      // Load the playlist again, through the P2P loaders, from where the page is playing.
      const position = this.hls.media?.currentTime ?? 0;
      this.hls.config.startPosition = position > 0 ? position : this.hls.config.startPosition;
      this.hls.loadSource(this.src);
      return;
    }
    this.hls = new Hls(hlsConfig);
    this.registerListeners();
    this.p2pEngine?.bindHls(this.hls);
    this.hls.attachMedia(source.media as HTMLVideoElement);
    this.hls.loadSource(source.src);
  }

  private registerListeners(): void {
    const { hls, p2pEngine, sinks } = this;
    const onHls = hlsListener(hls, this.disposer);

    const attempts: RecoveryAttempts = { network: 0, media: 0 };
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    this.disposer.add(() => clearTimeout(retryTimer));
    const onHlsError = (_event: string, data: ErrorData): void => {
      if (!data.fatal) return;
      const type = data.type === Hls.ErrorTypes.NETWORK_ERROR
        ? 'networkError'
        : data.type === Hls.ErrorTypes.MEDIA_ERROR ? 'mediaError' : 'otherError';
      const action = decideRecovery({ type, details: data.details }, attempts);
      if (action === 'restartLoading' || action === 'reloadSource') {
        attempts.network += 1;
        retryTimer = setTimeout(() => {
          if (action === 'reloadSource') hls.loadSource(this.src);
          else hls.startLoad();
        }, 1000 * attempts.network);
      } else if (action === 'recoverMedia' || action === 'swapAudioCodecAndRecover') {
        attempts.media += 1;
        if (action === 'swapAudioCodecAndRecover') hls.swapAudioCodec();
        hls.recoverMediaError();
      } else {
        sinks.onError(new MeshcastError(type, data.details, `hls.js fatal error: ${data.details}`, {
          fatal: true,
          cause: data.error,
        }));
      }
    };
    onHls(Hls.Events.ERROR, onHlsError);
    // A buffered fragment is progress: the next failure starts the ladder again.
    onHls(Hls.Events.FRAG_BUFFERED, () => {
      attempts.network = 0;
      attempts.media = 0;
    });

    onHls(Hls.Events.LEVEL_SWITCHED, (_event: string, data: LevelSwitchedData) => {
      const bitrate = hls.levels[data.level]?.bitrate;
      if (bitrate) sinks.qoe.bitrate(performance.now(), bitrate / 1000);
    });

    // Without p2p-media-loader every fragment came over HTTP; with it, subtitle fragments still do
    // (p2p-media-loader shares the main and audio streams only) and it does not report them.
    onHls(Hls.Events.FRAG_LOADED, (_event: string, data: FragLoadedData) => {
      if (!p2pEngine || data.frag.type === 'subtitle') sinks.onSegment('http', data.payload.byteLength, data.frag.url);
    });
    if (!p2pEngine) return;

    const onPlaylistLoaded = (_event: string, data: { details: { url: string; live: boolean }; stats?: { loading: { start: number; end: number } } }): void => {
      this.integrity?.playlistLoaded(data.details.url, data.details.live);
      const loading = data.stats?.loading;
      if (loading && loading.end > loading.start) this.policy?.originResponded((loading.end - loading.start) / 1000);
    };
    onHls(Hls.Events.LEVEL_LOADED, onPlaylistLoaded);
    onHls(Hls.Events.LEVEL_UPDATED, () => this.policy?.playlistUpdated());
    onHls(Hls.Events.AUDIO_TRACK_LOADED, onPlaylistLoaded);

    const addCoreListener = <K extends keyof CoreEventMap>(name: K, listener: CoreEventMap[K]): void => {
      p2pEngine.addEventListener(name, listener);
      this.disposer.add(() => p2pEngine.removeEventListener(name, listener));
    };
    // onSegmentLoaded fires for completed segments only, unlike onChunkDownloaded, which also counts
    // bytes of requests that later abort or fail validation.
    addCoreListener('onSegmentLoaded', (details: SegmentLoadDetails) => {
      sinks.observer.p2pRequestEnded(details.segmentUrl);
      this.integrity?.peers.requestEnded(details.segmentUrl);
      sinks.onSegment(details.downloadSource, details.bytesLength, details.segmentUrl);
    });
    addCoreListener('onSegmentStart', ({ segment, downloadSource, peerId }: SegmentStartDetails) => {
      if (downloadSource !== 'p2p') return;
      sinks.observer.p2pRequestStarted(segment.url, segment.startTime, segment.endTime);
      if (peerId) this.integrity?.peers.requestStarted(segment.url, peerId);
    });
    const requestEnded = ({ segment }: { segment: { url: string } }): void => {
      sinks.observer.p2pRequestEnded(segment.url);
      this.integrity?.peers.requestEnded(segment.url);
    };
    addCoreListener('onSegmentError', requestEnded);
    addCoreListener('onSegmentAbort', requestEnded);
    addCoreListener('onPeerConnect', (peer: PeerDetails) => sinks.stats.peerConnected(peer.peerId));
    addCoreListener('onPeerClose', (peer: PeerDetails) => sinks.stats.peerClosed(peer.peerId));
    addCoreListener('onChunkUploaded', (bytes: number, peerId: string) => sinks.stats.chunkUploaded(peerId, bytes));
  }

  /**
   * How far behind real time the frame playing is, for live streams: from the segments' program
   * date-times when the stream has them, otherwise from the playlist's live edge.
   */
  liveLatencyS(): number | null {
    if (!this.isLive()) return null;
    const playingDate = this.hls.playingDate;
    const latency = playingDate ? (Date.now() - playingDate.getTime()) / 1000 : this.hls.latency;
    return Number.isFinite(latency) ? Math.round(latency * 10) / 10 : null;
  }

  /** Whether the source is a live stream (known once its first media playlist loaded). */
  isLive(): boolean {
    const details = this.hls.levels[this.hls.currentLevel]?.details ?? this.hls.latestLevelDetails;
    return details?.live ?? false;
  }

  /** Releases hls.js, the tracker connection and every peer connection of this source. */
  destroy(): void {
    this.policy?.destroy();
    this.disposer.dispose();
    if (!this.adopted) this.hls.destroy();
    this.p2pEngine?.destroy();
    this.sinks.stats.clearPeers();
    this.sinks.observer.clearRequests();
  }
}

/**
 * hls.js live sync at the target latency, unless the page set its own: p2p-media-loader would
 * otherwise move the player up to 120 s behind the edge without saying so.
 */
function liveSyncConfig(options: ResolvedOptions): Partial<HlsConfig> {
  const own = options.hlsConfig;
  if (own.liveSyncDuration !== undefined || own.liveSyncDurationCount !== undefined) return {};
  const target = options.policy.live.targetLatency;
  return { liveSyncDuration: target, liveMaxLatencyDuration: target * 1.5 + 4, maxLiveSyncPlaybackRate: 1.1 };
}
