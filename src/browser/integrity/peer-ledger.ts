/**
 * Which peer is sending which segment, and which peers have sent too many bad ones. p2p-media-loader
 * hands its validation hook only the segment, so the sender is taken from the request's start event
 * (one request per segment at a time); a refused peer stays refused for the session, under the same
 * id however often it reconnects.
 */
export class PeerLedger {
  private readonly senderByUrl = new Map<string, string>();
  private readonly failuresByPeer = new Map<string, number>();
  private readonly refused = new Set<string>();

  constructor(private readonly maxFailures: number) {}

  /** A P2P request for `url` started with `peerId`. */
  requestStarted(url: string, peerId: string): void {
    this.senderByUrl.set(url, peerId);
  }

  /** Who is sending `url`, if a P2P request for it started. */
  senderOf(url: string): string | undefined {
    return this.senderByUrl.get(url);
  }

  isRefused(peerId: string | undefined): boolean {
    return peerId !== undefined && this.refused.has(peerId);
  }

  /** Records a failed segment; true when this failure makes the peer refused. */
  failed(peerId: string | undefined): boolean {
    if (peerId === undefined || this.refused.has(peerId)) return false;
    const failures = (this.failuresByPeer.get(peerId) ?? 0) + 1;
    this.failuresByPeer.set(peerId, failures);
    if (failures < this.maxFailures) return false;
    this.refused.add(peerId);
    return true;
  }

  get refusedCount(): number {
    return this.refused.size;
  }

  /** The request for `url` ended (loaded, failed or aborted). */
  requestEnded(url: string): void {
    this.senderByUrl.delete(url);
  }
}
