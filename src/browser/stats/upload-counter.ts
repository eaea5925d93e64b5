/**
 * p2p-media-loader 2.3 reports uploads only as raw chunks (`onChunkUploaded`), with no event when a
 * segment's upload completes or is cancelled. Its wire protocol is fixed, though (and the version is
 * pinned): one upload at a time per peer, sent as chunks of exactly `maxChunkBytes` followed by one
 * shorter last chunk. So a short chunk marks the end of a completed upload, and a cancelled upload
 * leaves only full chunks behind, which the next completed upload to that peer then carries along.
 * Knowing the sizes of the segments this viewer holds, the counter keeps the completed segment and
 * drops the cancelled part.
 */
export class UploadCounter {
  private completedBytes = 0;
  private completedSegments = 0;
  /** Bytes sent to each peer since its last completed upload. */
  private readonly pendingByPeer = new Map<string, number>();
  /** When the last chunk went to each peer with an upload not yet completed. */
  private readonly lastChunkAt = new Map<string, number>();
  private readonly segmentSizes = new Set<number>();

  /** @param maxChunkBytes p2p-media-loader's `webRtcMaxMessageSize` (its default: 64 KiB − 1). */
  constructor(private readonly maxChunkBytes = 64 * 1024 - 1) {}

  /** A segment this viewer holds and may upload. */
  segmentHeld(bytes: number): void {
    if (Number.isInteger(bytes) && bytes > 0) this.segmentSizes.add(bytes);
  }

  chunkUploaded(peerId: string, bytes: number, nowMs = Date.now()): void {
    if (!Number.isInteger(bytes) || bytes <= 0) return;
    this.lastChunkAt.set(peerId, nowMs);
    const pending = (this.pendingByPeer.get(peerId) ?? 0) + bytes;
    const completed = bytes < this.maxChunkBytes ? this.completedSize(pending, bytes) : this.exactSize(pending);
    if (completed === undefined) {
      this.pendingByPeer.set(peerId, pending);
      return;
    }
    this.pendingByPeer.delete(peerId);
    this.lastChunkAt.delete(peerId);
    this.completedBytes += completed;
    this.completedSegments += 1;
  }

  /** A closed connection ends whatever upload was under way to that peer. */
  peerClosed(peerId: string): void {
    this.pendingByPeer.delete(peerId);
    this.lastChunkAt.delete(peerId);
  }

  /** Peers with an upload under way: a chunk sent in the last second and the last chunk not yet. */
  uploadsInFlight(nowMs = Date.now()): number {
    let count = 0;
    for (const at of this.lastChunkAt.values()) if (nowMs - at < 1000) count += 1;
    return count;
  }

  snapshot(): { uploadedBytes: number; segmentsUploaded: number } {
    return { uploadedBytes: this.completedBytes, segmentsUploaded: this.completedSegments };
  }

  /**
   * The size of the upload that a short last chunk completed: `pending` is that upload plus any
   * cancelled uploads before it, which consist of full chunks only.
   */
  private completedSize(pending: number, lastChunk: number): number {
    if (this.segmentSizes.has(pending)) return pending;
    let best: number | undefined;
    for (const size of this.segmentSizes) {
      const fits = size < pending && size % this.maxChunkBytes === lastChunk && (pending - size) % this.maxChunkBytes === 0;
      if (fits && (best === undefined || size > best)) best = size;
    }
    // No held size fits when a peer resumed a segment by byte range (rare): count what was sent.
    return best ?? pending;
  }

  /** A segment whose size is an exact multiple of the chunk size ends on a full chunk. */
  private exactSize(pending: number): number | undefined {
    return this.segmentSizes.has(pending) ? pending : undefined;
  }
}
