import type { AddressInfo } from 'node:net';
import TrackerServer from 'bittorrent-tracker/server';

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

export function startTracker(port: number, host: string, log: (msg: string) => void): Promise<RunningTracker> {
  const server = new TrackerServer({
    http: false,
    udp: false,
    // A larger message closes that client's socket (code 1009); other clients are unaffected.
    ws: { maxPayload: TRACKER_MAX_MESSAGE_BYTES },
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
