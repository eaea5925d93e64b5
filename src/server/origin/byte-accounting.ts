/** Per-URL count of what the origin sent: the ground truth of what a CDN would have served. */
export interface ServedEntry {
  bytes: number;
  requests: number;
  /** Full size of the resource, to compute the bytes of distinct segments served. */
  size: number;
}

export interface AccountingReport {
  /** Segment bytes sent, all requests, partial (Range or aborted) ones included. */
  segmentBytes: number;
  segmentRequests: number;
  /** Sum of the sizes of the distinct segments requested at least once. */
  distinctSegmentBytes: number;
  distinctSegments: number;
  playlistBytes: number;
  playlistRequests: number;
  segments: Record<string, ServedEntry>;
}

export class ByteAccounting {
  private readonly segments = new Map<string, ServedEntry>();
  private playlistBytes = 0;
  private playlistRequests = 0;

  /** Counts a segment request when it starts; bytes are added as they are sent. */
  segmentRequest(path: string, size: number): (bytes: number) => void {
    let entry = this.segments.get(path);
    if (!entry) {
      entry = { bytes: 0, requests: 0, size };
      this.segments.set(path, entry);
    }
    entry.requests += 1;
    const counted = entry;
    return (bytes) => {
      counted.bytes += bytes;
    };
  }

  playlist(bytes: number): void {
    this.playlistBytes += bytes;
    this.playlistRequests += 1;
  }

  reset(): void {
    this.segments.clear();
    this.playlistBytes = 0;
    this.playlistRequests = 0;
  }

  report(): AccountingReport {
    let segmentBytes = 0;
    let segmentRequests = 0;
    let distinctSegmentBytes = 0;
    for (const entry of this.segments.values()) {
      segmentBytes += entry.bytes;
      segmentRequests += entry.requests;
      distinctSegmentBytes += entry.size;
    }
    return {
      segmentBytes,
      segmentRequests,
      distinctSegmentBytes,
      distinctSegments: this.segments.size,
      playlistBytes: this.playlistBytes,
      playlistRequests: this.playlistRequests,
      segments: Object.fromEntries(this.segments),
    };
  }
}
