import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { ByteAccounting } from './byte-accounting';
import { CLEARKEY_FILE, registerClearKeyLicence } from './clearkey-licence';
import { sha256Hex } from '../media/hash-media';
import type { LiveClock } from './live-emulation';
import { registerLiveRoutes, type OriginFiles } from './live-routes';
import { parseMediaPlaylist, type MediaPlaylist } from '../media/playlists';
import { sendFile } from './send-file';

export interface DevOriginOptions {
  /** Folder of streams, each a folder with a multivariant playlist (e.g. `vod/master.m3u8`). */
  mediaDir: string;
  /** Seconds of live stream the emulated live playlists show behind the edge. */
  liveWindowS: number;
  /** Injected for tests. */
  now?: () => number;
}

/**
 * The dev origin: HLS over HTTP with CORS and Range, VOD under `/media/`, the same media as emulated
 * live streams under `/live/` and, for media whose playlists list parts, as LL-HLS under `/ll/`,
 * per-segment byte accounting at `/origin/bytes`, and a ClearKey licence server for streams that carry
 * `clearkey.json`.
 */
export function registerDevOrigin(app: FastifyInstance, options: DevOriginOptions): ByteAccounting {
  const mediaDir = path.resolve(options.mediaDir);
  const now = options.now ?? Date.now;
  const clock: LiveClock = { startedAtMs: now(), windowS: options.liveWindowS };
  const accounting = new ByteAccounting();
  const playlists = new Map<string, Promise<MediaPlaylist>>();

  /** Maps a URL path below a prefix to a file inside mediaDir, refusing anything outside it. */
  const fileFor = (relative: string): string | undefined => {
    const decoded = decodeURIComponent(relative);
    if (decoded.includes('\0')) return undefined;
    const file = path.resolve(mediaDir, `.${path.posix.normalize(`/${decoded}`)}`);
    // Keys reach players only through the licence server.
    if (path.basename(file) === CLEARKEY_FILE) return undefined;
    return file.startsWith(mediaDir + path.sep) ? file : undefined;
  };

  const vodPlaylist = (file: string): Promise<MediaPlaylist> => {
    let parsed = playlists.get(file);
    if (!parsed) {
      parsed = readFile(file, 'utf8').then((text) => parseMediaPlaylist(text, path.relative(mediaDir, file)));
      parsed.catch(() => playlists.delete(file));
      playlists.set(file, parsed);
    }
    return parsed;
  };

  const hashes = new Map<string, Promise<string>>();
  const hashOf = (file: string): Promise<string> => {
    let hash = hashes.get(file);
    if (!hash) {
      hash = readFile(file).then(sha256Hex);
      hash.catch(() => hashes.delete(file));
      hashes.set(file, hash);
    }
    return hash;
  };

  app.get('/media/*', async (request, reply) => {
    const file = fileFor((request.params as { '*': string })['*']);
    if (!file) return reply.code(404).send({ error: 'not found', what: request.url });
    return sendFile(request, reply, file, accounting);
  });

  const files: OriginFiles = { fileFor, vodPlaylist, hashOf, accounting };
  registerLiveRoutes(app, files, { clock, now, prefix: '/live/', lowLatency: false });
  registerLiveRoutes(app, files, { clock, now, prefix: '/ll/', lowLatency: true });

  registerClearKeyLicence(app, mediaDir, () => accounting.licence());
  app.get('/origin/bytes', async () => accounting.report());
  app.post('/origin/reset', async () => {
    accounting.reset();
    return { ok: true };
  });

  return accounting;
}
