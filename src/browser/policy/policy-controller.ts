import type { CoreEventMap, DynamicCoreConfig } from 'p2p-media-loader-core';
import { Disposer } from '../utils/disposer';
import { decideWindows, httpConcurrency, p2pConcurrency, PML_HTTP_CONCURRENCY, PML_P2P_CONCURRENCY, type GuardDecision } from './deadline-guard';
import type { ResolvedPolicy } from './policy-options';
import { coordinateWindows, coordinationState, type CoordinationState } from './segment-leader';
import { copyTimeS, ListedSegments, shouldSeed, spreadTimeS, staggeredSeedingApplies, uploadShareOf } from './segment-seeding';
import { decideUpload, UploadBudget } from './upload-rules';

/** What the controller drives and reads: p2p-media-loader's engine and the page. */
export interface PolicyTarget {
  applyDynamicConfig(config: { core: DynamicCoreConfig }): void;
  addEventListener<K extends keyof CoreEventMap>(name: K, listener: CoreEventMap[K]): void;
  removeEventListener<K extends keyof CoreEventMap>(name: K, listener: CoreEventMap[K]): void;
  /**
   * The playlist's target duration and whether the stream is live, once known; with the latency the
   * player keeps (an LL-HLS stream's PART-HOLD-BACK, say) when it is not the policy's target, and the
   * average bitrate the master playlist declares for the rendition playing.
   */
  stream(): { segmentDurationS: number; live: boolean; targetLatencyS?: number; bitsPerS?: number } | undefined;
  /** Peers with an upload under way. */
  uploadsInFlight(nowMs: number): number;
  /** Peers connected now. */
  peers(): number;
  /**
   * This viewer's peer ID, its connected peers' IDs, the stream's audience and that of the rendition it
   * plays (its swarm), when the collector said.
   */
  swarm?(): { selfId: string; peerIds: Iterable<string>; audience: number | undefined; renditionAudience?: number };
  /** Live streams: the playhead and the playlist's segments from it on, oldest first (`id`: p2p-media-loader's segment ID). */
  liveSegments?(): { positionS: number; segments: ReadonlyArray<{ sequence: number; startS: number; url: string; id: string }> } | undefined;
  /** Whether a connected peer has announced the segment (holds it, or is loading it over HTTP). */
  announcedByPeers?(segmentId: string): boolean;
  /**
   * Live streams: hand p2p-media-loader the choice of which new segments this viewer fetches over HTTP
   * for the swarm (in place of its random background fetch); undefined hands it back.
   */
  setHttpSeeder?(seeder: HttpSeeder | undefined): void;
}

/** Whether this viewer fetches a segment (by p2p-media-loader's ID) over HTTP now, for the swarm. */
export type HttpSeeder = (segmentId: string, announcedByPeers: boolean) => boolean;

const TICK_MS = 250;
/** Without a peer for this long, a viewer buffers over HTTP instead of waiting for one. */
const ALONE_AFTER_MS = 3000;

interface ConnectionInfo { saveData?: boolean; type?: string; metered?: boolean; addEventListener?(type: 'change', listener: () => void): void; removeEventListener?(type: 'change', listener: () => void): void }

/** Initial windows, before anything is measured: what p2p-media-loader starts with. */
export function initialWindows(policy: ResolvedPolicy): GuardDecision {
  return decideWindows(
    { http: { recentLoadS: [], inFlightS: 0 }, segmentDurationS: 2, live: false, targetLatencyS: policy.live.targetLatency },
    policy.prefetch,
  );
}

/**
 * Runs the policy for one source: every 250 ms (and at once on a seek or a visibility change) it
 * recomputes the deadline guard's windows from measured HTTP timings, and the upload switch from the
 * upload rules, and hands p2p-media-loader whatever changed.
 */
export class PolicyController {
  private readonly disposer = new Disposer();
  private readonly httpStarts = new Map<string, number>();
  private readonly p2pLoading = new Set<string>();
  /** Segments this viewer has (by URL), newest last; the oldest are forgotten past a few hundred. */
  private readonly loaded = new Set<string>();
  private readonly recentLoadS: number[] = [];
  /** Bits per second of recent HTTP segments, newest last. */
  private readonly recentHttpBitsPerS: number[] = [];
  private readonly budget: UploadBudget | undefined;
  private applied: GuardDecision | undefined;
  private appliedHttpConcurrency = PML_HTTP_CONCURRENCY;
  private appliedP2PConcurrency = PML_P2P_CONCURRENCY;
  private uploadAllowed = true;
  private uploadCheckQueued = false;
  private disposed = false;
  private measuredSegments = 0;
  /** The newest live segment seen in the playlist, and when this viewer first saw it listed. */
  private newestListed: { sequence: number; atMs: number } | undefined;
  private readonly listed = new ListedSegments();
  private seeding = false;
  /** Since when no peer has been connected; undefined while one is. */
  private aloneSince: number | undefined = performance.now();

  constructor(private readonly target: PolicyTarget, private readonly policy: ResolvedPolicy, private readonly media: HTMLMediaElement | null) {
    const on = <K extends keyof CoreEventMap>(name: K, listener: CoreEventMap[K]): void => {
      target.addEventListener(name, listener);
      this.disposer.add(() => target.removeEventListener(name, listener));
    };
    on('onSegmentStart', ({ segment, downloadSource }) => {
      if (downloadSource === 'http') this.httpStarts.set(segment.url, performance.now());
      else this.p2pLoading.add(segment.url);
    });
    on('onSegmentLoaded', (details) => {
      const { segmentUrl, downloadSource } = details;
      const started = this.httpStarts.get(segmentUrl);
      this.httpStarts.delete(segmentUrl);
      this.p2pLoading.delete(segmentUrl);
      this.loaded.add(segmentUrl);
      if (this.loaded.size > 512) this.loaded.delete(this.loaded.values().next().value as string);
      if (downloadSource !== 'http' || started === undefined) return;
      if (this.measuredSegments === 0) this.recentLoadS.length = 0;
      this.measuredSegments += 1;
      const seconds = (performance.now() - started) / 1000;
      this.recentLoadS.push(seconds);
      if (this.recentLoadS.length > 5) this.recentLoadS.shift();
      // A segment resumed over HTTP after a peer sent its start: only its HTTP part took this time.
      const httpBytes = (details as { httpBytes?: number }).httpBytes ?? details.bytesLength;
      if (seconds > 0 && httpBytes > 0) {
        this.recentHttpBitsPerS.push((httpBytes * 8) / seconds);
        if (this.recentHttpBitsPerS.length > 5) this.recentHttpBitsPerS.shift();
      }
    });
    const ended = ({ segment }: { segment: { url: string } }): void => {
      this.httpStarts.delete(segment.url);
      this.p2pLoading.delete(segment.url);
    };
    on('onSegmentError', ended);
    on('onSegmentAbort', ended);
    this.budget = policy.upload.maxBytesPerS === undefined ? undefined : new UploadBudget(policy.upload.maxBytesPerS, performance.now());
    on('onChunkUploaded', (bytes) => {
      this.budget?.sent(bytes, performance.now());
      if (!this.uploadAllowed || this.uploadCheckQueued) return;
      // Spent, or serving as many peers as allowed: stop taking requests now, not at the next tick.
      // Otherwise every neighbour asking meanwhile is served at once (a crowd asks the first viewer
      // holding a new live segment all together), and the uploads share its uplink and come late.
      // In a microtask: after this event's other listeners have counted the chunk's upload, and
      // before the next request reaches p2p-media-loader.
      this.uploadCheckQueued = true;
      queueMicrotask(() => {
        this.uploadCheckQueued = false;
        if (this.disposed || !this.uploadAllowed) return;
        const spent = this.budget !== undefined && this.budget.available(performance.now()) <= 0;
        if (spent || this.target.uploadsInFlight(Date.now()) >= this.policy.upload.maxConcurrent) this.tick();
      });
    });
    this.disposer.add(() => (this.disposed = true));
    this.disposer.add(() => this.setSeeding(false));

    const timer = setInterval(() => this.tick(), TICK_MS);
    this.disposer.add(() => clearInterval(timer));
    const tickNow = (): void => this.tick();
    if (typeof document !== 'undefined') {
      document.addEventListener('visibilitychange', tickNow);
      this.disposer.add(() => document.removeEventListener('visibilitychange', tickNow));
    }
    if (media) {
      media.addEventListener('seeking', tickNow);
      this.disposer.add(() => media.removeEventListener('seeking', tickNow));
    }
    const connection = this.connection();
    connection?.addEventListener?.('change', tickNow);
    this.disposer.add(() => connection?.removeEventListener?.('change', tickNow));
    this.tick();
  }

  /**
   * A request to the origin took `seconds` (a playlist): until a segment has been timed, that is the
   * best guess of how fast the origin answers, better than assuming a slow one.
   */
  /**
   * What the origin surely delivers to this viewer now: the slowest of its last five HTTP segments, bits per
   * second. The slowest, because on a congested path a median let hls.js pick renditions that then stalled
   * (network testbed, `congested-cdn`).
   */
  httpBitsPerS(): number | undefined {
    if (this.recentHttpBitsPerS.length === 0) return undefined;
    return Math.min(...this.recentHttpBitsPerS);
  }

  originResponded(seconds: number): void {
    if (this.measuredSegments > 0) return;
    this.recentLoadS.splice(0, this.recentLoadS.length, seconds);
    // Before hls.js asks for its first segments, so they are sorted with the right window.
    this.tick();
  }

  /**
   * The playlist changed (live: a new segment): decide again once p2p-media-loader has taken the
   * playlist too (its hls.js listener runs after this one, in the same task).
   */
  playlistUpdated(): void {
    queueMicrotask(() => {
      if (!this.disposed) this.tick();
    });
  }

  /** The windows last handed to p2p-media-loader. */
  get windows(): GuardDecision | undefined {
    return this.applied;
  }

  private connection(): ConnectionInfo | undefined {
    return typeof navigator === 'undefined' ? undefined : (navigator as { connection?: ConnectionInfo }).connection;
  }

  tick(): void {
    const now = performance.now();
    const core: DynamicCoreConfig = {};

    // Until the playlist is parsed: a VOD-like stream of 2 s segments (only the live cap depends on it).
    const stream = this.target.stream() ?? { segmentDurationS: 2, live: false };
    const connection = this.connection();
    const verdict = decideUpload({
      hidden: typeof document !== 'undefined' && document.visibilityState === 'hidden',
      saveData: connection?.saveData === true,
      metered: connection?.metered === true || connection?.type === 'cellular',
      budgetBytes: this.budget?.available(now),
      uploadsInFlight: this.target.uploadsInFlight(Date.now()),
    }, this.policy.upload, this.uploadAllowed);
    // Out of upload slots or budget for now, a viewer still passes segments on; hidden or metered, it does not.
    const mayUpload = verdict.allowed || verdict.reason === 'concurrency' || verdict.reason === 'rate';
    const canSeed = this.policy.upload.maxBytesPerS === undefined && mayUpload;
    if (this.target.peers() > 0) this.aloneSince = undefined;
    else this.aloneSince ??= now;
    {
      let inFlightS = 0;
      for (const started of this.httpStarts.values()) inFlightS = Math.max(inFlightS, (now - started) / 1000);
      const http = { recentLoadS: this.recentLoadS, inFlightS };
      let decision = decideWindows(
        {
          http,
          segmentDurationS: stream.segmentDurationS,
          live: stream.live,
          targetLatencyS: stream.targetLatencyS ?? this.policy.live.targetLatency,
          alone: this.aloneSince !== undefined && now - this.aloneSince >= ALONE_AFTER_MS,
        },
        this.policy.prefetch,
      );
      if (stream.live) decision = coordinateWindows(decision, this.coordination(canSeed, stream.segmentDurationS, stream.targetLatencyS));
      const swarm = this.target.swarm?.();
      // Groups are sized by the rendition's audience: without it (an older collector), random fetching.
      this.setSeeding(stream.live && this.policy.live.seeding === 'staggered' && swarm?.renditionAudience !== undefined
        && staggeredSeedingApplies(mayUpload, this.target.peers(), swarm.renditionAudience));
      const changed = !this.applied || (Object.keys(decision) as Array<keyof GuardDecision>).some((key) => decision[key] !== this.applied![key]);
      if (changed) {
        Object.assign(core, decision);
        this.applied = decision;
      }
      const bufferAheadS = this.bufferAheadS();
      const httpAtOnce = httpConcurrency(http, bufferAheadS);
      if (httpAtOnce !== this.appliedHttpConcurrency) {
        core.simultaneousHttpDownloads = httpAtOnce;
        this.appliedHttpConcurrency = httpAtOnce;
      }
      const p2pAtOnce = p2pConcurrency(http, bufferAheadS);
      if (p2pAtOnce !== this.appliedP2PConcurrency) {
        core.simultaneousP2PDownloads = p2pAtOnce;
        this.appliedP2PConcurrency = p2pAtOnce;
      }
    }

    if (verdict.allowed !== this.uploadAllowed) {
      this.uploadAllowed = verdict.allowed;
      core.isP2PUploadDisabled = !verdict.allowed;
    }

    if (Object.keys(core).length > 0) this.target.applyDynamicConfig({ core });
  }

  /** HTTP downloads allowed at once, as last handed to p2p-media-loader. */
  get httpConcurrency(): number {
    return this.appliedHttpConcurrency;
  }

  /** P2P downloads allowed at once, as last handed to p2p-media-loader. */
  get p2pConcurrency(): number {
    return this.appliedP2PConcurrency;
  }

  /** Seconds buffered ahead of the playhead; undefined while no media is attached. */
  private bufferAheadS(): number | undefined {
    const media = this.media;
    if (!media?.currentSrc || !media.buffered) return undefined;
    const at = media.currentTime;
    for (let i = 0; i < media.buffered.length; i += 1) {
      // A sliver of a gap at the playhead (under 50 ms) counts as buffered: the player steps over it.
      if (media.buffered.start(i) <= at + 0.05 && media.buffered.end(i) > at) return media.buffered.end(i) - at;
    }
    return 0;
  }

  /** Whether staggered seeding (`segment-seeding.ts`) chooses which new live segments this viewer fetches. */
  get seedingStaggered(): boolean {
    return this.seeding;
  }

  private setSeeding(on: boolean): void {
    if (on === this.seeding || !this.target.setHttpSeeder) return;
    this.seeding = on;
    this.target.setHttpSeeder(on ? this.seeder : undefined);
  }

  private readonly seeder: HttpSeeder = (segmentId, announcedByPeers) => {
    const now = performance.now();
    // A segment p2p-media-loader learnt of before this controller's next look at the playlist.
    if (!this.listed.listed(segmentId, now)) this.listed.note(this.target.liveSegments?.()?.segments ?? [], now);
    const segment = this.listed.listed(segmentId, now);
    const swarm = this.target.swarm?.();
    const stream = this.target.stream();
    if (!segment || swarm?.renditionAudience === undefined || !stream || !this.applied) return false;
    const spreadS = spreadTimeS(stream.targetLatencyS ?? this.policy.live.targetLatency, stream.segmentDurationS, this.applied.highDemandTimeWindow);
    const uploadShare = uploadShareOf(this.policy.upload.maxBytesPerS, stream.bitsPerS);
    const copyS = copyTimeS(stream.segmentDurationS, stream.bitsPerS);
    return shouldSeed({ peerId: swarm.selfId, sequence: segment.sequence, audience: swarm.renditionAudience, visibleForS: segment.forS, neighbourhoodHasIt: announcedByPeers, spreadS, uploadShare, copyS });
  };

  /** The one-fetcher agreement's state, from this viewer's peers, the collector's count and the live playlist. */
  private coordination(canSeed: boolean, segmentDurationS: number, targetLatencyS = this.policy.live.targetLatency): CoordinationState {
    const swarm = this.target.swarm?.();
    const live = canSeed ? this.target.liveSegments?.() : undefined;
    const newest = live?.segments[live.segments.length - 1];
    const peerIds = swarm ? [...swarm.peerIds] : [];
    const now = performance.now();
    if (live) this.listed.note(live.segments, now);
    if (newest && newest.sequence !== this.newestListed?.sequence) this.newestListed = { sequence: newest.sequence, atMs: now };
    return coordinationState({
      // Without a live playlist in hand (no media element yet) it stays out, as without peers.
      canSeed: canSeed && swarm !== undefined && newest !== undefined,
      selfId: swarm?.selfId ?? '',
      connectedPeers: peerIds.length,
      peerIds,
      // A rendition is its own swarm: its audience when the collector estimated it, else the stream's.
      audience: swarm?.renditionAudience ?? swarm?.audience,
      newest: newest && {
        sequence: newest.sequence,
        aheadS: newest.startS - live!.positionS,
        haveOrLoading: this.loaded.has(newest.url) || this.httpStarts.has(newest.url) || this.p2pLoading.has(newest.url),
        peerHasOrLoading: this.target.announcedByPeers?.(newest.id) ?? false,
        listedForS: (now - this.newestListed!.atMs) / 1000,
      },
      peerSendingEarlier: live?.segments.some((segment) => segment !== newest && this.p2pLoading.has(segment.url)) ?? false,
      targetLatencyS,
      segmentDurationS,
    });
  }

  destroy(): void {
    this.disposer.dispose();
  }
}
