import { createHash } from 'node:crypto';
import { readScopedToken, signScopedToken } from './signed-token';
import { MESHCAST_PROTOCOL_VERSION } from '../browser/config';

/**
 * Signed tracker tokens: `t1.<swarm>.<issued>.<expires>.<hmac>`, with the swarm base64url-encoded (`*`
 * for any swarm), times in Unix seconds, and the hex HMAC-SHA256 of the rest under the tracker's secret.
 * A site's backend mints one per page view for the stream the page plays; the page announces to
 * `wss://tracker.example/?token=<token>`. The swarm is the player's `swarmId` if the page sets one,
 * else the manifest URL without scheme, query and fragment (`cdn.example.com/live/master.m3u8`).
 */
export function signTrackerToken(secret: string, swarm: string, ttlS: number, nowS = Date.now() / 1000): string {
  if (!secret) throw new Error('signTrackerToken: secret is empty');
  if (!swarm) throw new Error('signTrackerToken: swarm is empty (use "*" for any swarm)');
  if (!(ttlS > 0)) throw new Error('signTrackerToken: ttlS must be positive');
  return signScopedToken('t1', secret, swarm, ttlS, nowS);
}

export interface TrackerGrant {
  /** The swarm the token admits to, or `*`. */
  swarm: string;
  /** When the token expires, Unix seconds: the connection is closed then. */
  expiresAtS: number;
}

/**
 * The grant of a tracker connection URL's `?token=`, or undefined when there is none valid: signed with one
 * of `secrets` (several while keys rotate), not expired, issued for at most `maxLifetimeS`.
 */
export function trackerGrant(secrets: readonly string[], requestUrl: string | undefined, maxLifetimeS: number, nowS = Date.now() / 1000): TrackerGrant | undefined {
  const token = new URL(requestUrl ?? '/', 'ws://tracker').searchParams.get('token') ?? '';
  const read = readScopedToken('t1', secrets, token, maxLifetimeS, nowS);
  return typeof read === 'string' ? undefined : { swarm: read.scope, expiresAtS: read.expiresAtS };
}

/** Whether a token from these secrets would be accepted at `requestUrl` now (any swarm). */
export function trackerTokenValid(secrets: string | readonly string[], requestUrl: string | undefined, nowS = Date.now() / 1000, maxLifetimeS = 86_400): boolean {
  return trackerGrant(typeof secrets === 'string' ? [secrets] : secrets, requestUrl, maxLifetimeS, nowS) !== undefined;
}

/**
 * Whether an announced info hash belongs to the granted swarm. Meshcast's build of p2p-media-loader
 * (patches/) makes each info hash the first 9 bytes of SHA-1 of the swarm id followed by 6 bytes of
 * SHA-1 of the stream's own id, base64-encoded: the tracker can check the swarm, though not the stream.
 */
export function infoHashInSwarm(infoHash: unknown, grant: TrackerGrant): boolean {
  if (typeof infoHash !== 'string' || !/^[A-Za-z0-9+/]{20}$/.test(infoHash)) return false;
  if (grant.swarm === '*') return true;
  const swarmId = `meshcast/${MESHCAST_PROTOCOL_VERSION}/${grant.swarm}`;
  const expected = createHash('sha1').update(swarmId, 'utf8').digest().subarray(0, 9);
  return Buffer.from(infoHash, 'base64').subarray(0, 9).equals(expected);
}
