/**
 * Staggered seeding of new live segments, for swarms too large for any viewer to see whole.
 *
 * p2p-media-loader fetches a segment over HTTP in the background when none of a viewer's connected
 * peers has or is fetching it, at random moments: in a large live swarm every neighbourhood seeds each
 * new segment itself, and the origin sends it about once per 50 viewers (docs/simulator.md). Here the
 * viewers agree, without a message, on who fetches each new segment: viewers are ranked per segment
 * (`segmentRank`), and the audience of the viewer's rendition (its swarm: p2p-media-loader keys swarms
 * by stream) divides them into groups of about `seeds` viewers (more where a segment has little time to
 * spread, or where capped uploads leave part of the audience to the origin: `groupSize`). Group 0
 * fetches the segment as soon as it appears; group g only if, `g × stepS` seconds after it appeared, no
 * connected peer has or is fetching it (its seeders left, or cannot upload). Peers spread it from there.
 *
 * The player applies it (`live.seeding`, default `staggered`) where a viewer is connected to part of its
 * rendition's audience but not all of it (otherwise the one-fetcher agreement of `segment-leader.ts`
 * elects exactly one), through
 * Meshcast's patch of p2p-media-loader (`Core.setHttpSeeder`: its configuration has no per-segment HTTP
 * lever). The simulator runs the same code (`npm run sim -- --seeding staggered`).
 */
import { segmentRank, seesWholeSwarm } from './segment-leader';

export interface SeedingTuning {
  /** Fewest viewers expected in each group, the first of which fetches every new segment at once. @default 2 */
  seeds: number;
  /** Seconds between one group's turn and the next's. @default 2 */
  stepS: number;
  /**
   * Viewers a new segment reaches from one seed in the time of two copies from peer to peer
   * ({@link copyTimeS}), doubling with every two further: with less time to spread (low latency, or
   * large segments) group 0 grows, so that peers still carry the segment to everyone before their
   * deadline. Fitted in the simulator (docs/simulator.md "Staggered seeding"). @default 16
   */
  reachIn2Copies: number;
  /** Bits per second one transfer from a peer is taken to carry (a home uplink's). @default 10_000_000 */
  transferBitsPerS: number;
}

export const DEFAULT_SEEDING: SeedingTuning = { seeds: 2, stepS: 2, reachIn2Copies: 16, transferBitsPerS: 10_000_000 };

/**
 * Seconds one copy of a segment takes from peer to peer: its bytes (the rendition's bitrate over the
 * segment's duration; 2.5 Mbit/s without it) at `tuning.transferBitsPerS`.
 */
export function copyTimeS(segmentDurationS: number, bitsPerS: number | undefined, tuning: SeedingTuning = DEFAULT_SEEDING): number {
  return (segmentDurationS * (bitsPerS && bitsPerS > 0 ? bitsPerS : 2_500_000)) / tuning.transferBitsPerS;
}

/**
 * Seconds a new live segment has to spread from its seeders before the viewers' high-demand window
 * reaches it: it appears about a segment and a half short of the target latency (its own length, and
 * half a playlist refresh on average).
 */
export function spreadTimeS(targetLatencyS: number, segmentDurationS: number, highDemandWindowS: number): number {
  return Math.max(0, targetLatencyS - 1.5 * segmentDurationS - highDemandWindowS);
}

/**
 * Viewers expected in each group of a swarm of `audience` when a new segment has `spreadS` seconds to
 * spread, one copy from peer to peer takes `copyS` seconds ({@link copyTimeS}), and each viewer may
 * upload `uploadShare` of the rendition's bitrate (`upload.maxBytesPerS`; 1: as fast as the segment
 * plays, or more). Below 1 the swarm can carry a segment to only that share of its audience, so the
 * rest must come from the origin anyway: they fetch it at once and pass it on with their own budget,
 * rather than at their deadline.
 */
export function groupSize(audience: number, spreadS: number, tuning: SeedingTuning = DEFAULT_SEEDING, uploadShare = 1, copyS = 0.5): number {
  // Capped, so that a long latency (or a tiny segment) cannot overflow to Infinity or NaN.
  const reach = tuning.reachIn2Copies * 2 ** Math.min(64, spreadS / (2 * Math.max(copyS, 1e-3)) - 1);
  const originShare = Math.max(0, 1 - uploadShare);
  return Math.max(tuning.seeds, Math.min(audience, Math.max(audience * originShare, audience / reach)));
}

/** This viewer's group for segment `sequence` in a swarm of `audience` viewers in groups of `size` (0: fetches it at once). */
export function seedingGroup(peerId: string, sequence: number, audience: number, size: number = DEFAULT_SEEDING.seeds): number {
  const share = segmentRank(peerId, sequence) / 2 ** 32;
  return Math.floor((share * Math.max(1, audience)) / size);
}

/**
 * Whether a viewer seeds new live segments this way now: it may upload (a rate cap sizes the groups
 * instead), the audience is known, it has a peer to seed for (alone, a segment fetched early might
 * still come from a peer that connects before its deadline), and it is not connected to all of the
 * audience (then one fetcher is elected instead).
 */
export function staggeredSeedingApplies(canSeed: boolean, connectedPeers: number, audience: number | undefined): boolean {
  return canSeed && audience !== undefined && connectedPeers > 0 && !seesWholeSwarm(connectedPeers, audience);
}

/** When this viewer's playlist first listed each live segment, by p2p-media-loader's segment ID. */
export class ListedSegments {
  private readonly firstListed = new Map<string, { sequence: number; atMs: number }>();

  /** Notes the segments of the playlist now; a live playlist's few dozen, so the oldest are forgotten. */
  note(segments: Iterable<{ id: string; sequence: number }>, nowMs: number): void {
    for (const { id, sequence } of segments) {
      if (!this.firstListed.has(id)) this.firstListed.set(id, { sequence, atMs: nowMs });
    }
    for (const id of this.firstListed.keys()) {
      if (this.firstListed.size <= 128) break;
      this.firstListed.delete(id);
    }
  }

  /** The segment's sequence number and seconds since it was first listed; undefined if never seen. */
  listed(id: string, nowMs: number): { sequence: number; forS: number } | undefined {
    const entry = this.firstListed.get(id);
    return entry && { sequence: entry.sequence, forS: (nowMs - entry.atMs) / 1000 };
  }
}

/** What a viewer knows about a live segment it neither has nor is loading. */
export interface SeedingFacts {
  peerId: string;
  sequence: number;
  /** Viewers of this viewer's rendition (its swarm), as the collector estimates them (`renditionAudience`). */
  audience: number;
  /** Seconds since the segment appeared in this viewer's playlist. */
  visibleForS: number;
  /** A connected peer has the segment or is fetching it. */
  neighbourhoodHasIt: boolean;
  /** Seconds a new segment has to spread before the high-demand window reaches it ({@link spreadTimeS}). */
  spreadS: number;
  /** The share of the rendition's bitrate this viewer may upload ({@link groupSize}); 1 without a cap. */
  uploadShare: number;
  /** Seconds one copy of the segment takes from peer to peer ({@link copyTimeS}). */
  copyS: number;
}

/** The share of a rendition of `bitsPerS` that an upload cap of `maxBytesPerS` (none: undefined) carries. */
export function uploadShareOf(maxBytesPerS: number | undefined, bitsPerS: number | undefined): number {
  if (maxBytesPerS === undefined || !bitsPerS || bitsPerS <= 0) return 1;
  return Math.min(1, (8 * maxBytesPerS) / bitsPerS);
}

/** Whether this viewer fetches the segment over HTTP now, for the swarm. */
export function shouldSeed(facts: SeedingFacts, tuning: SeedingTuning = DEFAULT_SEEDING): boolean {
  const size = groupSize(Math.max(1, facts.audience), facts.spreadS, tuning, facts.uploadShare, facts.copyS);
  const group = seedingGroup(facts.peerId, facts.sequence, facts.audience, size);
  if (group === 0) return true;
  return !facts.neighbourhoodHasIt && facts.visibleForS >= group * tuning.stepS;
}
