import { UploadCounter } from './upload-counter';

/** Where a segment's bytes came from. */
export type SegmentSource = 'http' | 'p2p';

/** A segment's bytes by where they came from: one begun from a peer and resumed over HTTP came from both. */
export interface SegmentBytes {
  http: number;
  p2p: number;
}

/** A segment's bytes all from one source. */
export const wholeFrom = (source: SegmentSource, bytes: number): SegmentBytes =>
  source === 'p2p' ? { http: 0, p2p: bytes } : { http: bytes, p2p: 0 };

/**
 * Delivery statistics. Bytes count completed segments only: a request that aborts or fails
 * validation contributes nothing, so these figures match what the player could use.
 */
export interface DeliveryStats {
  /** Bytes of segments downloaded from the origin (CDN), the HTTP part of a segment begun from a peer included. */
  httpBytes: number;
  /** Bytes of segments downloaded from peers, the P2P part of a segment finished over HTTP included. */
  p2pBytes: number;
  /** Bytes of segments this viewer sent to peers, completed uploads only. */
  uploadedBytes: number;
  /** p2pBytes / (p2pBytes + httpBytes); 0 before any segment. */
  offloadRatio: number;
  /** Segments whose last bytes came from the origin. */
  segmentsHttp: number;
  /** Segments whose last bytes came from peers. */
  segmentsP2P: number;
  /** Peers currently connected. */
  peers: number;
  /** Segments whose SHA-256 did not match the publisher's sidecar: dropped and fetched again. */
  integrityFailures: number;
  /** Peers refused for the session after `integrity.maxPeerFailures` bad segments. */
  peersRefused: number;
  /** Segments from refused peers, rejected unread. */
  refusedSegments: number;
  /** Bytes of P2P segments accepted without a hash to check them against (`integrity.mode: 'auto'`). */
  unverifiedP2PBytes: number;
}

/** Accumulates {@link DeliveryStats} from delivery events; pure bookkeeping, no I/O. */
export class SessionStats {
  private httpBytes = 0;
  private p2pBytes = 0;
  private segmentsHttp = 0;
  private segmentsP2P = 0;
  private integrityFailures = 0;
  private unverifiedP2PBytes = 0;
  private peersRefused = 0;
  private refusedSegments = 0;
  /** Open connections per remote peer: one peer may serve both the main and the audio stream. */
  private readonly connectionsByPeer = new Map<string, number>();
  private readonly uploads = new UploadCounter();

  /**
   * A completed segment. `source` is where its last bytes came from (it counts the segment there);
   * `parts`, when given, splits its bytes by source.
   */
  recordSegment(source: SegmentSource, bytes: number, parts?: SegmentBytes): void {
    if (!Number.isFinite(bytes) || bytes < 0) return;
    this.uploads.segmentHeld(bytes);
    const split = parts ?? wholeFrom(source, bytes);
    this.httpBytes += split.http;
    this.p2pBytes += split.p2p;
    if (source === 'p2p') this.segmentsP2P += 1;
    else this.segmentsHttp += 1;
  }

  /** A raw chunk p2p-media-loader sent to a peer; only completed uploads count. */
  chunkUploaded(peerId: string, bytes: number): void {
    this.uploads.chunkUploaded(peerId, bytes);
  }

  /** Peers connected now. */
  peerCount(): number {
    return this.connectionsByPeer.size;
  }

  /** IDs of the peers connected now. */
  peerIds(): IterableIterator<string> {
    return this.connectionsByPeer.keys();
  }

  /** Peers with an upload under way. */
  uploadsInFlight(nowMs = Date.now()): number {
    return this.uploads.uploadsInFlight(nowMs);
  }

  integrityFailure(): void {
    this.integrityFailures += 1;
  }

  peerRefused(): void {
    this.peersRefused += 1;
  }

  refusedSegment(): void {
    this.refusedSegments += 1;
  }

  unverifiedP2P(bytes: number): void {
    this.unverifiedP2PBytes += bytes;
  }

  peerConnected(peerId: string): void {
    this.connectionsByPeer.set(peerId, (this.connectionsByPeer.get(peerId) ?? 0) + 1);
  }

  peerClosed(peerId: string): void {
    const open = (this.connectionsByPeer.get(peerId) ?? 0) - 1;
    if (open > 0) this.connectionsByPeer.set(peerId, open);
    else this.connectionsByPeer.delete(peerId);
    this.uploads.peerClosed(peerId);
  }

  /** Peers are per source: a new source starts with none, while byte totals carry on. */
  clearPeers(): void {
    this.connectionsByPeer.clear();
  }

  snapshot(): DeliveryStats {
    const total = this.httpBytes + this.p2pBytes;
    return {
      httpBytes: this.httpBytes,
      p2pBytes: this.p2pBytes,
      uploadedBytes: this.uploads.snapshot().uploadedBytes,
      offloadRatio: total === 0 ? 0 : this.p2pBytes / total,
      segmentsHttp: this.segmentsHttp,
      segmentsP2P: this.segmentsP2P,
      peers: this.connectionsByPeer.size,
      integrityFailures: this.integrityFailures,
      peersRefused: this.peersRefused,
      refusedSegments: this.refusedSegments,
      unverifiedP2PBytes: this.unverifiedP2PBytes,
    };
  }
}
