import type { ResolvedOptions } from '../config';
import type { SessionStats } from '../stats/session-stats';
import { PeerLedger } from './peer-ledger';
import { SegmentVerifier, SidecarAbsent } from './segment-verifier';

type Validator = (url: string, byteRange: { start: number; end: number } | undefined, data: ArrayBuffer) => Promise<boolean>;

/**
 * Turns the integrity options into p2p-media-loader validation hooks. A segment that fails is
 * rejected: p2p-media-loader drops it, disconnects the peer that sent it, and loads it again.
 * After `maxPeerFailures` bad segments a peer is refused: p2p-media-loader 2.3 has no way to
 * refuse a connection, so whatever a refused peer sends is rejected unread, which makes
 * p2p-media-loader close its connection again each time it returns.
 */
export class IntegrityGuard {
  readonly verifier: SegmentVerifier | undefined;
  /** `required` mode starts without P2P and enables it once hashes are known. */
  readonly p2pInitiallyDisabled: boolean;
  readonly peers: PeerLedger;
  private warnedMissing = false;

  constructor(
    private readonly options: ResolvedOptions['integrity'],
    private readonly stats: SessionStats,
    private readonly enableP2P: () => void,
  ) {
    const usable = options.mode !== 'off' && SegmentVerifier.available;
    if (options.mode !== 'off' && !usable) {
      console.warn(`meshcast: integrity.mode "${options.mode}" needs WebCrypto (a secure context: https or localhost);`
        + (options.mode === 'required' ? ' P2P stays off.' : ' P2P segments go unverified.'));
    }
    this.verifier = usable
      ? new SegmentVerifier(fetchSidecar, options.manifestUrl)
      : undefined;
    this.p2pInitiallyDisabled = options.mode === 'required';
    this.peers = new PeerLedger(options.maxPeerFailures);
  }

  /** The multivariant playlist declared the stream's hash manifest (`#EXT-X-SESSION-DATA`). */
  manifestDeclared(url: string): void {
    this.verifier?.declareManifest(url);
  }

  /** A media playlist was loaded: fetch its sidecar (or the stream's one manifest). */
  playlistLoaded(url: string, live: boolean): void {
    if (!this.verifier) return;
    const loaded = this.verifier.addPlaylist(url, live);
    if (this.options.mode === 'required') {
      void loaded.then(() => {
        if (this.verifier?.hasHashes) this.enableP2P();
      });
    }
  }

  /** p2p-media-loader hooks; none when nothing is to be checked. */
  hooks(): { validateP2PSegment?: Validator; validateHTTPSegment?: Validator } {
    if (this.options.mode === 'off') return {};
    const verifier = this.verifier;
    const validateP2PSegment: Validator = async (url, byteRange, data) => {
      const sender = this.peers.senderOf(url);
      if (this.peers.isRefused(sender)) {
        this.stats.refusedSegment();
        return false;
      }
      const verdict = verifier ? await verifier.verify(url, data, byteRange) : 'unverified';
      if (verdict === 'invalid') {
        this.stats.integrityFailure();
        console.warn(`Meshcast: a peer sent ${url} (${data.byteLength} bytes) that fails its SHA-256 check; dropped, fetching it again`);
        if (this.peers.failed(sender)) {
          this.stats.peerRefused();
          console.warn(`Meshcast: peer ${sender} sent ${this.options.maxPeerFailures} bad segments; refused for the rest of the session`);
        }
        return false;
      }
      if (verdict === 'missing') {
        // Its sidecar lists no hash for it even fetched again: rejected without blame on the peer (which
        // p2p-media-loader disconnects all the same), so the segment comes again, in the end over HTTP.
        if (!this.warnedMissing) console.warn(`Meshcast: ${url} is not in its sidecar; segments missing from a sidecar are not taken from peers`);
        this.warnedMissing = true;
        return false;
      }
      if (verdict === 'unverified') {
        if (this.options.mode === 'required') return false;
        this.stats.unverifiedP2P(data.byteLength);
      }
      return true;
    };
    // From the origin, only a wrong hash is refused.
    const validateHTTPSegment: Validator = async (url, byteRange, data) => {
      if (!verifier || (await verifier.verify(url, data, byteRange)) !== 'invalid') return true;
      this.stats.integrityFailure();
      return false;
    };
    return this.options.verifyHttp ? { validateP2PSegment, validateHTTPSegment } : { validateP2PSegment };
  }
}

/** A sidecar over HTTP: 404 and 410 mean the stream has none there; anything else failed and is retried. */
async function fetchSidecar(url: string): Promise<unknown> {
  const response = await fetch(url, { credentials: 'same-origin' });
  if (response.status === 404 || response.status === 410) throw new SidecarAbsent(`${url}: ${response.status}`);
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response.json();
}
