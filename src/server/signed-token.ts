import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The token format tracker and viewer tokens share: `<kind>.<scope>.<issued>.<expires>.<hmac>`, the scope
 * base64url-encoded, times in Unix seconds, and the hex HMAC-SHA256 of the rest under the secret.
 */
export function signScopedToken(kind: string, secret: string, scope: string, ttlS: number, nowS: number): string {
  const issued = Math.floor(nowS);
  const body = `${kind}.${Buffer.from(scope).toString('base64url')}.${issued}.${issued + Math.ceil(ttlS)}`;
  return `${body}.${mac(secret, body)}`;
}

const mac = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest('hex');

export type ScopedTokenCheck = { scope: string; expiresAtS: number } | 'malformed' | 'bad-signature' | 'expired' | 'too-long-lived';

/**
 * Reads a token of `kind`: signed with one of `secrets` (several while keys rotate), unexpired, issued for at
 * most `maxLifetimeS` and not from the future (beyond 5 minutes of clock skew).
 */
export function readScopedToken(kind: string, secrets: readonly string[], token: string, maxLifetimeS: number, nowS: number): ScopedTokenCheck {
  const match = new RegExp(`^${kind}\\.([A-Za-z0-9_-]{1,700})\\.(\\d{1,12})\\.(\\d{1,12})\\.([0-9a-f]{64})$`).exec(token);
  if (!match) return 'malformed';
  const [, scope, issuedText, expiresText, given] = match;
  const body = token.slice(0, token.length - given.length - 1);
  if (!secrets.some((secret) => timingSafeEqual(Buffer.from(mac(secret, body)), Buffer.from(given)))) return 'bad-signature';
  const issued = Number(issuedText);
  const expires = Number(expiresText);
  if (expires <= nowS) return 'expired';
  if (expires - issued > maxLifetimeS || issued > nowS + 300) return 'too-long-lived';
  return { scope: Buffer.from(scope, 'base64url').toString(), expiresAtS: expires };
}
