import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import parseRange from 'range-parser';
import { ByteAccounting, cmcdKeys } from './byte-accounting';
import { CLEARKEY_FILE, registerClearKeyLicence } from './clearkey-licence';
import { sha256Hex } from '../media/hash-media';
import { liveMediaPlaylist, liveSegmentAt, completedSegments, type LiveClock } from './live-emulation';
import { parseMediaPlaylist, type MediaPlaylist } from '../media/playlists';

export interface DevOriginOptions {
  /** Folder of streams, each a folder with a multivariant playlist (e.g. `vod/master.m3u8`). */
  mediaDir: string;
  /** Seconds of live stream the emulated live playlists show behind the edge. */
  liveWindowS: number;
  /** Injected for tests. */
  now?: () => number;
}

const CONTENT_TYPES: Record<string, string> = {
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.ts': 'video/mp2t',
  '.m4s': 'video/iso.segment',
  '.mp4': 'video/mp4',
  '.aac': 'audio/aac',
  '.vtt': 'text/vtt',
  '.json': 'application/json',
};
const SEGMENT_EXTENSIONS = new Set(['.ts', '.m4s', '.mp4', '.aac', '.vtt']);
const LIVE_SEGMENT = /^(.+)-live-(\d{1,12})(\.[a-z0-9]+)$/i;
const SIDECAR = /^(.+)\.sha256\.json$/i;

/**
 * The dev origin: HLS over HTTP with CORS and Range, VOD under `/media/`, the same media as
 * emulated live streams under `/live/`, per-segment byte accounting at `/origin/bytes`, and a ClearKey
 * licence server for streams that carry `clearkey.json`.
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

  const notFound = (reply: FastifyReply, what: string) => reply.code(404).send({ error: 'not found', what });

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

  /** Live segment URI for `msn` of the live version of a VOD media playlist. */
  const liveUri = (vod: MediaPlaylist, stem: string, msn: number) =>
    `${stem}-live-${msn}${path.extname(vod.segments[liveSegmentAt(vod, msn).index].uri)}`;

  app.get('/media/*', async (request, reply) => {
    const file = fileFor((request.params as { '*': string })['*']);
    if (!file) return notFound(reply, request.url);
    return sendFile(request, reply, file, accounting);
  });

  app.get('/live/*', async (request, reply) => {
    const relative = (request.params as { '*': string })['*'];
    const file = fileFor(relative);
    if (!file) return notFound(reply, request.url);
    const liveSegment = LIVE_SEGMENT.exec(path.basename(file));
    if (liveSegment) {
      const [, stem, msnText, ext] = liveSegment;
      const playlistFile = path.join(path.dirname(file), `${stem}.m3u8`);
      const vod = await vodPlaylist(playlistFile).catch(() => undefined);
      const msn = Number(msnText);
      if (!vod || msn >= completedSegments(vod, clock, now())) return notFound(reply, request.url);
      const segmentFile = path.join(path.dirname(playlistFile), vod.segments[liveSegmentAt(vod, msn).index].uri);
      if (path.extname(segmentFile) !== ext) return notFound(reply, request.url);
      // Counted under the live URL: each live segment is a distinct resource for a CDN.
      return sendFile(request, reply, segmentFile, accounting, `/live/${relative}`);
    }
    const sidecar = SIDECAR.exec(path.basename(file));
    if (sidecar) {
      // Kept current with the live window: the hash of every live segment the playlist lists now.
      const stem = sidecar[1];
      const vod = await vodPlaylist(path.join(path.dirname(file), `${stem}.m3u8`)).catch(() => undefined);
      if (!vod) return notFound(reply, request.url);
      const end = completedSegments(vod, clock, now());
      const map: Record<string, string> = {};
      for (let msn = Math.max(0, end - vod.segments.length); msn < end; msn += 1) {
        const segmentFile = path.join(path.dirname(file), vod.segments[liveSegmentAt(vod, msn).index].uri);
        map[liveUri(vod, stem, msn)] = await hashOf(segmentFile);
      }
      return reply.header('cache-control', 'no-cache').send(map);
    }
    if (path.extname(file) !== '.m3u8') return sendFile(request, reply, file, accounting);
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text === undefined) return notFound(reply, request.url);
    let body = text;
    if (!text.includes('#EXT-X-STREAM-INF')) {
      const vod = await vodPlaylist(file).catch((err: Error) => err);
      if (vod instanceof Error) return reply.code(500).send({ error: vod.message });
      if (vod.segments.some((segment) => segment.byteRange)) return reply.code(501).send({ error: 'byte-range media is served as VOD only (/media/), not emulated live' });
      const stem = path.basename(file, '.m3u8');
      body = liveMediaPlaylist(vod, clock, now(), (msn) => liveUri(vod, stem, msn));
    }
    accounting.playlist(Buffer.byteLength(body));
    return reply.header('content-type', CONTENT_TYPES['.m3u8']).header('cache-control', 'no-cache').send(body);
  });

  registerClearKeyLicence(app, mediaDir, () => accounting.licence());
  app.get('/origin/bytes', async () => accounting.report());
  app.post('/origin/reset', async () => {
    accounting.reset();
    return { ok: true };
  });

  return accounting;
}

async function sendFile(
  request: FastifyRequest,
  reply: FastifyReply,
  file: string,
  accounting: ByteAccounting,
  accountAs = request.url.split('?')[0],
): Promise<FastifyReply> {
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) return reply.code(404).send({ error: 'not found', what: request.url });
  const ext = path.extname(file).toLowerCase();
  reply.header('content-type', CONTENT_TYPES[ext] ?? 'application/octet-stream');
  reply.header('accept-ranges', 'bytes');
  reply.header('cache-control', ext === '.m3u8' ? 'no-cache' : 'public, max-age=3600');

  let start = 0;
  let end = info.size - 1;
  const rangeHeader = request.headers.range;
  if (rangeHeader) {
    const ranges = parseRange(info.size, rangeHeader, { combine: true });
    if (ranges === -1) {
      return reply.code(416).header('content-range', `bytes */${info.size}`).send();
    }
    // Multiple ranges are answered with the whole file, which HTTP allows.
    if (ranges !== -2 && ranges.length === 1) {
      ({ start, end } = ranges[0]);
      reply.code(206).header('content-range', `bytes ${start}-${end}/${info.size}`);
    }
  }
  reply.header('content-length', String(end - start + 1));

  const stream = createReadStream(file, { start, end });
  if (SEGMENT_EXTENSIONS.has(ext)) {
    const count = accounting.segmentRequest(accountAs, info.size);
    noteCmcd(request, accounting);
    // Counted as read for the socket, so an aborted request counts only what went out.
    stream.on('data', (chunk) => count(chunk.length));
  } else {
    accounting.playlist(end - start + 1);
  }
  return reply.send(stream);
}

/** Records the CMCD a segment request carried: the `CMCD` query parameter, or the `CMCD-*` headers. */
function noteCmcd(request: FastifyRequest, accounting: ByteAccounting): void {
  const query = new URL(request.url, 'http://origin').searchParams.get('CMCD');
  if (query !== null) accounting.cmcdRequest('query', cmcdKeys(query));
  const headers = Object.entries(request.headers).filter(([name]) => name.startsWith('cmcd-')).map(([, value]) => String(value));
  if (headers.length > 0) accounting.cmcdRequest('headers', headers.flatMap(cmcdKeys));
}
