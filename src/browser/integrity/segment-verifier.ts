import type { IntegrityMode } from '../config';

export type { IntegrityMode };

/** What checking one segment found. */
export type Verdict = 'valid' | 'invalid' | 'unverified';

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

export async function sha256Hex(data: ArrayBuffer): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', data);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

interface Sidecar {
  url: string;
  live: boolean;
  /** In flight or done; undefined = not loaded yet or needs a refresh. */
  loading?: Promise<boolean>;
  found: boolean;
}

/**
 * Keeps the SHA-256 of every known segment, from the sidecars of the media playlists the player
 * loads (or one explicit manifest), and checks segment data against them with WebCrypto. Live
 * sidecars are refetched when a segment is not in them yet.
 */
export class SegmentVerifier {
  private readonly hashes = new Map<string, string>();
  private readonly sidecars = new Map<string, Sidecar>();

  constructor(
    private readonly fetchJson: (url: string) => Promise<unknown>,
    manifestUrl?: string,
  ) {
    if (manifestUrl) this.sidecars.set(manifestUrl, { url: manifestUrl, live: false, found: false });
  }

  /** WebCrypto is only there in secure contexts (https, localhost). */
  static get available(): boolean {
    return typeof crypto !== 'undefined' && typeof crypto.subtle?.digest === 'function';
  }

  /** A media playlist the player loaded; its sidecar is fetched by convention. */
  addPlaylist(playlistUrl: string, live: boolean): Promise<boolean> {
    const url = sidecarUrlFor(playlistUrl);
    let sidecar = this.sidecars.get(url);
    if (!sidecar) {
      sidecar = { url, live, found: false };
      this.sidecars.set(url, sidecar);
    }
    sidecar.live = live;
    return this.load(sidecar);
  }

  /** Whether any sidecar was found: in `required` mode there is no P2P without one. */
  get hasHashes(): boolean {
    return this.hashes.size > 0;
  }

  async verify(url: string, data: ArrayBuffer): Promise<Verdict> {
    await Promise.all([...this.sidecars.values()].map((s) => this.load(s)));
    const key = segmentKey(url);
    let expected = this.hashes.get(key);
    if (expected === undefined) {
      // A live segment newer than the sidecar we hold: refresh the live sidecars once.
      const live = [...this.sidecars.values()].filter((s) => s.live);
      if (live.length > 0) {
        for (const s of live) s.loading = undefined;
        await Promise.all(live.map((s) => this.load(s)));
        expected = this.hashes.get(key);
      }
    }
    if (expected === undefined) return 'unverified';
    return (await sha256Hex(data)) === expected ? 'valid' : 'invalid';
  }

  private load(sidecar: Sidecar): Promise<boolean> {
    sidecar.loading ??= this.fetchJson(sidecar.url).then(
      (map) => {
        if (typeof map !== 'object' || map === null) return false;
        for (const [uri, hash] of Object.entries(map as Record<string, unknown>)) {
          if (typeof hash === 'string' && /^[0-9a-f]{64}$/.test(hash)) this.hashes.set(segmentKey(uri, sidecar.url), hash);
        }
        sidecar.found = true;
        return true;
      },
      () => false,
    );
    return sidecar.loading;
  }
}
