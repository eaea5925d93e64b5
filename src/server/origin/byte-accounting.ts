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
  /** Segment requests that carried CMCD, by how (query or headers), and how many carried each key. */
  cmcd: { query: number; headers: number; keys: Record<string, number> };
  /** ClearKey licence requests answered (EME test streams). */
  licenceRequests: number;
}

/** The keys of a CMCD payload (`bl=3000,br=800,su,sid="a,b"`): names before `=`, `,` outside quotes. */
export function cmcdKeys(payload: string): string[] {
  const keys: string[] = [];
  let quoted = false;
  let token = '';
  for (const char of `${payload},`) {
    if (char === '"') quoted = !quoted;
    if (char === ',' && !quoted) {
      const key = token.split('=')[0].trim();
      if (key) keys.push(key);
      token = '';
    } else token += char;
  }
  return keys;
}

export class ByteAccounting {
  private readonly segments = new Map<string, ServedEntry>();
  private playlistBytes = 0;
  private playlistRequests = 0;
  private cmcd = { query: 0, headers: 0, keys: {} as Record<string, number> };
  private licenceRequests = 0;

  /** Notes the CMCD a segment request carried, if any (`via` tells whether in the query or in headers). */
  cmcdRequest(via: 'query' | 'headers', keys: string[]): void {
    this.cmcd[via] += 1;
    for (const key of new Set(keys)) this.cmcd.keys[key] = (this.cmcd.keys[key] ?? 0) + 1;
  }

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

  licence(): void {
    this.licenceRequests += 1;
  }

  playlist(bytes: number): void {
    this.playlistBytes += bytes;
    this.playlistRequests += 1;
  }

  reset(): void {
    this.segments.clear();
    this.playlistBytes = 0;
    this.playlistRequests = 0;
    this.cmcd = { query: 0, headers: 0, keys: {} };
    this.licenceRequests = 0;
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
      cmcd: { query: this.cmcd.query, headers: this.cmcd.headers, keys: { ...this.cmcd.keys } },
      licenceRequests: this.licenceRequests,
    };
  }
}
