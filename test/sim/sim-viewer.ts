/**
 * One simulated viewer: hls.js asking for segments, p2p-media-loader 2.3.1 deciding where each comes
 * from, and Meshcast's policy setting p2p-media-loader's windows.
 *
 * The scheduling follows p2p-media-loader-core 2.3.1's `src/hybrid-loader.ts`:
 * - `processQueue` (on a playlist update, an announcement, a finished load, and playback updates at most
 *   every `PML_QUEUE_INTERVAL_S`): walk the segments from hls.js's current request while they fall in a time window;
 *   one in the high-demand window goes to HTTP when an HTTP slot is free (switching a P2P load to HTTP,
 *   or aborting a later HTTP load to make room), else to a peer that has it; any other goes to P2P
 *   when a connected peer has or is loading it and a P2P slot is free.
 * - `loadRandomThroughHttp`, every 1 s + random × 1 s × connected peers: among the segments in the HTTP
 *   window that no connected peer has or loads, fetch a random few over HTTP (up to 2 × (peers + 1)
 *   candidates, with probability candidates / (peers + 1)), only while at least one peer is connected.
 * - a peer serves one segment to a given requester at a time; requesters pick among the peers holding it
 *   (p2p-media-loader weights by measured speed; here uniform, as all have the same speed).
 * - storage (`segment-memory-storage.ts`): live segments are dropped once the playhead is
 *   `highDemandTimeWindow` past their end; VOD segments behind the playhead when memory is full.
 * Meshcast's windows come from `decideWindows` (`src/browser/policy/deadline-guard.ts`), fed with the HTTP
 * times this viewer measured, its downloads at once from `httpConcurrency` and `p2pConcurrency` (one of
 * each while the buffer is too short to share the downlink), and its upload switch from `decideUpload`
 * and `UploadBudget` (`src/browser/policy/upload-rules.ts`): the functions the player runs, on the player's 250 ms tick. On live
 * streams a viewer connected to the whole audience (the collector's count; here exact, without the
 * beacons' delay) applies `coordinateWindows` (`src/browser/policy/segment-leader.ts`) as the player does.
 */
import { decideWindows, httpConcurrency, p2pConcurrency, type GuardDecision } from '../../src/browser/policy/deadline-guard';
import type { ResolvedPolicy } from '../../src/browser/policy/policy-options';
import { coordinateWindows, coordinationState } from '../../src/browser/policy/segment-leader';
import { copyTimeS, shouldSeed, spreadTimeS, staggeredSeedingApplies, uploadShareOf } from '../../src/browser/policy/segment-seeding';
import { decideUpload, UploadBudget } from '../../src/browser/policy/upload-rules';

/** p2p-media-loader's own `simultaneousHttpDownloads` and `simultaneousP2PDownloads`. */
export const SIMULTANEOUS_HTTP = 2;
export const SIMULTANEOUS_P2P = 3;
const PML_DEFAULT_WINDOWS: GuardDecision = { highDemandTimeWindow: 15, httpDownloadTimeWindow: 3000, p2pDownloadTimeWindow: 6000 };
const ALONE_AFTER_S = 3;
const POLICY_TICK_S = 0.25;
/**
 * p2p-media-loader re-runs its queue on hls.js's playback updates at most this often: 1 s in 2.3.1; with
 * Meshcast's patch (`patches/p2p-media-loader-core+2.3.1.patch`) on every update, which browsers send on
 * `timeupdate`, about every 250 ms.
 */
const PML_QUEUE_INTERVAL_S = 0.25;
const ANNOUNCE_BATCH_S = 0.25;
/** Staggered seeding looks at the newest few segments: a group's turn comes within a few seconds. */
const SEEDED_SEGMENTS = 4;

/**
 * `start`: the viewer's first segment; `deadline`: a segment in the high-demand window (none of the
 * connected peers delivered it in time, or none had it); `background`: the random HTTP fetch of a
 * segment no connected peer had, which seeds the swarm.
 */
export type HttpReason = 'start' | 'deadline' | 'background';
export const HTTP_REASONS: readonly HttpReason[] = ['start', 'deadline', 'background'];

export interface Transfer {
  viewer: SimViewer;
  /** The uploading viewer; undefined for the origin. */
  from: SimViewer | undefined;
  segment: number;
  size: number;
  left: number;
  /** Seconds until the first byte. */
  waitS: number;
  /** HTTP only: why p2p-media-loader went to the origin. */
  reason?: HttpReason;
  startedAtS: number;
  done: boolean;
  /** This step's share of the receiving viewer's downlink, bytes/s. */
  downlinkShare: number;
}

/** What a viewer needs from the simulation around it. */
export interface SwarmContext {
  nowS: number;
  random(): number;
  segmentStartS(segment: number): number;
  segmentEndS(segment: number): number;
  segmentSize(rendition: number, segment: number): number;
  /** hls.js's forward buffer target for a rendition, seconds. */
  maxBufferS(rendition: number): number;
  startTransfer(transfer: Transfer): void;
  abortTransfer(transfer: Transfer): void;
  /** The viewer's playlist ends before this segment (live: not yet published or not yet seen). */
  knownSegments(viewer: SimViewer): number;
  /** Viewers watching the stream (all renditions): the audience the collector reports. */
  audience(): number;
  /** Viewers of this viewer's rendition (its swarm), as the collector estimates them (here exact). */
  renditionAudience(viewer: SimViewer): number;
  /** Bits per second of a rendition, as its playlist declares. */
  renditionBitrate(rendition: number): number;
  /** Live: seconds since `segment` appeared in this viewer's playlist (negative: not yet). */
  visibleForS(viewer: SimViewer, segment: number): number;
  /** Live: new segments are fetched by staggered seeding (`segment-seeding.ts`), not background HTTP. */
  staggeredSeeding: boolean;
  live: boolean;
  segmentDurationS: number;
  /** Meshcast's options as the player resolves them (`resolvePolicy`). */
  policy: ResolvedPolicy;
  httpTtfbS: number;
}

function* peerIdsOf(viewers: Iterable<SimViewer>): Generator<string> {
  for (const viewer of viewers) yield viewer.peerId;
}

export class SimViewer {
  readonly stored: Uint8Array;
  readonly requests: Array<Transfer | undefined>;
  /** Connected peers holding each segment. */
  readonly peersLoaded: Uint16Array;
  /** Connected peers fetching each segment over HTTP (they announce that too). */
  readonly peersHttpLoading: Uint16Array;
  readonly neighbors = new Set<SimViewer>();
  /** Connected peers with uploading switched on: the only ones a request can go to. */
  readonly openNeighbors = new Set<SimViewer>();
  readonly downloadingFrom = new Set<SimViewer>();
  readonly httpTransfers = new Set<Transfer>();
  /** Transfers to this viewer that move bytes in the current step (scratch of the downlink sharing). */
  readonly flowing: Transfer[] = [];
  online = false;
  leftAtS: number | undefined;
  httpActive = 0;
  p2pActive = 0;
  uploads = 0;
  /** Meshcast's upload switch (p2p-media-loader's `isP2PUploadDisabled`, inverted). */
  uploadAllowed = true;
  budget: UploadBudget | undefined;
  storedBytes = 0;
  /** Lowest segment index that may still be stored (eviction scans from here). */
  private oldestStored = 0;
  /** hls.js's current request: every segment before it has been handed to hls.js. */
  requested = -1;
  firstSegment = 0;
  /** Where playback began, seconds of media (live: behind the edge at the join). */
  startPositionS = 0;
  positionS = 0;
  startedAtS: number | undefined;
  stalled = false;
  /** Something of this viewer's own changed: p2p-media-loader processes its queue at once. */
  dirty = true;
  /**
   * A peer announced: p2p-media-loader processes its queue at once too; here at most every 0.25 s,
   * which spares the simulator most of the work and the outcome little (segments take seconds).
   */
  announced = false;
  private lastQueueAtS = -Infinity;
  nextQueueAtS = 0;
  nextRandomHttpAtS = 0;
  private nextPolicyAtS = 0;
  private aloneSinceS: number | undefined;
  private readonly recentHttpS: number[] = [];
  private httpVersion = 0;
  private decidedHttpVersion = -1;
  private decidedAlone = false;
  windows: GuardDecision = PML_DEFAULT_WINDOWS;
  /** Downloads p2p-media-loader may run at once: its own, or what Meshcast's guard allows for the buffer. */
  httpAtOnce = SIMULTANEOUS_HTTP;
  p2pAtOnce = SIMULTANEOUS_P2P;
  /** The deadline guard's windows before the swarm's agreement on live segments. */
  private guardWindows: GuardDecision = PML_DEFAULT_WINDOWS;
  /** The peer ID p2p-media-loader would announce (fixed by Meshcast, so that the player knows it). */
  readonly peerId: string;
  /**
   * hls.js's buffer target as p2p-media-loader-hlsjs sets it at each playlist update (it only ever
   * lowers it): max(2 segments, highDemandTimeWindow), so that p2p-media-loader does the prefetching.
   */
  hlsBufferS = Infinity;
  // Figures
  httpBytes = 0;
  /** httpBytes split by {@link HTTP_REASONS}. */
  readonly httpBytesByReason = [0, 0, 0];
  /** Of httpBytes, those of HTTP requests abandoned before their end. */
  httpAbortedBytes = 0;
  p2pBytes = 0;
  uploadedBytes = 0;
  watchedS = 0;
  rebufferS = 0;
  stalls = 0;
  p2pStalls = 0;

  constructor(
    readonly id: number,
    readonly rendition: number,
    readonly joinAtS: number,
    readonly leaveAtS: number,
    segments: number,
    /** Live: seconds this viewer's playlist lags the publisher (its refresh phase). */
    readonly playlistLagS: number,
  ) {
    this.peerId = `-MC0000-sim${String(id).padStart(9, '0')}`;
    this.stored = new Uint8Array(segments);
    this.requests = new Array(segments);
    this.peersLoaded = new Uint16Array(segments);
    this.peersHttpLoading = new Uint16Array(segments);
  }

  /** Join: the playlist is loaded (one origin round trip) and hls.js asks for its first segment. */
  start(ctx: SwarmContext, firstSegment: number, positionS: number): void {
    this.online = true;
    this.firstSegment = firstSegment;
    this.oldestStored = firstSegment;
    this.requested = firstSegment;
    this.positionS = positionS;
    this.startPositionS = positionS;
    // Meshcast seeds the guard with the playlist's load time before any segment is measured.
    this.recentHttpS.push(ctx.httpTtfbS);
    this.aloneSinceS = ctx.nowS;
    const maxBytesPerS = ctx.policy.upload.maxBytesPerS;
    if (ctx.policy.mode === 'guarded' && maxBytesPerS !== undefined) this.budget = new UploadBudget(maxBytesPerS, ctx.nowS * 1000);
    this.updatePolicy(ctx);
    this.limitHlsBuffer(ctx);
    this.nextRandomHttpAtS = ctx.nowS + 1;
  }

  /** Bytes sent to a peer: paid from the rate budget; a spent budget switches uploading off at once. */
  uploaded(ctx: SwarmContext, bytes: number): void {
    if (!this.budget) return;
    this.budget.sent(bytes, ctx.nowS * 1000);
    if (this.uploadAllowed && this.budget.available(ctx.nowS * 1000) <= 0) this.setUploadAllowed(false);
  }

  private setUploadAllowed(allowed: boolean): void {
    if (allowed === this.uploadAllowed) return;
    this.uploadAllowed = allowed;
    for (const peer of this.neighbors) {
      if (allowed) {
        peer.openNeighbors.add(this);
        // Switched back on, p2p-media-loader re-announces every segment held.
        peer.announced = true;
      } else {
        peer.openNeighbors.delete(this);
      }
    }
  }

  /** One simulation step of this viewer, after the transfers advanced. */
  step(ctx: SwarmContext, stepS: number): void {
    if (ctx.nowS >= this.nextPolicyAtS) this.updatePolicy(ctx);
    this.feedPlayer(ctx);
    if (ctx.nowS >= this.nextQueueAtS) this.dirty = true; // hls.js's playback updates, throttled (PML_QUEUE_INTERVAL_S)
    if (this.dirty || (this.announced && ctx.nowS - this.lastQueueAtS >= ANNOUNCE_BATCH_S)) this.processQueue(ctx);
    // As the player: staggered where the viewer sees part of the audience (here none is hidden or metered;
    // a rate cap sizes the groups).
    if (ctx.staggeredSeeding && staggeredSeedingApplies(true, this.neighbors.size, ctx.renditionAudience(this))) this.seedForSwarm(ctx);
    else if (ctx.nowS >= this.nextRandomHttpAtS) {
      this.loadRandomThroughHttp(ctx);
      this.nextRandomHttpAtS = ctx.nowS + 1 + ctx.random() * this.neighbors.size;
    }
    this.play(ctx, stepS);
  }

  private limitHlsBuffer(ctx: SwarmContext): void {
    this.hlsBufferS = Math.min(this.hlsBufferS, Math.max(2 * ctx.segmentDurationS, this.windows.highDemandTimeWindow));
  }

  private updatePolicy(ctx: SwarmContext): void {
    this.nextPolicyAtS = ctx.nowS + POLICY_TICK_S;
    const policy = ctx.policy;
    if (policy.mode === 'pml-defaults') return;
    const verdict = decideUpload(
      { hidden: false, saveData: false, metered: false, budgetBytes: this.budget?.available(ctx.nowS * 1000), uploadsInFlight: this.uploads },
      policy.upload,
      this.uploadAllowed,
    );
    this.setUploadAllowed(verdict.allowed);
    if (this.neighbors.size > 0) this.aloneSinceS = undefined;
    else this.aloneSinceS ??= ctx.nowS;
    let inFlightS = 0;
    for (const t of this.httpTransfers) inFlightS = Math.max(inFlightS, ctx.nowS - t.startedAtS);
    const alone = this.aloneSinceS !== undefined && ctx.nowS - this.aloneSinceS >= ALONE_AFTER_S;
    // The decision is a pure function of these: skip it when none changed (most ticks, at scale).
    if (inFlightS !== 0 || alone !== this.decidedAlone || this.decidedHttpVersion !== this.httpVersion) {
      this.decidedAlone = alone;
      this.decidedHttpVersion = this.httpVersion;
      this.guardWindows = decideWindows(
        {
          http: { recentLoadS: this.recentHttpS, inFlightS },
          segmentDurationS: ctx.segmentDurationS,
          live: ctx.live,
          targetLatencyS: policy.live.targetLatency,
          alone,
        },
        policy.prefetch,
      );
    }
    // While the buffer is too short to share the downlink, one download of each kind (as the player does).
    const http = { recentLoadS: this.recentHttpS, inFlightS };
    const bufferAheadS = this.bufferedEndS(ctx) - this.positionS;
    this.httpAtOnce = httpConcurrency(http, bufferAheadS);
    this.p2pAtOnce = p2pConcurrency(http, bufferAheadS);
    const next = ctx.live ? this.coordinated(ctx, this.guardWindows) : this.guardWindows;
    if (next.highDemandTimeWindow !== this.windows.highDemandTimeWindow) this.dirty = true;
    this.windows = next;
    if (ctx.live) this.limitHlsBuffer(ctx); // a live playlist updates every segment
  }

  /** Meshcast's one-fetcher-per-segment agreement (`src/browser/policy/segment-leader.ts`), as the player decides it. */
  private coordinated(ctx: SwarmContext, base: GuardDecision): GuardDecision {
    const newest = Math.min(ctx.knownSegments(this), this.requests.length) - 1;
    let peerSendingEarlier = false;
    for (let s = Math.max(this.requested, 0); !peerSendingEarlier && s < newest; s++) peerSendingEarlier = Boolean(this.requests[s]?.from);
    return coordinateWindows(base, coordinationState({
      // The simulated viewers are never hidden, metered or saving data: only the cap keeps them out.
      canSeed: ctx.policy.upload.maxBytesPerS === undefined,
      selfId: this.peerId,
      connectedPeers: this.neighbors.size,
      peerIds: peerIdsOf(this.neighbors),
      // Its swarm is its rendition's (the collector's estimate; here exact).
      audience: ctx.renditionAudience(this),
      newest: newest < 0 ? undefined : {
        sequence: newest,
        aheadS: ctx.segmentStartS(newest) - this.positionS,
        haveOrLoading: this.stored[newest] === 1 || this.requests[newest] !== undefined,
        peerHasOrLoading: this.peersLoaded[newest] > 0 || this.peersHttpLoading[newest] > 0,
        listedForS: ctx.visibleForS(this, newest),
      },
      peerSendingEarlier,
      targetLatencyS: ctx.policy.live.targetLatency,
      segmentDurationS: ctx.segmentDurationS,
    }));
  }

  /** hls.js: take each segment p2p-media-loader has, ask for the next while its buffer target allows. */
  private feedPlayer(ctx: SwarmContext): void {
    const known = ctx.knownSegments(this);
    const targetS = Math.min(ctx.maxBufferS(this.rendition), this.hlsBufferS);
    while (this.requested < known && this.stored[this.requested] === 1 && this.bufferedEndS(ctx) - this.positionS < targetS) {
      this.requested += 1;
      this.dirty = true;
    }
  }

  /** Seconds of media handed to hls.js ahead of the playhead. */
  bufferedEndS(ctx: SwarmContext): number {
    return this.requested > this.firstSegment ? ctx.segmentStartS(this.requested) : this.positionS;
  }

  private play(ctx: SwarmContext, stepS: number): void {
    const end = this.bufferedEndS(ctx);
    if (this.startedAtS === undefined) {
      if (this.requested === this.firstSegment) return;
      this.startedAtS = ctx.nowS;
    }
    if (this.positionS + stepS <= end) {
      this.positionS += stepS;
      this.watchedS += stepS;
      this.stalled = false;
      return;
    }
    if (this.requested >= this.requests.length || (!ctx.live && this.requested >= ctx.knownSegments(this))) {
      this.positionS = end; // the end of the stream
      return;
    }
    this.positionS = Math.max(this.positionS, end);
    this.rebufferS += stepS;
    if (!this.stalled) {
      this.stalls += 1;
      // Stall attribution as the player records it: was the missing segment coming from a peer?
      const missing = this.requests[this.requested];
      if (missing?.from) this.p2pStalls += 1;
    }
    this.stalled = true;
  }

  private inWindow(ctx: SwarmContext, segment: number, windowS: number): boolean {
    return ctx.segmentStartS(segment) <= this.positionS + windowS && ctx.segmentEndS(segment) >= this.positionS;
  }

  private processQueue(ctx: SwarmContext): void {
    this.dirty = false;
    this.announced = false;
    this.lastQueueAtS = ctx.nowS;
    this.nextQueueAtS = ctx.nowS + PML_QUEUE_INTERVAL_S;
    const { highDemandTimeWindow: hd, p2pDownloadTimeWindow: p2pW, httpDownloadTimeWindow: httpW } = this.windows;
    const d = ctx.segmentDurationS;
    const last = Math.min(ctx.knownSegments(this), this.requests.length);
    // Segment s lies in a window of W seconds when it starts by position + W (and has not ended).
    const lastHighDemand = Math.floor((this.positionS + hd) / d);
    const lastP2P = Math.floor((this.positionS + p2pW) / d);
    const lastQueued = Math.min(last - 1, Math.floor((this.positionS + Math.max(hd, p2pW, httpW)) / d));
    const first = Math.max(this.requested, 0, Math.ceil(this.positionS / d) - 1);
    for (let s = first; s <= lastQueued; s++) {
      if (this.stored[s]) continue;
      const request = this.requests[s];
      if (s <= lastHighDemand) {
        if (request) {
          if (request.from && (this.httpActive < this.httpAtOnce || this.abortLater(ctx, s, last, false))) {
            ctx.abortTransfer(request);
            this.loadThroughHttp(ctx, s, 'deadline');
          }
          continue;
        }
        if (this.httpActive < this.httpAtOnce || this.abortLater(ctx, s, last, false)) {
          this.loadThroughHttp(ctx, s, s === this.firstSegment ? 'start' : 'deadline');
          continue;
        }
        if (this.peersLoaded[s] > 0 && (this.p2pActive < this.p2pAtOnce || this.abortLater(ctx, s, last, true))) this.loadThroughP2P(ctx, s);
      } else {
        if (this.p2pActive >= this.p2pAtOnce || s > lastP2P) break; // nothing further down can start
        if (!request && this.peersLoaded[s] > 0) this.loadThroughP2P(ctx, s);
      }
    }
  }

  /** p2p-media-loader's abortLast…LoadingInQueueAfterItem: free a slot held by a later segment. */
  private abortLater(ctx: SwarmContext, after: number, last: number, p2p: boolean): boolean {
    const horizonS = this.positionS + Math.max(this.windows.p2pDownloadTimeWindow, this.windows.httpDownloadTimeWindow);
    let end = after + 1;
    while (end < last && ctx.segmentStartS(end) <= horizonS) end++;
    for (let s = end - 1; s > after; s--) {
      const request = this.requests[s];
      if (request && !this.stored[s] && Boolean(request.from) === p2p) {
        ctx.abortTransfer(request);
        return true;
      }
    }
    return false;
  }

  /**
   * Staggered seeding (`src/browser/policy/segment-seeding.ts`) in place of p2p-media-loader's random
   * background fetching: the newest few segments beyond the high-demand window that this viewer lacks,
   * fetched when its group's turn has come.
   */
  private seedForSwarm(ctx: SwarmContext): void {
    const known = Math.min(ctx.knownSegments(this), this.requests.length);
    const lastHighDemand = Math.floor((this.positionS + this.windows.highDemandTimeWindow) / ctx.segmentDurationS);
    for (let s = known - 1; s >= Math.max(0, known - SEEDED_SEGMENTS) && s > lastHighDemand; s--) {
      if (this.stored[s] || this.requests[s] || this.httpActive >= this.httpAtOnce) continue;
      const seed = shouldSeed({
        peerId: this.peerId,
        sequence: s,
        audience: ctx.renditionAudience(this),
        visibleForS: ctx.visibleForS(this, s),
        neighbourhoodHasIt: this.peersLoaded[s] + this.peersHttpLoading[s] > 0,
        spreadS: spreadTimeS(ctx.policy.live.targetLatency, ctx.segmentDurationS, this.windows.highDemandTimeWindow),
        uploadShare: uploadShareOf(ctx.policy.upload.maxBytesPerS, ctx.renditionBitrate(this.rendition)),
        copyS: copyTimeS(ctx.segmentDurationS, ctx.renditionBitrate(this.rendition)),
      });
      if (seed) this.loadThroughHttp(ctx, s, 'background');
    }
  }

  private loadRandomThroughHttp(ctx: SwarmContext): void {
    const peers = this.neighbors.size;
    if (peers === 0 || this.httpActive >= this.httpAtOnce) return;
    const { httpDownloadTimeWindow: httpW, p2pDownloadTimeWindow: p2pW } = this.windows;
    const candidates: number[] = [];
    const last = Math.min(ctx.knownSegments(this), this.requests.length);
    for (let s = Math.max(this.requested, 0); s < last; s++) {
      if (ctx.segmentStartS(s) > this.positionS + httpW) break;
      if (!this.inWindow(ctx, s, httpW) || this.stored[s] || this.requests[s]) continue;
      if (this.inWindow(ctx, s, p2pW) && this.peersLoaded[s] + this.peersHttpLoading[s] > 0) continue;
      candidates.push(s);
    }
    if (candidates.length === 0) return;
    const peersCount = peers + 1;
    const count = Math.min(candidates.length, this.httpAtOnce * peersCount);
    const order = Array.from({ length: count }, (_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(ctx.random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    let probability = count / peersCount;
    for (const index of order) {
      if (this.httpActive >= this.httpAtOnce) break;
      if (probability >= 1 || ctx.random() <= probability) this.loadThroughHttp(ctx, candidates[index], 'background');
      probability -= 1;
      if (probability <= 0) break;
    }
  }

  private loadThroughHttp(ctx: SwarmContext, segment: number, reason: HttpReason): void {
    const size = ctx.segmentSize(this.rendition, segment);
    const transfer: Transfer = { viewer: this, from: undefined, segment, size, left: size, waitS: 0, startedAtS: ctx.nowS, done: false, downlinkShare: Infinity, reason };
    this.requests[segment] = transfer;
    this.httpActive += 1;
    this.httpTransfers.add(transfer);
    for (const peer of this.neighbors) peer.peersHttpLoading[segment] += 1;
    ctx.startTransfer(transfer);
  }

  private loadThroughP2P(ctx: SwarmContext, segment: number): void {
    let chosen: SimViewer | undefined;
    let seen = 0;
    // A peer with uploading switched off has announced nothing (and would answer "absent").
    for (const peer of this.openNeighbors) {
      if (peer.stored[segment] !== 1 || this.downloadingFrom.has(peer)) continue;
      seen += 1;
      if (ctx.random() * seen < 1) chosen = peer; // uniform pick in one pass
    }
    if (!chosen) return;
    const size = ctx.segmentSize(this.rendition, segment);
    const transfer: Transfer = { viewer: this, from: chosen, segment, size, left: size, waitS: 0, startedAtS: ctx.nowS, done: false, downlinkShare: Infinity };
    this.requests[segment] = transfer;
    this.p2pActive += 1;
    this.downloadingFrom.add(chosen);
    chosen.uploads += 1;
    // Meshcast switches uploading off at the first chunk of the upload that reaches the limit.
    if (ctx.policy.mode === 'guarded' && chosen.uploads >= ctx.policy.upload.maxConcurrent) chosen.setUploadAllowed(false);
    ctx.startTransfer(transfer);
  }

  /** A transfer to this viewer ended: complete (`received` = its size) or not. */
  transferEnded(ctx: SwarmContext, transfer: Transfer, complete: boolean, received: number): void {
    const { segment, from } = transfer;
    this.requests[segment] = undefined;
    this.dirty = true;
    if (from) {
      this.p2pActive -= 1;
      this.downloadingFrom.delete(from);
      from.uploads -= 1;
      if (complete) {
        this.p2pBytes += received;
        from.uploadedBytes += received;
      }
    } else {
      this.httpActive -= 1;
      this.httpTransfers.delete(transfer);
      this.httpBytes += received;
      this.httpBytesByReason[HTTP_REASONS.indexOf(transfer.reason!)] += received;
      if (!complete) this.httpAbortedBytes += received;
      for (const peer of this.neighbors) peer.peersHttpLoading[segment] -= 1;
      if (complete) {
        this.recentHttpS.push(ctx.nowS - transfer.startedAtS);
        if (this.recentHttpS.length > 5) this.recentHttpS.shift();
        this.httpVersion += 1;
      }
    }
    if (complete && this.online) this.store(ctx, segment, transfer.size);
  }

  private store(ctx: SwarmContext, segment: number, size: number): void {
    this.evict(ctx, size);
    this.stored[segment] = 1;
    this.storedBytes += size;
    for (const peer of this.neighbors) {
      peer.peersLoaded[segment] += 1;
      peer.announced = true;
    }
  }

  private evict(ctx: SwarmContext, incoming: number): void {
    const hd = this.windows.highDemandTimeWindow;
    for (let s = this.oldestStored; s < this.requests.length; s++) {
      const behind = ctx.segmentEndS(s) < this.positionS;
      if (!behind) break;
      const full = this.storedBytes + incoming > ctx.policy.prefetch.memoryMiB * 1024 * 1024;
      const expired = ctx.live && this.positionS > ctx.segmentEndS(s) + hd;
      if (!full && !expired) break;
      if (this.stored[s]) {
        this.stored[s] = 0;
        this.storedBytes -= ctx.segmentSize(this.rendition, s);
        for (const peer of this.neighbors) peer.peersLoaded[s] -= 1;
      }
      this.oldestStored = s + 1;
    }
  }

  connect(peer: SimViewer): void {
    this.neighbors.add(peer);
    if (peer.uploadAllowed) this.openNeighbors.add(peer);
    this.aloneSinceS = undefined;
    this.dirty = true;
    for (let s = peer.oldestStored; s < peer.stored.length; s++) {
      if (peer.stored[s]) this.peersLoaded[s] += 1;
      const request = peer.requests[s];
      if (request && !request.from) this.peersHttpLoading[s] += 1;
    }
  }

  disconnect(peer: SimViewer): void {
    this.neighbors.delete(peer);
    this.openNeighbors.delete(peer);
    for (let s = peer.oldestStored; s < peer.stored.length; s++) {
      if (peer.stored[s]) this.peersLoaded[s] -= 1;
      const request = peer.requests[s];
      if (request && !request.from) this.peersHttpLoading[s] -= 1;
    }
  }

  /** The segments this viewer played (the playhead passed through), first and last; undefined if it never started. */
  watchedSegments(segmentDurationS: number): [number, number] | undefined {
    if (this.startedAtS === undefined || this.watchedS <= 0) return undefined;
    const first = Math.floor(this.startPositionS / segmentDurationS);
    return [first, Math.max(first, Math.ceil(this.positionS / segmentDurationS) - 1)];
  }

  /** Live: seconds behind the live edge. */
  latencyS(edgeS: number): number {
    return edgeS - this.positionS;
  }
}
