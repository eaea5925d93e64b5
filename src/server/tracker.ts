import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import type { IncomingMessage } from 'node:http';
import TrackerServer from 'bittorrent-tracker/server';
import type { WebSocket } from 'ws';
import { infoHashInSwarm, trackerGrant, type TrackerGrant } from './tracker-token';

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
   * Only pages presenting a valid token signed with one of these (`?token=` in the announce URL, see
   * `signTrackerToken`; several while keys rotate) may connect; others get 401 at the WebSocket upgrade.
   * Each announce must be for the token's swarm, and the connection closes when the token expires.
   */
  secrets?: string[];
  /** Longest lifetime (expiry minus issue) of a tracker token accepted, seconds. @default 86400 */
  tokenMaxLifetimeS?: number;
  /**
   * Seconds between a client's announces. Each announce carries fresh WebRTC offers, so this is
   * how soon a viewer meets peers that joined after it (or that it dropped). @default 120
   */
  announceIntervalS?: number;
}

/** WebSocket close code for a message the token does not allow (4000-4999: application codes). */
export const CLOSE_NOT_ALLOWED = 4403;

/**
 * Starts the tracker on a worker thread of its own (`tracker-worker.js` beside this bundle), so that
 * signalling never waits behind the collector's store on the main thread.
 */
export function startTracker({ log, ...options }: TrackerOptions): Promise<RunningTracker> {
  const worker = new Worker(new URL('./tracker-worker.js', import.meta.url), { workerData: options });
  return new Promise((resolve, reject) => {
    let closed: (() => void) | undefined;
    worker.on('message', (message: { type: string; port?: number; msg?: string; message?: string }) => {
      if (message.type === 'log') log(message.msg ?? '');
      else if (message.type === 'error') reject(new Error(message.message));
      else if (message.type === 'closed') void worker.terminate().then(() => closed?.());
      else if (message.type === 'listening') {
        resolve({
          port: message.port!,
          close: () => new Promise<void>((done) => {
            closed = done;
            worker.postMessage({ type: 'close' });
          }),
        });
      }
    });
    worker.once('error', (error) => {
      log(`tracker thread failed: ${error.message}`);
      reject(error);
    });
  });
}

/** Runs the tracker on the calling thread (the tracker worker does). */
export function runTracker({ port, host, log, secrets = [], tokenMaxLifetimeS = 86_400, announceIntervalS = 120 }: TrackerOptions): Promise<RunningTracker> {
  const guarded = secrets.length > 0;
  const grants = new WeakMap<IncomingMessage, TrackerGrant>();
  const server = new TrackerServer({
    http: false,
    udp: false,
    // bittorrent-tracker tells WebSocket clients a fifth of this interval.
    interval: announceIntervalS * 5 * 1000,
    ws: {
      // A larger message closes that client's socket (code 1009); other clients are unaffected.
      maxPayload: TRACKER_MAX_MESSAGE_BYTES,
      ...(guarded && {
        verifyClient: (info: { req: IncomingMessage }, done: (ok: boolean, code?: number, message?: string) => void) => {
          const grant = trackerGrant(secrets, info.req.url, tokenMaxLifetimeS);
          if (grant) grants.set(info.req, grant);
          done(grant !== undefined, grant ? undefined : 401, grant ? undefined : 'a valid tracker token is required');
        },
      }),
    },
    stats: false,
  });
  if (guarded) {
    server.ws.on('connection', (socket: WebSocket, req: IncomingMessage) => guardSocket(socket, grants.get(req)));
  }
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

/**
 * Holds a connection to its token: every message is checked before the tracker sees it (each announce
 * or scrape must name info hashes of the token's swarm), and the socket closes when the token expires.
 */
function guardSocket(socket: WebSocket, grant: TrackerGrant | undefined): void {
  if (!grant) {
    socket.close(CLOSE_NOT_ALLOWED, 'no tracker token');
    return;
  }
  const expiry = setTimeout(() => socket.close(CLOSE_NOT_ALLOWED, 'tracker token expired'), Math.max(0, grant.expiresAtS * 1000 - Date.now()));
  socket.once('close', () => clearTimeout(expiry));
  // The tracker's own listener is already attached: take it over and call it only for allowed messages.
  const trackerListeners = socket.listeners('message') as Array<(...args: unknown[]) => void>;
  socket.removeAllListeners('message');
  socket.on('message', (data: unknown, ...rest: unknown[]) => {
    if (Date.now() >= grant.expiresAtS * 1000) {
      socket.close(CLOSE_NOT_ALLOWED, 'tracker token expired');
      return;
    }
    if (!messageAllowed(data, grant)) {
      socket.close(CLOSE_NOT_ALLOWED, 'info hash outside the token\'s swarm');
      return;
    }
    for (const listener of trackerListeners) listener.call(socket, data, ...rest);
  });
}

function messageAllowed(data: unknown, grant: TrackerGrant): boolean {
  let message: { info_hash?: unknown };
  try {
    message = JSON.parse(String(data)) as { info_hash?: unknown };
  } catch {
    return true; // the tracker rejects it itself
  }
  if (typeof message !== 'object' || message === null) return true;
  const hashes = Array.isArray(message.info_hash) ? message.info_hash : [message.info_hash];
  return hashes.every((hash) => infoHashInSwarm(hash, grant));
}
