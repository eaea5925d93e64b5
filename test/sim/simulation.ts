/**
 * The swarm simulator: viewers joining, leaving and being replaced, a WebTorrent tracker introducing
 * them, an origin and peers serving segments, advanced in fixed steps (`stepS`). Transfers are fluid:
 * each receives its rate every step (an uploader's uplink shared by its uploads, a receiver's downlink
 * shared max-min fairly by its downloads), after a first-byte wait.
 */
import { resolvePolicy, type ResolvedPolicy } from '../../src/browser/policy/policy-options';
import { percentile } from '../../src/browser/utils/percentile';
import { renditionLadder, resolveSimOptions, type NetworkModel, type SimOptions } from './sim-options';
import { HTTP_REASONS, SimViewer, type HttpReason, type SwarmContext, type Transfer } from './sim-viewer';
import { EventQueue, maxMinShares, seededRandom } from './sim-utils';

export interface SimReport {
  scenario: string;
  viewers: number;
  /** Viewer sessions in all, churn replacements included. */
  sessions: number;
  renditions: number;
  uploadCapBps: number | null;
  churnPerMin: number;
  durationS: number;
  segmentS: number;
  bitrate: number;
  policy: string;
  /** Who fetched new live segments from the origin (`SimOptions.seeding`). */
  seeding: string;
  targetLatencyS: number | null;
  seed: number;
  /** The network model the run assumed (`SimOptions.network`). */
  network: NetworkModel;
  /** Bytes viewers received from peers / all bytes they received. */
  offload: number;
  /** Bytes the origin sent (aborted requests' partial bytes included). */
  originBytes: number;
  /** Of originBytes, those of requests abandoned before their end (moved on, or the viewer left). */
  abortedHttpBytes: number;
  /** originBytes by why the viewer went to the origin (see `HttpReason`). */
  originBytesByReason: Record<HttpReason, number>;
  originEgressGB: number;
  p2pBytes: number;
  downloadedBytes: number;
  /** Bytes of the distinct segments the origin sent at least once. */
  distinctBytes: number;
  /** originBytes / distinctBytes: 1 means the origin sent each segment once. */
  duplication: number;
  /**
   * Origin bytes beyond each viewer's first segment, divided by the bytes of one copy of what was
   * watched (every segment some viewer of a rendition played, once per rendition): how many times the
   * origin sent each segment the swarm needed. 0 when every byte after the viewers' first segments
   * came from peers; 1 when the origin sent one copy.
   */
  copiesPerSegment: number;
  /** {@link copiesPerSegment} for each rendition, lowest bitrate first. */
  copiesPerSegmentByRendition: number[];
  /** P2P bytes started and abandoned (a peer left, or the segment moved to HTTP). */
  wastedP2PBytes: number;
  /** The highest average upload rate of any viewer over its stay, bytes/s. */
  uploadBytesPerSMax: number;
  rebufferRatio: number;
  stalls: number;
  p2pStalls: number;
  startupMsMedian: number | null;
  liveLatencyMedianS: number | null;
  /** Connected peers per viewer, averaged over the run. */
  meanPeers: number;
  simulatedS: number;
  wallS: number;
}

type SimEvent =
  | { kind: 'join'; viewer: SimViewer }
  | { kind: 'leave'; viewer: SimViewer }
  | { kind: 'announce'; viewer: SimViewer }
  | { kind: 'connect'; a: SimViewer; b: SimViewer };

export function simulate(input: Partial<SimOptions> & { viewers: number }): SimReport {
  return new Simulation(resolveSimOptions(input)).run();
}

class Simulation implements SwarmContext {
  nowS = 0;
  readonly random: () => number;
  readonly live: boolean;
  readonly segmentDurationS: number;
  readonly policy: ResolvedPolicy;
  readonly httpTtfbS: number;
  readonly staggeredSeeding: boolean;
  private readonly ladder: Array<{ share: number; bitrate: number }>;
  private readonly sizes: Float64Array[];
  private readonly segments: number;
  private readonly horizonS: number;
  private readonly headStartS: number;
  private readonly sessions: SimViewer[] = [];
  private readonly online: SimViewer[] = [];
  private readonly swarms: SimViewer[][];
  private readonly transfers: Transfer[] = [];
  private readonly events = new EventQueue<SimEvent>();
  private readonly originSent: Uint8Array[];
  private wastedP2PBytes = 0;
  /** HTTP transfers moving bytes in the current step: they share a capped origin. */
  private httpFlowing = 0;

  constructor(private readonly o: SimOptions) {
    this.random = seededRandom(o.seed);
    this.live = o.scenario === 'live';
    this.segmentDurationS = o.segmentS;
    // The player's own option resolution: the simulated viewers run Meshcast's defaults plus these.
    this.policy = resolvePolicy(
      { policy: o.policy, live: { targetLatency: o.targetLatencyS }, upload: { maxBytesPerS: o.uploadCapBps } },
    );
    this.httpTtfbS = o.network.httpTtfbS;
    this.staggeredSeeding = this.live && o.seeding === 'staggered';
    this.ladder = renditionLadder(o.renditions, o.bitrate);
    const plan = o.plan ?? Array.from({ length: o.viewers }, (_, i) => {
      const joinAtS = o.viewers === 1 ? 0 : (i * o.joinSpreadS) / (o.viewers - 1);
      return { joinAtS, leaveAtS: joinAtS + o.durationS };
    });
    this.horizonS = Math.max(...plan.map((p) => p.leaveAtS));
    this.headStartS = o.liveHeadStartS ?? o.liveWindowS + o.targetLatencyS;
    const vodSegments = o.segmentBytes && !this.live ? o.segmentBytes.length : Math.ceil(o.durationS / o.segmentS);
    this.segments = this.live ? Math.ceil((this.headStartS + this.horizonS) / o.segmentS) + 2 : vodSegments;
    this.sizes = this.ladder.map(({ bitrate }) =>
      Float64Array.from({ length: this.segments }, (_, s) => {
        if (o.segmentBytes) return Math.round((o.segmentBytes[s % o.segmentBytes.length] * bitrate) / o.bitrate);
        // Encoders vary segment sizes around the mean; a fixed pattern keeps runs comparable.
        const jitter = 1 + 0.2 * (fract(Math.sin(s * 12.9898) * 43758.5453) - 0.5);
        return Math.round(((bitrate * o.segmentS) / 8) * jitter);
      }),
    );
    this.swarms = this.ladder.map(() => []);
    this.originSent = this.ladder.map(() => new Uint8Array(this.segments));
    for (const { joinAtS, leaveAtS } of plan) this.addSession(joinAtS, leaveAtS);
  }

  private addSession(joinAtS: number, leaveAtS: number): void {
    let pick = this.random();
    let rendition = 0;
    while (rendition < this.ladder.length - 1 && pick >= this.ladder[rendition].share) pick -= this.ladder[rendition++].share;
    const viewer = new SimViewer(this.sessions.length, rendition, joinAtS, leaveAtS, this.segments, this.random() * this.o.segmentS);
    this.sessions.push(viewer);
    this.events.push(joinAtS, { kind: 'join', viewer });
    // Churn: each viewer leaves at a random (exponential) time, and a new viewer takes its place.
    const rate = this.o.churnPerMin / 60;
    const leavesAtS = rate > 0 ? joinAtS - Math.log(1 - this.random()) / rate : Infinity;
    if (leavesAtS < leaveAtS) {
      this.events.push(leavesAtS, { kind: 'leave', viewer });
      if (leavesAtS < this.horizonS - 1) this.addSession(leavesAtS, Math.min(this.horizonS, leavesAtS + this.o.durationS));
    } else {
      this.events.push(leaveAtS, { kind: 'leave', viewer });
    }
  }

  segmentStartS(segment: number): number {
    return segment * this.segmentDurationS;
  }

  segmentEndS(segment: number): number {
    return (segment + 1) * this.segmentDurationS;
  }

  segmentSize(rendition: number, segment: number): number {
    return this.sizes[rendition][segment];
  }

  maxBufferS(rendition: number): number {
    // hls.js: max(maxBufferLength 30 s, maxBufferSize 60 MB at the level's bitrate), at most 600 s.
    return Math.min(600, Math.max(30, (8 * 60e6) / this.ladder[rendition].bitrate));
  }

  /**
   * Seconds behind the edge hls.js starts at. Meshcast's guarded policy sets hls.js's live sync to
   * `live.targetLatency`; otherwise p2p-media-loader-hlsjs sets liveSyncDurationCount to the playlist's
   * segments less one, at most 120 s' worth.
   */
  private startLatencyS(): number {
    if (this.policy.mode === 'guarded') return this.policy.live.targetLatency;
    const d = this.segmentDurationS;
    return Math.min(Math.floor(this.o.liveWindowS / d) - 1, Math.floor(120 / d)) * d;
  }

  private publishedAt(atS: number): number {
    return Math.min(this.segments, Math.max(0, Math.floor((atS + this.headStartS) / this.segmentDurationS)));
  }

  /** Viewers watching now, as the collector's beacon replies tell each player (here without their lag). */
  audience(): number {
    return this.online.length;
  }

  /** Viewers of this viewer's rendition (its swarm): what the collector estimates (`renditionAudience`), here exact. */
  renditionAudience(viewer: SimViewer): number {
    return this.swarms[viewer.rendition].length;
  }

  renditionBitrate(rendition: number): number {
    return this.ladder[rendition].bitrate;
  }

  visibleForS(viewer: SimViewer, segment: number): number {
    return this.nowS - ((segment + 1) * this.segmentDurationS - this.headStartS + viewer.playlistLagS);
  }

  knownSegments(viewer: SimViewer): number {
    return this.live ? this.publishedAt(this.nowS - viewer.playlistLagS) : this.segments;
  }

  startTransfer(transfer: Transfer): void {
    transfer.waitS = transfer.from ? this.o.network.p2pRttS : this.o.network.httpTtfbS;
    if (!transfer.from) this.originSent[transfer.viewer.rendition][transfer.segment] = 1;
    this.transfers.push(transfer);
  }

  abortTransfer(transfer: Transfer): void {
    if (transfer.done) return;
    transfer.done = true;
    const received = transfer.size - Math.max(0, transfer.left);
    if (transfer.from) this.wastedP2PBytes += received;
    transfer.viewer.transferEnded(this, transfer, false, received);
  }

  /**
   * A transfer's rate at its far end: the origin's per-request rate (and its share of a capped origin),
   * or the uploader's share of its uplink.
   */
  private sourceRate(transfer: Transfer): number {
    const { p2pBytesPerS, httpBytesPerS, uplinkBytesPerS, originBytesPerS } = this.o.network;
    if (transfer.from) return Math.min(p2pBytesPerS, uplinkBytesPerS / transfer.from.uploads);
    return originBytesPerS === undefined ? httpBytesPerS : Math.min(httpBytesPerS, originBytesPerS / Math.max(1, this.httpFlowing));
  }

  /** Each receiving viewer's downlink shared among its transfers that move bytes this step. */
  private shareDownlinks(stepS: number): void {
    const receivers: SimViewer[] = [];
    this.httpFlowing = 0;
    for (const transfer of this.transfers) {
      if (transfer.done || transfer.waitS >= stepS) continue;
      if (!transfer.from) this.httpFlowing += 1;
      const { flowing } = transfer.viewer;
      if (flowing.length === 0) receivers.push(transfer.viewer);
      flowing.push(transfer);
    }
    for (const viewer of receivers) {
      const shares = maxMinShares(viewer.flowing.map((t) => this.sourceRate(t)), this.o.network.downlinkBytesPerS);
      viewer.flowing.forEach((transfer, i) => (transfer.downlinkShare = shares[i]));
      viewer.flowing.length = 0;
    }
  }

  private advanceTransfers(stepS: number): void {
    this.shareDownlinks(stepS);
    let kept = 0;
    for (const transfer of this.transfers) {
      if (transfer.done) continue;
      let activeS = stepS;
      if (transfer.waitS > 0) {
        transfer.waitS -= stepS;
        if (transfer.waitS > 0) {
          this.transfers[kept++] = transfer;
          continue;
        }
        activeS = -transfer.waitS;
      }
      const from = transfer.from;
      // A transfer started during this step had no share computed: it gets an equal one.
      const share = Number.isFinite(transfer.downlinkShare)
        ? transfer.downlinkShare
        : this.o.network.downlinkBytesPerS / (transfer.viewer.httpActive + transfer.viewer.p2pActive);
      const rate = Math.min(this.sourceRate(transfer), share);
      const bytes = Math.min(transfer.left, rate * activeS);
      transfer.left -= bytes;
      from?.uploaded(this, bytes);
      if (transfer.left > 0) {
        this.transfers[kept++] = transfer;
        continue;
      }
      transfer.done = true;
      transfer.viewer.transferEnded(this, transfer, true, transfer.size);
    }
    this.transfers.length = kept;
  }

  private handle(event: SimEvent): void {
    switch (event.kind) {
      case 'join': {
        const { viewer } = event;
        if (this.live) {
          const known = this.knownSegments(viewer);
          const startS = Math.max(0, known * this.segmentDurationS - this.startLatencyS());
          viewer.start(this, Math.min(known - 1, Math.floor(startS / this.segmentDurationS)), startS);
        } else {
          viewer.start(this, 0, 0);
        }
        this.online.push(viewer);
        this.swarms[viewer.rendition].push(viewer);
        this.events.push(this.nowS + this.httpTtfbS, { kind: 'announce', viewer });
        break;
      }
      case 'announce': {
        const { viewer } = event;
        if (!viewer.online) break;
        const swarm = this.swarms[viewer.rendition];
        const { offersPerAnnounce, connectS, announceIntervalS } = this.o.network;
        // The tracker hands the offers to random peers of the swarm (all of them when it is small).
        const chosen = new Set<SimViewer>();
        const others = swarm.length - 1;
        for (let tries = 0; chosen.size < Math.min(offersPerAnnounce, others) && tries < offersPerAnnounce * 4; tries++) {
          const peer = swarm[Math.floor(this.random() * swarm.length)];
          if (peer !== viewer) chosen.add(peer);
        }
        for (const peer of chosen) {
          if (viewer.neighbors.has(peer)) continue;
          const delayS = connectS[0] + this.random() * (connectS[1] - connectS[0]);
          this.events.push(this.nowS + delayS, { kind: 'connect', a: viewer, b: peer });
        }
        this.events.push(this.nowS + announceIntervalS, { kind: 'announce', viewer });
        break;
      }
      case 'connect': {
        const { a, b } = event;
        if (!a.online || !b.online || a.neighbors.has(b)) break;
        a.connect(b);
        b.connect(a);
        break;
      }
      case 'leave':
        this.leave(event.viewer);
        break;
    }
  }

  private leave(viewer: SimViewer): void {
    if (!viewer.online) return;
    for (const transfer of this.transfers) {
      if (transfer.done || (transfer.viewer !== viewer && transfer.from !== viewer)) continue;
      this.abortTransfer(transfer);
    }
    viewer.online = false;
    viewer.leftAtS = this.nowS;
    for (const peer of viewer.neighbors) {
      peer.disconnect(viewer);
      peer.dirty = true;
    }
    viewer.neighbors.clear();
    viewer.openNeighbors.clear();
    removeFrom(this.online, viewer);
    removeFrom(this.swarms[viewer.rendition], viewer);
  }

  run(): SimReport {
    const started = performance.now();
    const stepS = this.o.stepS;
    const steps = Math.ceil(this.horizonS / stepS);
    let latencySamples: number[] = [];
    let peerSamples = 0;
    let peerTotal = 0;
    for (let i = 0; i <= steps; i++) {
      this.nowS = i * stepS;
      for (let event = this.events.popUntil(this.nowS); event; event = this.events.popUntil(this.nowS)) this.handle(event);
      this.advanceTransfers(stepS);
      for (const viewer of this.online) viewer.step(this, stepS);
      if (i % Math.round(5 / stepS) === 0) {
        for (const viewer of this.online) peerTotal += viewer.neighbors.size;
        peerSamples += this.online.length;
      }
      if (this.live && i % Math.round(5 / stepS) === 0) {
        const edgeS = this.publishedAt(this.nowS) * this.segmentDurationS;
        for (const viewer of this.online) if (viewer.startedAtS !== undefined) latencySamples.push(viewer.latencyS(edgeS));
        if (latencySamples.length > 200_000) latencySamples = latencySamples.filter((_, j) => j % 2 === 0);
      }
    }
    const meanPeers = peerSamples === 0 ? 0 : peerTotal / peerSamples;
    return this.report(latencySamples, meanPeers, (performance.now() - started) / 1000);
  }

  /** Origin bytes beyond each viewer's first segment ÷ bytes of one copy of what was watched, per rendition and over all. */
  private copiesPerSegment(): { overall: number; byRendition: number[] } {
    const watched = this.ladder.map(() => new Uint8Array(this.segments));
    const excess = this.ladder.map(() => 0);
    const startIndex = HTTP_REASONS.indexOf('start');
    for (const viewer of this.sessions) {
      excess[viewer.rendition] += viewer.httpBytes - viewer.httpBytesByReason[startIndex];
      const range = viewer.watchedSegments(this.segmentDurationS);
      if (range) watched[viewer.rendition].fill(1, range[0], Math.min(this.segments, range[1] + 1));
    }
    const oneCopy = watched.map((flags, r) => flags.reduce((bytes, flag, s) => bytes + (flag ? this.sizes[r][s] : 0), 0));
    return {
      overall: round(sum(excess) / Math.max(1, sum(oneCopy)), 2),
      byRendition: excess.map((bytes, r) => round(bytes / Math.max(1, oneCopy[r]), 2)),
    };
  }

  private report(latencySamples: number[], meanPeers: number, wallS: number): SimReport {
    const o = this.o;
    const originBytes = sum(this.sessions.map((v) => v.httpBytes));
    const p2pBytes = sum(this.sessions.map((v) => v.p2pBytes));
    let distinctBytes = 0;
    this.originSent.forEach((sent, r) => sent.forEach((flag, s) => (distinctBytes += flag ? this.sizes[r][s] : 0)));
    const copies = this.copiesPerSegment();
    const watchedS = sum(this.sessions.map((v) => v.watchedS));
    const rebufferS = sum(this.sessions.map((v) => v.rebufferS));
    const startups = this.sessions.map((v) => (v.startedAtS === undefined ? Infinity : (v.startedAtS - v.joinAtS + o.network.httpTtfbS) * 1000));
    return {
      scenario: o.scenario,
      viewers: o.viewers,
      sessions: this.sessions.length,
      renditions: o.renditions,
      uploadCapBps: o.uploadCapBps ?? null,
      churnPerMin: o.churnPerMin,
      durationS: o.durationS,
      segmentS: o.segmentS,
      bitrate: o.bitrate,
      policy: o.policy,
      seeding: o.seeding,
      targetLatencyS: this.live ? o.targetLatencyS : null,
      seed: o.seed,
      network: o.network,
      offload: round(p2pBytes / Math.max(1, p2pBytes + originBytes)),
      originBytes: Math.round(originBytes),
      abortedHttpBytes: Math.round(sum(this.sessions.map((v) => v.httpAbortedBytes))),
      originBytesByReason: Object.fromEntries(HTTP_REASONS.map((reason, i) => [reason, Math.round(sum(this.sessions.map((v) => v.httpBytesByReason[i])))])) as Record<HttpReason, number>,
      originEgressGB: round(originBytes / 1e9, 3),
      p2pBytes: Math.round(p2pBytes),
      downloadedBytes: Math.round(originBytes + p2pBytes),
      distinctBytes,
      duplication: round(originBytes / Math.max(1, distinctBytes)),
      copiesPerSegment: copies.overall,
      copiesPerSegmentByRendition: copies.byRendition,
      wastedP2PBytes: Math.round(this.wastedP2PBytes),
      uploadBytesPerSMax: Math.round(Math.max(...this.sessions.map((v) => v.uploadedBytes / Math.max(1, (v.leftAtS ?? this.horizonS) - v.joinAtS)))),
      rebufferRatio: round(rebufferS / Math.max(1e-9, watchedS + rebufferS)),
      stalls: sum(this.sessions.map((v) => v.stalls)),
      p2pStalls: sum(this.sessions.map((v) => v.p2pStalls)),
      startupMsMedian: startups.length ? Math.round(percentile(startups, 50)) : null,
      liveLatencyMedianS: latencySamples.length ? round(percentile(latencySamples, 50), 1) : null,
      meanPeers: round(meanPeers, 1),
      simulatedS: round(this.horizonS, 1),
      wallS: round(wallS, 1),
    };
  }
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const round = (value: number, digits = 4) => Number(value.toFixed(digits));
const fract = (x: number) => x - Math.floor(x);

function removeFrom<T>(list: T[], item: T): void {
  const index = list.indexOf(item);
  if (index < 0) return;
  list[index] = list[list.length - 1];
  list.pop();
}
