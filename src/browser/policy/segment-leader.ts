/**
 * One fetcher per new live segment, for swarms small enough that every viewer is connected to every
 * other.
 *
 * Live viewers sit at the same latency, so they all reach a new segment's high-demand window at the
 * same moment; unless one of them happened to fetch it in the background first (p2p-media-loader's
 * random HTTP fetch), every viewer fetches it from the origin then. Here the viewers agree, without a
 * message, on one of them to fetch each new segment as soon as it is published: the one whose
 * (peer ID, segment) rank is lowest. The others hold their background fetch back for a few seconds
 * and take the segment from that viewer; the next in rank take turns fetching it only if no peer has
 * announced it by then (the leader learns of a segment at its own playlist refresh, possibly last).
 *
 * The agreement only holds when each viewer sees the whole swarm: in a large swarm every
 * neighbourhood would elect its own fetcher (simulated with 1 000 viewers: twice the origin bytes).
 * So it applies only when the swarm's size is known (the collector returns its audience in beacon
 * replies) and this viewer is connected to all of it.
 */
import type { GuardDecision } from './deadline-guard';

const PEER_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
let pagePeerId: string | undefined;

/**
 * The peer ID this page announces to trackers, so that the player knows its own ID (p2p-media-loader
 * draws one at random and keeps it to itself): 20 characters, handed to p2p-media-loader as its
 * `trackerClientVersionPrefix`. One per page, as p2p-media-loader keeps the first ID per stream for
 * the page's life.
 */
export function pagePeerIdentity(): string {
  if (pagePeerId) return pagePeerId;
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  pagePeerId = `-MC0001-${Array.from(bytes, (b) => PEER_ID_ALPHABET[b % PEER_ID_ALPHABET.length]).join('')}`;
  return pagePeerId;
}

/**
 * A viewer's rank for a segment: FNV-1a (32 bit) of the peer ID and the segment's sequence number,
 * finished with MurmurHash3's mixer so that consecutive segments rank peers independently.
 */
export function segmentRank(peerId: string, sequence: number): number {
  let hash = 0x811c9dc5;
  const text = `${sequence}/${peerId}`;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** Whether this viewer is connected to everyone watching: `audience` viewers, itself included. */
export function seesWholeSwarm(connectedPeers: number, audience: number | undefined): boolean {
  return audience !== undefined && audience >= 2 && connectedPeers + 1 >= audience;
}

/** How many of its peers rank before this viewer for segment `sequence` (0: it leads the segment). */
export function turnForSegment(selfId: string, peerIds: Iterable<string>, sequence: number): number {
  const own = segmentRank(selfId, sequence);
  let before = 0;
  for (const id of peerIds) {
    const rank = segmentRank(id, sequence);
    if (rank < own || (rank === own && id < selfId)) before += 1;
  }
  return before;
}

/**
 * Seconds after its playlist first listed a new segment that a viewer waits for the viewers ranked
 * before it, per viewer: each refreshes its playlist at its own phase, so the leader may learn of a
 * segment up to one segment duration after another viewer does. Longer than an announcement takes to
 * cross the swarm, so the next in turn sees the earlier one's fetch before its own turn comes.
 */
export const TURN_STEP_S = 0.25;

/** What a player knows when it decides whether it takes part, and whether it fetches the newest segment. */
export interface CoordinationFacts {
  /** It may upload to its peers without a rate cap: a segment fetched by one that cannot would reach nobody. */
  canSeed: boolean;
  selfId: string;
  /** Peers connected now, and their IDs (read only when the count makes this viewer take part). */
  connectedPeers: number;
  peerIds: Iterable<string>;
  /**
   * Viewers of this viewer's swarm as the collector counted them: its rendition's (each rendition is its
   * own swarm), or the stream's where the collector did not say; undefined without a collector.
   */
  audience: number | undefined;
  /**
   * The newest segment in the playlist: its sequence number, seconds from the playhead to its start,
   * whether this viewer has or is loading it, whether a connected peer has or is loading it, and seconds
   * since this viewer's playlist first listed it.
   */
  newest: { sequence: number; aheadS: number; haveOrLoading: boolean; peerHasOrLoading: boolean; listedForS: number } | undefined;
  /** A peer is sending this viewer an earlier segment: p2p-media-loader would switch it to HTTP once the window covers it. */
  peerSendingEarlier: boolean;
  targetLatencyS: number;
  segmentDurationS: number;
}

/** The agreement's state for this viewer, from what it knows. */
export function coordinationState(facts: CoordinationFacts): CoordinationState {
  const { newest } = facts;
  const wholeSwarm = facts.canSeed && seesWholeSwarm(facts.connectedPeers, facts.audience);
  const leadsNewest = wholeSwarm && newest !== undefined && !newest.haveOrLoading && !newest.peerHasOrLoading && !facts.peerSendingEarlier
    && newest.listedForS >= TURN_STEP_S * turnForSegment(facts.selfId, facts.peerIds, newest.sequence);
  return { wholeSwarm, leadsNewest, newestAheadS: newest?.aheadS ?? 0, targetLatencyS: facts.targetLatencyS, segmentDurationS: facts.segmentDurationS };
}

export interface CoordinationState {
  /** Connected to everyone watching ({@link seesWholeSwarm}). */
  wholeSwarm: boolean;
  /** This viewer leads the newest segment, and has or is loading every segment before it. */
  leadsNewest: boolean;
  /** Seconds from the playhead to the start of the newest segment in the playlist. */
  newestAheadS: number;
  targetLatencyS: number;
  segmentDurationS: number;
}

/**
 * How far p2p-media-loader's playhead may lag the media's: it measures its windows from the position
 * hls.js last reported on `timeupdate` (about every 250 ms), so a window meant to reach a segment
 * reaches this much further.
 */
const PLAYHEAD_REPORT_LAG_S = 0.3;

/** Seconds the elected viewer gets before the others may fetch a segment in the background. */
export const LEADER_GRACE_S = 3;

/**
 * The guard's windows, adjusted for the swarm's agreement on live streams: the leader's high-demand
 * window reaches the newest segment (p2p-media-loader fetches a high-demand segment over HTTP at once);
 * everyone's background HTTP window stops `LEADER_GRACE_S` short of where new segments appear, so
 * the others fetch a new segment in the background only if the leader has not (left, or cannot
 * upload).
 */
export function coordinateWindows(base: GuardDecision, state: CoordinationState): GuardDecision {
  if (!state.wholeSwarm) return base;
  const appearsAtS = state.targetLatencyS - state.segmentDurationS;
  const httpS = Math.max(base.highDemandTimeWindow, Math.min(base.httpDownloadTimeWindow, appearsAtS - LEADER_GRACE_S));
  let highDemandTimeWindow = base.highDemandTimeWindow;
  if (state.leadsNewest) {
    const reach = Math.min(state.targetLatencyS, state.newestAheadS + PLAYHEAD_REPORT_LAG_S);
    highDemandTimeWindow = Math.max(highDemandTimeWindow, round(reach));
  }
  return {
    highDemandTimeWindow,
    httpDownloadTimeWindow: round(Math.max(highDemandTimeWindow, httpS)),
    p2pDownloadTimeWindow: round(Math.max(highDemandTimeWindow, base.p2pDownloadTimeWindow)),
  };
}

const round = (seconds: number) => Math.round(seconds * 10) / 10;
