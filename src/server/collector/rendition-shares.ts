/**
 * Which rendition each recent session of a stream plays, as this collector saw it in the beacons it
 * received. p2p-media-loader keys its swarms by rendition, so a player deciding how many viewers share
 * its swarm needs its rendition's audience, not the stream's. The store counts the stream's audience
 * across a whole fleet (shared database); this keeps, in memory, the share of the stream's sessions on
 * each rendition among the beacons this collector received, and the rendition's audience is that share
 * of the stream's. Behind a load balancer each collector sees a random part of the sessions, so the share
 * holds fleet-wide without another query per beacon.
 */

interface SessionEntry {
  streamId: string;
  /** Undefined: the player did not say (an older player, or P2P off). */
  rendition: number | undefined;
  at: number;
}

interface StreamCounts {
  sessions: number;
  byRendition: Map<number, number>;
}

/** Sessions kept at most, newest first: beyond it the oldest are forgotten (their stream's share with them). */
const MAX_SESSIONS = 500_000;

export class RenditionShares {
  /** Ordered by last beacon, oldest first (an entry is re-inserted at each beacon). */
  private readonly sessions = new Map<string, SessionEntry>();
  private readonly streams = new Map<string, StreamCounts>();

  constructor(private readonly windowMs: number) {}

  /** A session's accepted beacon: the stream and rendition it plays now. */
  note(sessionId: string, streamId: string, rendition: number | undefined, now: number): void {
    const previous = this.sessions.get(sessionId);
    if (previous) {
      this.sessions.delete(sessionId);
      this.count(previous, -1);
    }
    const entry = { streamId, rendition, at: now };
    this.sessions.set(sessionId, entry);
    this.count(entry, 1);
    this.expire(now);
  }

  /**
   * Viewers of `rendition` among the stream's `audience` (as the store counted it): the rendition's share
   * of the stream's recent sessions here, times the audience, at least 1 (the asking viewer).
   */
  renditionAudience(streamId: string, rendition: number, audience: number, now: number): number {
    this.expire(now);
    const counts = this.streams.get(streamId);
    const share = counts && counts.sessions > 0 ? (counts.byRendition.get(rendition) ?? 0) / counts.sessions : 1;
    return Math.max(1, Math.round(audience * share));
  }

  private count(entry: SessionEntry, by: 1 | -1): void {
    let counts = this.streams.get(entry.streamId);
    if (!counts) this.streams.set(entry.streamId, (counts = { sessions: 0, byRendition: new Map() }));
    counts.sessions += by;
    if (entry.rendition !== undefined) {
      const n = (counts.byRendition.get(entry.rendition) ?? 0) + by;
      if (n > 0) counts.byRendition.set(entry.rendition, n);
      else counts.byRendition.delete(entry.rendition);
    }
    if (counts.sessions <= 0) this.streams.delete(entry.streamId);
  }

  private expire(now: number): void {
    for (const [sessionId, entry] of this.sessions) {
      if (entry.at >= now - this.windowMs && this.sessions.size <= MAX_SESSIONS) return;
      this.sessions.delete(sessionId);
      this.count(entry, -1);
    }
  }
}
