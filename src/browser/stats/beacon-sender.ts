import { Disposer } from '../utils/disposer';
import type { Beacon } from './beacon-schema';

/** How beacons leave the page; injected so tests can watch them. */
export interface BeaconTransport {
  /** Fire-and-forget for a page going away (`navigator.sendBeacon`). */
  sendBeacon?: (url: string, body: Blob) => boolean;
  /** Posts a beacon; resolves to the collector's JSON reply, or undefined. */
  fetch: (url: string, init: RequestInit) => Promise<unknown>;
}

const browserTransport = (): BeaconTransport => ({
  sendBeacon: typeof navigator !== 'undefined' && navigator.sendBeacon ? navigator.sendBeacon.bind(navigator) : undefined,
  fetch: (url, init) => fetch(url, init).then((response) => (response.ok ? response.json().catch(() => undefined) : undefined)),
});

/** A random session id: URL-safe, 22 characters. */
export function newSessionId(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * Sends a session's cumulative stats to the collector: every `intervalMs`, and when the page is
 * hidden or goes away (`sendBeacon`, which survives unload). Each beacon carries the next sequence
 * number. At most one request is in flight: a tick that finds one pending is skipped, and the next
 * beacon carries its counts anyway.
 */
export class BeaconSender {
  private seq = 0;
  private inFlight = false;
  private readonly disposer = new Disposer();
  private readonly url: string;

  constructor(
    statsUrl: string,
    private readonly payload: () => Omit<Beacon, 'seq'> | undefined,
    intervalMs: number,
    private readonly transport: BeaconTransport = browserTransport(),
    /** The collector's reply to each regular beacon (`{ result, audience }`). */
    private readonly onReply?: (reply: unknown) => void,
  ) {
    this.url = `${statsUrl.replace(/\/+$/, '')}/v1/beacons`;
    const timer = setInterval(() => this.send(), intervalMs);
    this.disposer.add(() => clearInterval(timer));
    if (typeof document !== 'undefined') {
      const onVisibility = () => {
        if (document.visibilityState === 'hidden') this.sendNow();
      };
      const onPageHide = () => this.sendNow();
      document.addEventListener('visibilitychange', onVisibility);
      window.addEventListener('pagehide', onPageHide);
      this.disposer.add(() => document.removeEventListener('visibilitychange', onVisibility));
      this.disposer.add(() => window.removeEventListener('pagehide', onPageHide));
    }
  }

  /** A regular beacon with fetch (keepalive), unless one is still in flight. */
  send(): void {
    if (this.inFlight) return;
    const body = this.next();
    if (!body) return;
    this.inFlight = true;
    this.transport
      .fetch(this.url, { method: 'POST', body, keepalive: true, headers: { 'content-type': 'text/plain' } })
      .then((reply) => this.onReply?.(reply))
      .catch(() => undefined)
      .finally(() => {
        this.inFlight = false;
      });
  }

  /** A beacon now, by `sendBeacon` when there is one (the page may be going away). */
  sendNow(): void {
    const body = this.next();
    if (!body) return;
    const sent = this.transport.sendBeacon?.(this.url, new Blob([body], { type: 'text/plain' }));
    if (!sent) void this.transport.fetch(this.url, { method: 'POST', body, keepalive: true, headers: { 'content-type': 'text/plain' } }).catch(() => undefined);
  }

  /** Stops the timer and listeners, after one last beacon. */
  stop(): void {
    this.sendNow();
    this.disposer.dispose();
  }

  private next(): string | undefined {
    const payload = this.payload();
    if (!payload) return undefined;
    this.seq += 1;
    return JSON.stringify({ ...payload, seq: this.seq });
  }
}
