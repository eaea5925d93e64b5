import Hls, { type HlsConfig } from 'hls.js';
import { deriveSwarmId, type ResolvedOptions } from '../config';
import type { MeshcastError } from '../errors';
import type { PolicyController } from '../policy/policy-controller';
import { pagePeerIdentity } from '../policy/segment-leader';
import { ErrorRecoveryController } from './error-recovery-controller';
import { CmcdBridge } from './cmcd-bridge';
import { createP2P, type P2PSetup } from './p2p-setup';
import { createPolicy } from './policy-adapter';
import { StatsWiring, type StatsSinks } from './stats-wiring';

/** Where a session reports what happens: the engine's stats, QoE, and its event callbacks. */
export interface SessionSinks extends StatsSinks {
  onError(error: MeshcastError): void;
  /** Viewers of the stream as the collector last counted them; undefined without a collector. */
  audience(): number | undefined;
  /** Viewers of the rendition this viewer plays (its swarm) as the collector last estimated them. */
  renditionAudience(): number | undefined;
}

/** What a session plays: a source into a media element with its own hls.js, or a page's hls.js instance. */
export type SessionSource = { media: HTMLMediaElement; src: string } | { hls: Hls };

/**
 * One source played by one hls.js instance, with one p2p-media-loader engine when P2P is on: the
 * P2P setup, the policy, error recovery and stats wiring, each released by `destroy()`.
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
  private readonly p2p: P2PSetup | undefined;
  private readonly cmcd: CmcdBridge | undefined;
  private readonly policy: PolicyController | undefined;
  private readonly recovery: ErrorRecoveryController;
  private readonly wiring: StatsWiring;
  /** Gives an adopted hls.js instance its own loaders back. */
  private readonly restoreLoaders: (() => void) | undefined;

  constructor(source: SessionSource, options: ResolvedOptions, private readonly sinks: SessionSinks) {
    this.src = 'hls' in source ? source.hls.url ?? '' : source.src;
    const guarded = options.policy.mode === 'guarded';
    this.streamId = deriveSwarmId(new URL(this.src, document.baseURI).href, options.swarmId);
    if (options.p2p) {
      this.swarmId = this.streamId;
      this.peerId = guarded ? pagePeerIdentity() : undefined;
      // An adopted hls.js wrapped its loaders for CMCD when it was made, before Meshcast's were there.
      const cmcd = 'hls' in source || options.hlsConfig.cmcd === undefined ? undefined : new CmcdBridge();
      this.p2p = createP2P(options, this.swarmId, this.peerId, {
        stats: sinks.stats,
        onHttpSegment: (bytes, url) => sinks.onSegment('http', bytes, url),
        cmcd,
        // The policy exists from below on; until then (and without it) hls.js's estimate is p2p-media-loader's.
        httpBitsPerS: guarded ? () => this.policy?.httpBitsPerS() : undefined,
      });
      this.cmcd = cmcd;
    }
    const hlsConfig: Partial<HlsConfig> = { ...options.hlsConfig, ...this.p2p?.loaders };

    if ('hls' in source) {
      this.hls = source.hls;
      const { fLoader, pLoader } = this.hls.config;
      Object.assign(this.hls.config, hlsConfig);
      this.restoreLoaders = () => Object.assign(this.hls.config, { fLoader, pLoader });
    } else {
      this.hls = new Hls(hlsConfig);
      this.cmcd?.bindHls(this.hls);
    }
    if (guarded) applyLiveSync(this.hls, options);
    const media = 'hls' in source ? source.hls.media : source.media;
    if (this.p2p && guarded) {
      this.policy = createPolicy(this.hls, media, this.p2p.engine, options.policy, {
        stats: sinks.stats,
        peerId: this.peerId!,
        audience: sinks.audience,
        renditionAudience: sinks.renditionAudience,
      });
    }
    this.recovery = new ErrorRecoveryController(this.hls, this.src, sinks.onError);
    this.wiring = new StatsWiring(this.hls, sinks, this.p2p && { ...this.p2p, policy: this.policy });
    this.p2p?.engine.bindHls(this.hls);

    if ('hls' in source) {
      // Load the playlist again, through the P2P loaders, from where the page is playing.
      const position = this.hls.media?.currentTime ?? 0;
      this.hls.config.startPosition = position > 0 ? position : this.hls.config.startPosition;
      this.hls.loadSource(this.src);
      return;
    }
    this.hls.attachMedia(source.media as HTMLVideoElement);
    this.hls.loadSource(source.src);
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

  /** The rendition playing, as its index in the master playlist (p2p-media-loader's swarm); undefined with P2P off. */
  rendition(): number | undefined {
    const level = this.hls.currentLevel;
    return this.p2p && Number.isInteger(level) && level >= 0 && level <= 1000 ? level : undefined;
  }

  /** Whether the source is a live stream (known once its first media playlist loaded). */
  isLive(): boolean {
    const details = this.hls.levels[this.hls.currentLevel]?.details ?? this.hls.latestLevelDetails;
    return details?.live ?? false;
  }

  /** Releases hls.js, the tracker connection and every peer connection of this source. */
  destroy(): void {
    this.policy?.destroy();
    this.wiring.destroy();
    this.recovery.destroy();
    if (this.restoreLoaders) this.restoreLoaders();
    else this.hls.destroy();
    this.p2p?.engine.destroy();
    this.sinks.stats.clearPeers();
    this.sinks.observer.clearRequests();
  }
}

/**
 * hls.js live sync at the target latency, unless the page set its own: p2p-media-loader would
 * otherwise move the player up to 120 s behind the edge without saying so. Set on the running config,
 * not passed to the constructor: hls.js then keeps a stream's own HOLD-BACK or, for LL-HLS,
 * PART-HOLD-BACK, and uses this where the stream declares none. An explicit `live.targetLatency` wins
 * over the stream's (hls.js's `targetLatency` setter) and turns hls.js's low-latency mode off.
 */
function applyLiveSync(hls: Hls, options: ResolvedOptions): void {
  const own = options.hlsConfig;
  if (own.liveSyncDuration !== undefined || own.liveSyncDurationCount !== undefined) return;
  const target = options.policy.live.targetLatency;
  Object.assign(hls.config, { liveSyncDuration: target, liveMaxLatencyDuration: target * 1.5 + 4, maxLiveSyncPlaybackRate: 1.1 });
  if (!options.policy.liveTargetExplicit) return;
  hls.targetLatency = target;
  // At a latency the page chose, LL-HLS streams play from complete segments, which peers can share;
  // hls.js would otherwise fetch the newest media as parts, over HTTP, whatever the latency.
  if (own.lowLatencyMode === undefined) hls.lowLatencyMode = false;
}
