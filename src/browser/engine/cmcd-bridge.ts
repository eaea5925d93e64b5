import type Hls from 'hls.js';
import type { Fragment } from 'hls.js';

/** The CMCD hls.js attached to one request: the `CMCD=` query value (query mode) and `CMCD-*` headers (header mode). */
export interface CmcdReport {
  query: string | undefined;
  headers: Record<string, string>;
}

type ByteRange = { start: number; end: number };

/** p2p-media-loader's identity of a segment: its URL, plus the byte range when it has one. */
export function segmentRuntimeId(url: string, range: ByteRange | undefined): string {
  return range ? `${url}|${range.start}-${range.end}` : url;
}

/**
 * Takes hls.js's `CMCD=` parameter out of a URL, leaving the rest as it was written (not re-serialized:
 * p2p-media-loader matches segments by the exact URL string of the playlist).
 */
export function withoutCmcdQuery(url: string): { url: string; cmcd: string | undefined } {
  const match = /([?&])CMCD=([^&#]*)(&?)/.exec(url);
  if (!match) return { url, cmcd: undefined };
  const [whole, separator, value, trailing] = match;
  const kept = url.slice(0, match.index) + (trailing ? separator : '') + url.slice(match.index + whole.length);
  return { url: kept, cmcd: value };
}

/** The URL with a `CMCD=` parameter appended, as hls.js appends it. */
export function withCmcdQuery(url: string, value: string): string {
  const hash = url.indexOf('#');
  const [base, fragment] = hash < 0 ? [url, ''] : [url.slice(0, hash), url.slice(hash)];
  return `${base}${base.includes('?') ? '&' : '?'}CMCD=${value}${fragment}`;
}

/** The CMCD headers among a request's headers. */
export function cmcdHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).filter(([name]) => /^cmcd-/i.test(name)));
}

/** How many reports are kept; hls.js asks for a few segments ahead, p2p-media-loader fetches soon after. */
const KEPT_REPORTS = 64;

/**
 * Carries hls.js's CMCD (Common Media Client Data) over to the HTTP requests p2p-media-loader makes.
 *
 * hls.js writes CMCD into each request's URL (query mode) or headers (header mode) and hands the request
 * to Meshcast's loaders. p2p-media-loader knows segments by their playlist URL, so the CMCD parameter is
 * taken out before it sees the request (else it would not recognise the segment and the request would
 * bypass it, uncounted), remembered here, and put back on p2p-media-loader's own HTTP request for that
 * segment (its `httpRequestSetup` hook). A segment hls.js has not asked for (a background fetch) gets the
 * CMCD hls.js would send for it now, from hls.js's own CMCD code run without a network request.
 */
export class CmcdBridge {
  private readonly reports = new Map<string, CmcdReport>();
  /** Requests run only to read the CMCD hls.js writes into them (see `reportNow`). */
  private readonly probes = new WeakMap<object, (report: CmcdReport) => void>();
  private hls: Hls | undefined;

  /** The hls.js instance whose CMCD loader (`config.fLoader` once hls.js wrapped it) makes reports on demand. */
  bindHls(hls: Hls): void {
    this.hls = hls;
  }

  /**
   * Called by the fragment loader with the request hls.js made: remembers its CMCD and returns the URL
   * p2p-media-loader must see. Returns undefined when the request was only a probe (nothing to load).
   */
  take(context: { url: string; headers?: Record<string, string>; rangeStart?: number; rangeEnd?: number }): string | undefined {
    const { url, cmcd } = withoutCmcdQuery(context.url);
    const report: CmcdReport = { query: cmcd, headers: cmcdHeaders(context.headers) };
    const probe = this.probes.get(context);
    if (probe) {
      probe(report);
      return undefined;
    }
    if (report.query !== undefined || Object.keys(report.headers).length > 0) {
      const range = context.rangeEnd !== undefined && context.rangeStart !== undefined ? { start: context.rangeStart, end: context.rangeEnd - 1 } : undefined;
      const id = segmentRuntimeId(url, range);
      this.reports.delete(id);
      this.reports.set(id, report);
      if (this.reports.size > KEPT_REPORTS) this.reports.delete(this.reports.keys().next().value!);
    }
    return url;
  }

  /** p2p-media-loader's `httpRequestSetup`: its HTTP request for a segment, with the CMCD hls.js gives it. */
  readonly requestSetup = async (
    segmentUrl: string,
    segmentByteRange: ByteRange | undefined,
    signal: AbortSignal,
    requestByteRange: { start: number; end?: number } | undefined,
  ): Promise<Request | undefined> => {
    const report = this.reports.get(segmentRuntimeId(segmentUrl, segmentByteRange)) ?? this.reportNow(segmentUrl, segmentByteRange);
    if (!report) return undefined; // p2p-media-loader's own request
    const headers = new Headers(report.headers);
    if (requestByteRange) headers.set('Range', `bytes=${requestByteRange.start}-${requestByteRange.end ?? ''}`);
    const url = report.query === undefined ? segmentUrl : withCmcdQuery(segmentUrl, report.query);
    return new Request(url, { headers, signal });
  };

  /** The CMCD hls.js would attach to a request for this segment now (buffer, bitrate, object type...). */
  private reportNow(url: string, range: ByteRange | undefined): CmcdReport | undefined {
    const hls = this.hls;
    const frag = hls && findFragment(hls, url, range);
    if (!hls || !frag) return undefined;
    let report: CmcdReport | undefined;
    const context = {
      frag,
      part: null,
      responseType: 'arraybuffer',
      url: frag.url,
      headers: {},
      ...(range && { rangeStart: range.start, rangeEnd: range.end + 1 }),
    };
    this.probes.set(context, (r) => (report = r));
    const Loader = hls.config.fLoader as unknown as new (config: unknown) => { load(c: unknown, o: unknown, cb: unknown): void; destroy(): void };
    const loader = new Loader(hls.config);
    try {
      loader.load(context, {}, { onSuccess: () => undefined, onError: () => undefined, onTimeout: () => undefined });
    } finally {
      this.probes.delete(context);
      loader.destroy();
    }
    return report;
  }
}

/** The fragment of any loaded playlist (levels and audio tracks) with this URL and byte range. */
function findFragment(hls: Hls, url: string, range: ByteRange | undefined): Fragment | undefined {
  const playlists = [...hls.levels, ...hls.audioTracks];
  for (const playlist of playlists) {
    const found = playlist.details?.fragments.find((frag) =>
      frag.url === url && (!range || (frag.byteRangeStartOffset === range.start && frag.byteRangeEndOffset === range.end + 1)));
    if (found) return found;
  }
  return undefined;
}
