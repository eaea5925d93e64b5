import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isMultivariant, parseMediaPlaylist, sidecarName } from './playlists';

export interface HashedPlaylist {
  /** The media playlist, relative to the folder hashed. */
  playlist: string;
  /** The sidecar written next to it. */
  sidecar: string;
  segments: number;
  /** False when the sidecar already held exactly these hashes. */
  written: boolean;
}

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

async function playlistsUnder(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await playlistsUnder(full)));
    else if (entry.isFile() && entry.name.toLowerCase().endsWith('.m3u8')) found.push(full);
  }
  return found.sort();
}

/**
 * Writes, next to each media playlist under `dir`, a JSON map of segment URI (as written in the
 * playlist) to SHA-256 (lowercase hex): what the player checks P2P segments against. Segments addressed
 * by byte range (EXT-X-BYTERANGE, EXT-X-MAP BYTERANGE) map their file to `{ "start-end": hash }` (end
 * inclusive), as PeerTube's `segments-sha256.json`. Idempotent: an up-to-date sidecar is left untouched.
 * @throws when `dir` is unreadable, or a playlist refers to a segment that is missing or unreadable.
 */
export async function hashMedia(dir: string): Promise<HashedPlaylist[]> {
  const root = path.resolve(dir);
  const results: HashedPlaylist[] = [];
  for (const file of await playlistsUnder(root)) {
    const relative = path.relative(root, file);
    const text = await readFile(file, 'utf8');
    if (isMultivariant(text)) continue;
    const playlist = parseMediaPlaylist(text, relative);
    const hashes: Record<string, string | Record<string, string>> = {};
    const files = new Map<string, Promise<Buffer>>();
    const read = (uri: string): Promise<Buffer> => {
      if (/^[a-z][a-z0-9+.-]*:/i.test(uri)) throw new Error(`${relative}: segment ${uri} is not a local file; only relative URIs can be hashed`);
      const segmentFile = path.resolve(path.dirname(file), uri.split(/[?#]/)[0]);
      let data = files.get(segmentFile);
      if (!data) {
        data = readFile(segmentFile).catch((err: NodeJS.ErrnoException) => {
          throw new Error(`${relative}: segment ${uri} cannot be read (${err.code ?? err.message}: ${segmentFile})`);
        });
        files.set(segmentFile, data);
      }
      return data;
    };
    // Ranged segments (and init segments) as PeerTube's segments-sha256.json has them: file -> "start-end" -> hash.
    for (const { uri, byteRange } of [...playlist.maps, ...playlist.segments]) {
      const data = await read(uri);
      if (!byteRange) {
        hashes[uri] = sha256Hex(data);
        continue;
      }
      const end = byteRange.offset + byteRange.length;
      if (end > data.length) throw new Error(`${relative}: byte range ${byteRange.length}@${byteRange.offset} of ${uri} ends past the file (${data.length} bytes)`);
      const ranges = (hashes[uri] ??= {});
      if (typeof ranges === 'string') throw new Error(`${relative}: ${uri} is used both whole and by byte range`);
      ranges[`${byteRange.offset}-${end - 1}`] = sha256Hex(data.subarray(byteRange.offset, end));
    }
    const sidecar = path.join(path.dirname(file), sidecarName(path.basename(file)));
    const body = `${JSON.stringify(Object.fromEntries(Object.entries(hashes).sort(([x], [y]) => x.localeCompare(y))), null, 1)}\n`;
    const previous = await readFile(sidecar, 'utf8').catch(() => undefined);
    if (previous !== body) await writeFile(sidecar, body);
    results.push({ playlist: relative, sidecar: path.relative(root, sidecar), segments: playlist.segments.length, written: previous !== body });
  }
  return results;
}
