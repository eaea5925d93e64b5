import { readScopedToken, signScopedToken } from '../signed-token';

/**
 * Viewer tokens for beacons (`--beacon-secret`): `v1.<stream>.<issued>.<expires>.<hmac>`, with the stream
 * base64url-encoded, times in Unix seconds and the hex HMAC-SHA256 of the rest under the secret. The
 * operator's page backend issues one per page view for the stream that page plays; the player sends it
 * with each beacon (`statsToken`). `stream` is the stream's identity as the player derives it: its
 * `swarmId` if the page sets one, else the manifest URL without scheme, query and fragment
 * (`cdn.example.com/live/master.m3u8`).
 */
export function signViewerToken(secret: string, stream: string, ttlS: number, nowS = Date.now() / 1000): string {
  if (!secret) throw new Error('signViewerToken: secret is empty');
  if (!stream) throw new Error('signViewerToken: stream is empty');
  if (!(ttlS > 0)) throw new Error('signViewerToken: ttlS must be positive');
  return signScopedToken('v1', secret, stream, ttlS, nowS);
}

/** The identity a beacon's `streamId` carries: without Meshcast's `meshcast/<protocol>/` prefix. */
export function streamIdentity(streamId: string): string {
  return streamId.replace(/^meshcast\/[^/]+\//, '');
}

export type ViewerTokenVerdict = 'valid' | 'missing' | 'malformed' | 'bad-signature' | 'expired' | 'too-long-lived' | 'other-stream';

/**
 * Checks a beacon's token against the secrets in use (several during a key rotation): signed by one of
 * them, not expired, issued for at most `maxLifetimeS`, and for the beacon's stream.
 */
export function verifyViewerToken(
  secrets: readonly string[],
  token: string | undefined,
  beaconStreamId: string,
  maxLifetimeS: number,
  nowS = Date.now() / 1000,
): ViewerTokenVerdict {
  if (!token) return 'missing';
  const read = readScopedToken('v1', secrets, token, maxLifetimeS, nowS);
  if (typeof read === 'string') return read;
  return read.scope === streamIdentity(beaconStreamId) ? 'valid' : 'other-stream';
}
