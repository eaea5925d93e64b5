import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed tracker tokens: `<expires>.<hmac>`, where expires is a Unix time in seconds and hmac the
 * hex HMAC-SHA256 of it under the tracker's secret. A site's backend mints one per page view;
 * the page announces to `wss://tracker.example/?token=<token>`.
 */
export function signTrackerToken(secret: string, expiresAtS: number): string {
  const expires = String(Math.floor(expiresAtS));
  return `${expires}.${createHmac('sha256', secret).update(expires).digest('hex')}`;
}

/** Whether a tracker connection URL carries a valid, unexpired token. */
export function trackerTokenValid(secret: string, requestUrl: string | undefined, nowS = Date.now() / 1000): boolean {
  const token = new URL(requestUrl ?? '/', 'ws://tracker').searchParams.get('token');
  const match = /^(\d{1,12})\.([0-9a-f]{64})$/.exec(token ?? '');
  if (!match) return false;
  const [, expires, mac] = match;
  if (Number(expires) < nowS) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(expires).digest('hex'));
  return timingSafeEqual(expected, Buffer.from(mac));
}
