// bittorrent-tracker ships no types; this covers the server API Meshcast uses.
declare module 'bittorrent-tracker/server' {
  import type { EventEmitter } from 'node:events';
  import type { AddressInfo } from 'node:net';

  interface TrackerServerOptions {
    http?: boolean | object;
    udp?: boolean | object;
    ws?: boolean | { maxPayload?: number; noServer?: boolean; verifyClient?: unknown };
    stats?: boolean;
    interval?: number;
    trustProxy?: boolean;
    filter?: (infoHash: string, params: unknown, cb: (err: Error | null) => void) => void;
  }

  export default class TrackerServer extends EventEmitter {
    constructor(options?: TrackerServerOptions);
    ws: { address(): AddressInfo | string | null; on(event: 'connection', listener: (socket: import('ws').WebSocket, req: import('node:http').IncomingMessage) => void): void };
    torrents: Record<string, { peers: { length: number } }>;
    listen(port: number, host: string, onListening?: () => void): void;
    close(cb?: () => void): void;
  }
}
