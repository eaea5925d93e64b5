import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import parseRange from 'range-parser';
import { cmcdKeys, type ByteAccounting } from './byte-accounting';
import type { ByteRange } from '../media/playlists';

export const CONTENT_TYPES: Record<string, string> = {
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.ts': 'video/mp2t',
  '.m4s': 'video/iso.segment',
  '.mp4': 'video/mp4',
  '.aac': 'audio/aac',
  '.vtt': 'text/vtt',
  '.json': 'application/json',
};
const SEGMENT_EXTENSIONS = new Set(['.ts', '.m4s', '.mp4', '.aac', '.vtt']);

/**
 * Sends a file (or `slice` of it, as a resource of its own: an LL-HLS part) with Range support, counting
 * segment bytes as they go out under `accountAs`.
 */
export async function sendFile(
  request: FastifyRequest,
  reply: FastifyReply,
  file: string,
  accounting: ByteAccounting,
  accountAs = request.url.split('?')[0],
  slice?: ByteRange,
): Promise<FastifyReply> {
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) return reply.code(404).send({ error: 'not found', what: request.url });
  if (slice && slice.offset + slice.length > info.size) return reply.code(500).send({ error: `${path.basename(file)} is shorter than its part` });
  const size = slice?.length ?? info.size;
  const base = slice?.offset ?? 0;
  const ext = path.extname(file).toLowerCase();
  reply.header('content-type', CONTENT_TYPES[ext] ?? 'application/octet-stream');
  reply.header('accept-ranges', 'bytes');
  reply.header('cache-control', ext === '.m3u8' ? 'no-cache' : 'public, max-age=3600');

  let start = 0;
  let end = size - 1;
  const rangeHeader = request.headers.range;
  if (rangeHeader) {
    const ranges = parseRange(size, rangeHeader, { combine: true });
    if (ranges === -1) {
      return reply.code(416).header('content-range', `bytes */${size}`).send();
    }
    // Multiple ranges are answered with the whole file, which HTTP allows.
    if (ranges !== -2 && ranges.length === 1) {
      ({ start, end } = ranges[0]);
      reply.code(206).header('content-range', `bytes ${start}-${end}/${size}`);
    }
  }
  reply.header('content-length', String(end - start + 1));

  const stream = createReadStream(file, { start: base + start, end: base + end });
  if (SEGMENT_EXTENSIONS.has(ext)) {
    const count = accounting.segmentRequest(accountAs, size);
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
