import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ByteAccounting } from './byte-accounting';
import {
  completedSegments, liveMediaPlaylist, liveSegmentAt, partAvailableAtMs, segmentAvailableAtMs, type LiveClock,
} from './live-emulation';
import type { MediaPlaylist } from '../media/playlists';
import { CONTENT_TYPES, sendFile } from './send-file';

/** What the live routes need from the dev origin. */
export interface OriginFiles {
  fileFor(relative: string): string | undefined;
  vodPlaylist(file: string): Promise<MediaPlaylist>;
  hashOf(file: string): Promise<string>;
  accounting: ByteAccounting;
}

export interface LiveRouteOptions {
  clock: LiveClock;
  now: () => number;
  /** `/live/` or `/ll/`. */
  prefix: string;
  /** LL-HLS: parts, preload hints and blocking playlist reloads; only for media whose playlists list parts. */
  lowLatency: boolean;
}

/** `index-live-12.m4s` (segment 12) or `index-live-12.p3.m4s` (its part 3). */
const LIVE_RESOURCE = /^(.+)-live-(\d{1,12})(?:\.p(\d{1,3}))?(\.[a-z0-9]+)$/i;
const SIDECAR = /^(.+)\.sha256\.json$/i;

/**
 * A request may wait this many target durations for what it names (a blocking playlist reload, a
 * preload-hinted part); further in the future is a client error, as the LL-HLS spec has it.
 */
const MAX_HOLD_TARGET_DURATIONS = 3;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const notFound = (reply: FastifyReply, what: string) => reply.code(404).send({ error: 'not found', what });

/** The emulated live streams over the VOD media: playlists, segments, parts and sidecars below `prefix`. */
export function registerLiveRoutes(app: FastifyInstance, files: OriginFiles, options: LiveRouteOptions): void {
  const { clock, now, prefix, lowLatency } = options;
  const ext = (vod: MediaPlaylist, msn: number) => path.extname(vod.segments[liveSegmentAt(vod, msn).index].uri);
  const segmentUri = (vod: MediaPlaylist, stem: string, msn: number) => `${stem}-live-${msn}${ext(vod, msn)}`;
  const partUri = (vod: MediaPlaylist, stem: string) => (msn: number, part: number) => `${stem}-live-${msn}.p${part}${ext(vod, msn)}`;

  /** Waits until `atMs`, if that is near enough; false when it is too far ahead. */
  const holdUntil = async (vod: MediaPlaylist, atMs: number): Promise<boolean> => {
    const wait = atMs - now();
    if (wait > MAX_HOLD_TARGET_DURATIONS * vod.targetDuration * 1000) return false;
    if (wait > 0) await sleep(wait);
    return true;
  };

  app.get(`${prefix}*`, async (request, reply) => {
    const relative = (request.params as { '*': string })['*'];
    const file = files.fileFor(relative);
    if (!file) return notFound(reply, request.url);
    const resource = LIVE_RESOURCE.exec(path.basename(file));
    if (resource) {
      const [, stem, msnText, partText, extension] = resource;
      const playlistFile = path.join(path.dirname(file), `${stem}.m3u8`);
      const vod = await files.vodPlaylist(playlistFile).catch(() => undefined);
      const msn = Number(msnText);
      if (!vod || ext(vod, msn) !== extension) return notFound(reply, request.url);
      const segment = vod.segments[liveSegmentAt(vod, msn).index];
      const segmentFile = path.join(path.dirname(playlistFile), segment.uri);
      // Counted under the live URL: each live segment and part is a distinct resource for a CDN.
      const accountAs = `${prefix}${relative}`;
      if (partText === undefined) {
        if (msn >= completedSegments(vod, clock, now())) return notFound(reply, request.url);
        return sendFile(request, reply, segmentFile, files.accounting, accountAs);
      }
      const part = segment.parts?.[Number(partText)];
      if (!lowLatency || !part) return notFound(reply, request.url);
      // A preload-hinted part is requested before it exists: answered once it does.
      if (!(await holdUntil(vod, partAvailableAtMs(vod, clock, msn, Number(partText))))) return notFound(reply, request.url);
      return sendFile(request, reply, segmentFile, files.accounting, accountAs, part.byteRange);
    }
    const sidecar = SIDECAR.exec(path.basename(file));
    if (sidecar) {
      // Kept current with the live window: the hash of every live segment the playlist lists now.
      const stem = sidecar[1];
      const vod = await files.vodPlaylist(path.join(path.dirname(file), `${stem}.m3u8`)).catch(() => undefined);
      if (!vod) return notFound(reply, request.url);
      const end = completedSegments(vod, clock, now());
      const map: Record<string, string> = {};
      for (let msn = Math.max(0, end - vod.segments.length); msn < end; msn += 1) {
        const segmentFile = path.join(path.dirname(file), vod.segments[liveSegmentAt(vod, msn).index].uri);
        map[segmentUri(vod, stem, msn)] = await files.hashOf(segmentFile);
      }
      return reply.header('cache-control', 'no-cache').send(map);
    }
    if (path.extname(file) !== '.m3u8') return sendFile(request, reply, file, files.accounting);
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text === undefined) return notFound(reply, request.url);
    let body = text;
    if (!text.includes('#EXT-X-STREAM-INF')) {
      const vod = await files.vodPlaylist(file).catch((err: Error) => err);
      if (vod instanceof Error) return reply.code(500).send({ error: vod.message });
      if (vod.segments.some((segment) => segment.byteRange)) return reply.code(501).send({ error: 'byte-range media is served as VOD only (/media/), not emulated live' });
      if (lowLatency && !vod.partTarget) return reply.code(501).send({ error: 'this media lists no parts (EXT-X-PART): it is served as live under /live/, not as LL-HLS' });
      const blocked = lowLatency ? await holdForReload(request.query as Record<string, string>, vod) : 'ok';
      if (blocked === 'bad') return reply.code(400).send({ error: '_HLS_msn/_HLS_part name a segment too far ahead of the live edge, or are not numbers' });
      const stem = path.basename(file, '.m3u8');
      body = liveMediaPlaylist(vod, clock, now(), (msn) => segmentUri(vod, stem, msn), lowLatency ? partUri(vod, stem) : undefined);
    }
    files.accounting.playlist(Buffer.byteLength(body));
    return reply.header('content-type', CONTENT_TYPES['.m3u8']).header('cache-control', 'no-cache').send(body);
  });

  /** Blocking playlist reload: `_HLS_msn=M[&_HLS_part=P]` waits until segment M (or its part P) exists. */
  async function holdForReload(query: Record<string, string>, vod: MediaPlaylist): Promise<'ok' | 'bad'> {
    if (query._HLS_msn === undefined) return 'ok';
    const msn = Number(query._HLS_msn);
    const part = query._HLS_part === undefined ? undefined : Number(query._HLS_part);
    if (!Number.isInteger(msn) || msn < 0 || (part !== undefined && (!Number.isInteger(part) || part < 0))) return 'bad';
    const atMs = part === undefined ? segmentAvailableAtMs(vod, clock, msn) : partAvailableAtMs(vod, clock, msn, part);
    return (await holdUntil(vod, atMs)) ? 'ok' : 'bad';
  }
}
