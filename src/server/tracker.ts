import type { AddressInfo } from 'node:net';
import type { IncomingMessage } from 'node:http';
import TrackerServer from 'bittorrent-tracker/server';
import { trackerTokenValid } from './tracker-token';

export interface RunningTracker {
  /** Port the WebSocket tracker listens on. */
  port: number;
  close(): Promise<void>;
}

/**
 * Starts a WebTorrent (WebSocket) tracker: the signalling point where viewers of a swarm find
 * each other. HTTP and UDP trackers are off: browsers only speak WebSocket.
 */
/** Largest tracker message accepted; an announce with its WebRTC offers is a few tens of KiB. */
export const TRACKER_MAX_MESSAGE_BYTES = 256 * 1024;

export interface TrackerOptions {
  port: number;
  host: string;
  log: (msg: string) => void;
  /**
   * Only pages presenting a valid signed token (`?token=` in the announce URL, see
   * `signTrackerToken`) may connect; others get 401 at the WebSocket upgrade.
   */
  secret?: string;
  /**
   * Seconds between a client's announces. Each announce carries fresh WebRTC offers, so this is
   * how soon a viewer meets peers that joined after it (or that it dropped). @default 120
   */
  announceIntervalS?: number;
}

export function startTracker({ port, host, log, secret, announceIntervalS = 120 }: TrackerOptions): Promise<RunningTracker> {
  const server = new TrackerServer({
    http: false,
    udp: false,
    // bittorrent-tracker tells WebSocket clients a fifth of this interval.
    interval: announceIntervalS * 5 * 1000,
    ws: {
      // A larger message closes that client's socket (code 1009); other clients are unaffected.
      maxPayload: TRACKER_MAX_MESSAGE_BYTES,
      ...(secret && {
        verifyClient: (info: { req: IncomingMessage }, done: (ok: boolean, code?: number, message?: string) => void) => {
          const ok = trackerTokenValid(secret, info.req.url);
          done(ok, ok ? undefined : 401, ok ? undefined : 'a valid tracker token is required');
        },
      }),
    },
    stats: false,
  });
  // Malformed announces surface as warnings; a misbehaving client must not take the tracker down.
  server.on('warning', (err: Error) => log(`tracker warning: ${err.message}`));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      server.on('error', (err: Error) => log(`tracker error: ${err.message}`));
      const address = server.ws.address() as AddressInfo;
      resolve({
        port: address.port,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}
