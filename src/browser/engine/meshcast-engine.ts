import Hls from 'hls.js';
import { resolveOptions, type MeshcastOptions, type ResolvedOptions } from '../config';
import { MeshcastError } from '../errors';
import type { MeshcastStats } from '../stats/meshcast-stats';
import { BeaconSender, newSessionId } from '../stats/beacon-sender';
import type { Beacon } from '../stats/beacon-schema';
import { PlaybackQoe } from '../stats/playback-qoe';
import { QoeObserver } from '../stats/qoe-observer';
import { SessionStats, wholeFrom, type SegmentBytes, type SegmentSource } from '../stats/session-stats';
import { SourceSession, type SessionSource } from './source-session';

/** Events a {@link MeshcastEngine} emits. */
export interface MeshcastEventMap {
  /**
   * A segment finished downloading, from the origin or from a peer: `source` is where its last bytes
   * came from, `parts` its bytes by source (a segment begun from a peer can be finished over HTTP).
   */
  segmentLoaded: (event: { source: SegmentSource; bytes: number; url: string; parts: SegmentBytes }) => void;
  /** A fatal playback error; the source stops. */
  error: (error: MeshcastError) => void;
}

type Listeners = { [K in keyof MeshcastEventMap]: Set<MeshcastEventMap[K]> };

/**
 * Plays HLS sources into a media element through hls.js, with segments shared between viewers
 * over WebRTC by p2p-media-loader. One engine serves one element; each `load()` replaces the
 * previous source's hls.js and P2P instances.
 */
export class MeshcastEngine {
  /** Whether this browser can play through hls.js (Media Source Extensions or ManagedMediaSource). */
  static isSupported(): boolean {
    return Hls.isSupported();
  }

  /** The options in effect, with defaults applied. */
  readonly options: Readonly<ResolvedOptions>;
  private session: SourceSession | undefined;
  private readonly sessionStats = new SessionStats();
  private readonly qoe = new PlaybackQoe();
  private observer: QoeObserver | undefined;
  private beacons: BeaconSender | undefined;
  /** Identifies this engine's viewing session in beacons. */
  readonly sessionId = newSessionId();
  private readonly listeners: Listeners = { segmentLoaded: new Set(), error: new Set() };
  private destroyed = false;
  /** The collector's last count of viewers of the stream this engine beaconed about. */
  /** The collector's last count: the stream's viewers, and those of the rendition the beacon named. */
  private audience: { streamId: string; viewers: number; rendition?: number; renditionViewers?: number } | undefined;
  /** The rendition named in the last beacon sent. */
  private beaconRendition: number | undefined;

  /** @throws MeshcastError (type `configError`) when an option is invalid, naming the option. */
  constructor(options: MeshcastOptions = {}) {
    this.options = Object.freeze(resolveOptions(options));
  }

  /** The hls.js instance of the current source, for advanced use (levels, tracks, events). */
  get hls(): Hls | undefined {
    return this.session?.hls;
  }

  /** The swarm the current source joined; `undefined` when P2P is off or nothing is loaded. */
  get swarmId(): string | undefined {
    return this.session?.swarmId;
  }

  /**
   * This viewer's peer ID in the swarm (what peers and the tracker see), once a source is loaded with P2P
   * under the guarded policy; undefined otherwise (p2p-media-loader then draws one it keeps to itself).
   */
  get peerId(): string | undefined {
    return this.session?.peerId;
  }

  /** Starts playing `src` (an HLS playlist URL) into `media`, replacing any current source. */
  load(media: HTMLMediaElement, src: string): void {
    if (typeof src !== 'string' || src === '') {
      throw new MeshcastError('configError', 'invalidSource', `Meshcast load(): src must be a playlist URL, got ${String(src)}`, { fatal: true });
    }
    this.start(media, { media, src });
  }

  /**
   * Adds P2P to an hls.js instance the page already runs (after its `attachMedia` and
   * `loadSource`): its playlist is loaded again through Meshcast's loaders, from the current
   * position. `unload()` or `destroy()` give the instance back its own loaders.
   */
  attachHls(hls: Hls): void {
    if (!hls?.media || !hls.url) {
      throw new MeshcastError('configError', 'hlsNotReady', 'Meshcast: attach to an hls.js instance after hls.attachMedia(video) and hls.loadSource(url)', { fatal: true });
    }
    this.start(hls.media, { hls });
  }

  private start(media: HTMLMediaElement, source: SessionSource): void {
    if (this.destroyed) throw new MeshcastError('otherError', 'engineDestroyed', 'MeshcastEngine was destroyed', { fatal: true });
    this.session?.destroy();
    if (this.options.statsUrl && !this.beacons) {
      this.beacons = new BeaconSender(this.options.statsUrl, () => this.beacon(), this.options.statsIntervalS * 1000, undefined, (reply) => {
        const { audience, renditionAudience } = (reply ?? {}) as { audience?: unknown; renditionAudience?: unknown };
        const streamId = this.session?.streamId;
        if (streamId === undefined || !Number.isInteger(audience) || (audience as number) < 0) return;
        this.audience = { streamId, viewers: audience as number };
        if (this.beaconRendition !== undefined && Number.isInteger(renditionAudience) && (renditionAudience as number) >= 1) {
          Object.assign(this.audience, { rendition: this.beaconRendition, renditionViewers: renditionAudience });
        }
      });
    }
    if (this.observer?.media !== media) {
      this.observer?.dispose();
      this.observer = new QoeObserver(media, this.qoe);
    }
    this.session = new SourceSession(source, this.options, {
      stats: this.sessionStats,
      qoe: this.qoe,
      observer: this.observer,
      onSegment: (source, bytes, url, parts = wholeFrom(source, bytes)) => {
        this.sessionStats.recordSegment(source, bytes, parts);
        this.emit('segmentLoaded', { source, bytes, url, parts });
      },
      onError: (error) => this.emit('error', error),
      // A count for another stream (the previous source) says nothing about this one.
      audience: () => (this.audience && this.audience.streamId === this.session?.streamId ? this.audience.viewers : undefined),
      // A count for another rendition (before a switch) says nothing about this one's swarm.
      renditionAudience: () => {
        const counted = this.audience;
        const session = this.session;
        if (!counted || !session || counted.streamId !== session.streamId || counted.rendition !== session.rendition()) return undefined;
        return counted.renditionViewers;
      },
    });
  }

  /** Stops the current source and releases its hls.js and P2P instances; the engine stays usable. */
  unload(): void {
    this.session?.destroy();
    this.session = undefined;
  }

  /** Delivery and QoE statistics of this engine's whole life, across sources. */
  stats(): MeshcastStats {
    return {
      ...this.sessionStats.snapshot(),
      ...this.qoe.snapshot(performance.now()),
      liveLatencyS: this.session?.liveLatencyS() ?? null,
    };
  }

  /** The beacon payload (without its sequence number); none before a source is loaded. */
  private beacon(): Omit<Beacon, 'seq'> | undefined {
    if (!this.session) return undefined;
    const stats = this.stats();
    this.beaconRendition = this.session.rendition();
    return {
      v: 1,
      sessionId: this.sessionId,
      streamId: this.session.streamId,
      live: this.session.isLive(),
      httpBytes: stats.httpBytes,
      p2pBytes: stats.p2pBytes,
      uploadedBytes: stats.uploadedBytes,
      segmentsHttp: stats.segmentsHttp,
      segmentsP2P: stats.segmentsP2P,
      peers: stats.peers,
      integrityFailures: stats.integrityFailures,
      startupMs: stats.startupMs,
      rebufferCount: stats.rebufferCount,
      rebufferMs: stats.rebufferMs,
      p2pStalls: stats.p2pStalls,
      playingMs: stats.playingMs,
      bitrateKbps: stats.bitrateKbps,
      liveLatencyS: stats.liveLatencyS === null ? null : Math.max(0, stats.liveLatencyS),
      ...(this.beaconRendition !== undefined && { rendition: this.beaconRendition }),
      ...(this.options.statsToken !== undefined && { token: this.options.statsToken }),
    };
  }

  on<K extends keyof MeshcastEventMap>(event: K, listener: MeshcastEventMap[K]): void {
    (this.listeners[event] as Set<MeshcastEventMap[K]>).add(listener);
  }

  off<K extends keyof MeshcastEventMap>(event: K, listener: MeshcastEventMap[K]): void {
    (this.listeners[event] as Set<MeshcastEventMap[K]>).delete(listener);
  }

  /** Stops playback and releases hls.js, the tracker connection and every peer connection. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.beacons?.stop();
    this.beacons = undefined;
    this.session?.destroy();
    this.session = undefined;
    this.observer?.dispose();
    this.observer = undefined;
    for (const set of Object.values(this.listeners)) set.clear();
  }

  private emit<K extends keyof MeshcastEventMap>(event: K, ...args: Parameters<MeshcastEventMap[K]>): void {
    for (const listener of this.listeners[event]) {
      try {
        (listener as (...a: Parameters<MeshcastEventMap[K]>) => void)(...args);
      } catch (err) {
        // A failing page listener must not break delivery.
        console.error('meshcast: listener for', event, 'threw', err);
      }
    }
  }
}
