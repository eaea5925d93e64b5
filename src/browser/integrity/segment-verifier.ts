import type { IntegrityMode } from '../config';

export type { IntegrityMode };

/**
 * What checking one segment found: `missing` when the sidecar next to it exists but lists no hash for
 * it, even after fetching it again (a live sidecar behind its playlist, or a stale one).
 */
export type Verdict = 'valid' | 'invalid' | 'unverified' | 'missing';

/** How `fetchJson` says a sidecar does not exist (404, 410): the stream has none there, not a failure to retry. */
export class SidecarAbsent extends Error {}

/** Retries of a sidecar fetch that failed (network, 5xx, bad JSON) wait this long, doubling up to a minute. */
const RETRY_FIRST_MS = 1000;
const RETRY_MAX_MS = 60_000;
/** A VOD sidecar missing a segment is fetched again at most this often. */
const VOD_REFRESH_MS = 10_000;

/** Where a media playlist's sidecar is by convention: `…/index.m3u8?q` -> `…/index.sha256.json?q`. */
export function sidecarUrlFor(playlistUrl: string): string {
  const url = new URL(playlistUrl);
  url.pathname = url.pathname.replace(/(\.m3u8)?$/i, '.sha256.json');
  url.hash = '';
  return url.href;
}

/** Segment identity for hash look-up: absolute URL without query or fragment (tokens vary). */
function segmentKey(url: string, base?: string): string {
  const parsed = new URL(url, base);
  parsed.search = '';
  parsed.hash = '';
  return parsed.href;
}

/** A hash look-up key: the segment's key, plus its byte range when it is one. */
function rangedKey(key: string, range: { start: number; end: number } | undefined): string {
  return range ? `${key}|${range.start}-${range.end}` : key;
}

const isHash = (value: unknown): value is string => typeof value === 'string' && /^[0-9a-f]{64}$/.test(value);

export async function sha256Hex(data: ArrayBuffer): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', data);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

interface Sidecar {
  url: string;
  live: boolean;
  /** In flight or done; undefined = not loaded yet or needs a refresh. */
  loading?: Promise<boolean>;
  /** One refresh for every segment found missing meanwhile. */
  refreshing?: Promise<boolean>;
  found: boolean;
  failures: number;
  retryAtMs: number;
  loadedAtMs: number;
}

const newSidecar = (url: string, live: boolean): Sidecar => ({ url, live, found: false, failures: 0, retryAtMs: 0, loadedAtMs: 0 });

/**
 * Keeps the SHA-256 of every known segment, from the sidecars of the media playlists the player
 * loads (or one explicit manifest), and checks segment data against them with WebCrypto. Live
 * sidecars are refetched when a segment is not in them yet.
 */
export class SegmentVerifier {
  private readonly hashes = new Map<string, string>();
  private readonly sidecars = new Map<string, Sidecar>();

  private manifest: Sidecar | undefined;
  /** A sidecar by convention was absent and none was found: the stream has none, do not ask again. */
  private conventionAbsent = false;

  constructor(
    private readonly fetchJson: (url: string) => Promise<unknown>,
    manifestUrl?: string,
    private readonly now: () => number = Date.now,
  ) {
    if (manifestUrl) {
      this.manifest = newSidecar(manifestUrl, false);
      this.sidecars.set(manifestUrl, this.manifest);
    }
  }

  /** With one explicit manifest: loads it (refreshed like a live sidecar when the stream is live). */
  loadManifest(live: boolean): Promise<boolean> {
    if (!this.manifest) return Promise.resolve(false);
    this.manifest.live ||= live;
    return this.load(this.manifest);
  }

  /** WebCrypto is only there in secure contexts (https, localhost). */
  static get available(): boolean {
    return typeof crypto !== 'undefined' && typeof crypto.subtle?.digest === 'function';
  }

  /**
   * The multivariant playlist declares one hash manifest for the stream (`#EXT-X-SESSION-DATA` with
   * `DATA-ID="com.meshcast.integrity"`): used instead of sidecars by convention, unless set explicitly.
   */
  declareManifest(url: string): void {
    if (this.manifest) return;
    this.manifest = newSidecar(url, false);
    this.sidecars.set(url, this.manifest);
  }

  /** A media playlist the player loaded; its sidecar is fetched by convention (once a manifest is known, that). */
  addPlaylist(playlistUrl: string, live: boolean): Promise<boolean> {
    if (this.manifest) return this.loadManifest(live);
    const url = sidecarUrlFor(playlistUrl);
    if (this.conventionAbsent && !this.hasHashes && !this.sidecars.has(url)) return Promise.resolve(false);
    let sidecar = this.sidecars.get(url);
    if (!sidecar) {
      sidecar = newSidecar(url, live);
      this.sidecars.set(url, sidecar);
    }
    sidecar.live = live;
    return this.load(sidecar);
  }

  /** Whether any sidecar was found: in `required` mode there is no P2P without one. */
  get hasHashes(): boolean {
    return this.hashes.size > 0;
  }

  /** Checks a segment; `byteRange` (end inclusive) for a segment that is a range of its file. */
  async verify(url: string, data: ArrayBuffer, byteRange?: { start: number; end: number }): Promise<Verdict> {
    await Promise.all([...this.sidecars.values()].map((s) => this.load(s)));
    const key = rangedKey(segmentKey(url), byteRange);
    let expected = this.hashes.get(key);
    const covering = expected === undefined ? this.sidecarsCovering(key) : [];
    if (expected === undefined && covering.length > 0) {
      // A segment newer than the sidecar we hold (live), or a sidecar changed since: fetch it again, once
      // for all the segments found missing meanwhile.
      await Promise.all(covering.filter((s) => s.live || this.now() - s.loadedAtMs >= VOD_REFRESH_MS).map((s) => this.refresh(s)));
      expected = this.hashes.get(key);
      if (expected === undefined) return 'missing';
    }
    if (expected === undefined) return 'unverified';
    return (await sha256Hex(data)) === expected ? 'valid' : 'invalid';
  }

  /** Sidecars found that would list this segment: the explicit manifest, or the one in the segment's folder. */
  private sidecarsCovering(key: string): Sidecar[] {
    const path = key.split('|')[0];
    const folder = path.slice(0, path.lastIndexOf('/') + 1);
    return [...this.sidecars.values()].filter((s) => s.found && (s === this.manifest || segmentKey(s.url).startsWith(folder)));
  }

  private refresh(sidecar: Sidecar): Promise<boolean> {
    sidecar.refreshing ??= (sidecar.loading = undefined, this.load(sidecar)).finally(() => {
      sidecar.refreshing = undefined;
    });
    return sidecar.refreshing;
  }

  private load(sidecar: Sidecar): Promise<boolean> {
    // A fetch that failed is tried again once its backoff has passed; an absent sidecar is not.
    if (sidecar.loading && sidecar.failures > 0 && this.now() >= sidecar.retryAtMs) sidecar.loading = undefined;
    sidecar.loading ??= this.fetchJson(sidecar.url).then(
      (map) => {
        if (typeof map !== 'object' || map === null) throw new Error('not a JSON object');
        for (const [uri, entry] of Object.entries(map as Record<string, unknown>)) {
          const key = segmentKey(uri, sidecar.url);
          if (isHash(entry)) this.hashes.set(key, entry);
          // A file of byte-range segments: "start-end" (end inclusive) -> hash, as PeerTube writes them.
          else if (typeof entry === 'object' && entry !== null) {
            for (const [range, hash] of Object.entries(entry)) {
              const match = /^(\d+)-(\d+)$/.exec(range);
              if (match && isHash(hash)) this.hashes.set(rangedKey(key, { start: Number(match[1]), end: Number(match[2]) }), hash);
            }
          }
        }
        Object.assign(sidecar, { found: true, failures: 0, loadedAtMs: this.now() });
        return true;
      },
    ).catch((error: unknown) => {
      if (error instanceof SidecarAbsent) {
        if (sidecar !== this.manifest) this.conventionAbsent = true;
        return false;
      }
      sidecar.failures += 1;
      sidecar.retryAtMs = this.now() + Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** (sidecar.failures - 1));
      return false;
    });
    return sidecar.loading;
  }
}
