/** Bytes `offset` to `offset + length - 1` of a file (EXT-X-BYTERANGE, EXT-X-MAP BYTERANGE). */
export interface ByteRange {
  offset: number;
  length: number;
}

/** The parts of an HLS media playlist the dev origin and `hash` need: its segments, in order. */
export interface MediaPlaylist {
  targetDuration: number;
  segments: Array<{ uri: string; duration: number; byteRange?: ByteRange; parts?: MediaPart[] }>;
  /** EXT-X-PART-INF's PART-TARGET, when the playlist lists parts. */
  partTarget?: number;
  /** Init segments (EXT-X-MAP), with their byte ranges when they have one. */
  maps: Array<{ uri: string; byteRange?: ByteRange }>;
  /** Header lines (EXT-X-VERSION, EXT-X-INDEPENDENT-SEGMENTS, EXT-X-MAP...) kept for live playlists. */
  headerTags: string[];
}

/** An LL-HLS part (EXT-X-PART) of a VOD segment: a byte range of the segment's own file. */
export interface MediaPart {
  duration: number;
  byteRange: ByteRange;
  independent: boolean;
}

const HEADER_TAGS_KEPT = ['#EXT-X-VERSION', '#EXT-X-INDEPENDENT-SEGMENTS'];

/** Parses a VOD media playlist. Throws with the reason when it is not one. */
export function parseMediaPlaylist(text: string, name = 'playlist'): MediaPlaylist {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
  if (lines[0] !== '#EXTM3U') throw new Error(`${name}: not an HLS playlist (no #EXTM3U)`);
  const segments: MediaPlaylist['segments'] = [];
  const maps: MediaPlaylist['maps'] = [];
  const headerTags: string[] = [];
  let targetDuration = 0;
  let partTarget: number | undefined;
  let pendingParts: Array<MediaPart & { uri: string }> = [];
  let pendingDuration: number | undefined;
  let pendingRange: { length: number; offset?: number } | undefined;
  /** Where the last ranged segment of each file ended: a range without `@offset` continues from there. */
  const rangeEnds = new Map<string, number>();
  for (const line of lines.slice(1)) {
    if (line.startsWith('#EXT-X-TARGETDURATION:')) {
      targetDuration = Number(line.slice('#EXT-X-TARGETDURATION:'.length));
    } else if (line.startsWith('#EXT-X-PART-INF:')) {
      partTarget = Number(/PART-TARGET=([\d.]+)/.exec(line)?.[1]);
      if (!(partTarget > 0)) throw new Error(`${name}: #EXT-X-PART-INF without a valid PART-TARGET`);
    } else if (line.startsWith('#EXT-X-PART:')) {
      pendingParts.push(parsePart(line, name));
    } else if (line.startsWith('#EXTINF:')) {
      pendingDuration = Number.parseFloat(line.slice('#EXTINF:'.length));
    } else if (line.startsWith('#EXT-X-STREAM-INF')) {
      throw new Error(`${name}: is a multivariant (master) playlist, not a media playlist`);
    } else if (line.startsWith('#EXT-X-BYTERANGE:')) {
      pendingRange = parseByteRange(line.slice('#EXT-X-BYTERANGE:'.length), name);
    } else if (line.startsWith('#EXT-X-MAP:')) {
      const uri = /URI="([^"]*)"/.exec(line)?.[1];
      if (!uri) throw new Error(`${name}: #EXT-X-MAP without URI`);
      const range = /BYTERANGE="([^"]*)"/.exec(line)?.[1];
      const parsed = range === undefined ? undefined : parseByteRange(range, name);
      maps.push({ uri, ...(parsed && { byteRange: { length: parsed.length, offset: parsed.offset ?? 0 } }) });
      if (segments.length === 0) headerTags.push(line);
    } else if (!line.startsWith('#')) {
      if (pendingDuration === undefined || !Number.isFinite(pendingDuration)) {
        throw new Error(`${name}: segment ${line} has no valid #EXTINF`);
      }
      let byteRange: ByteRange | undefined;
      if (pendingRange) {
        const offset = pendingRange.offset ?? rangeEnds.get(line);
        if (offset === undefined) throw new Error(`${name}: #EXT-X-BYTERANGE of ${line} has no offset and follows no range of the same file`);
        byteRange = { offset, length: pendingRange.length };
        rangeEnds.set(line, offset + pendingRange.length);
      }
      if (pendingParts.some((part) => part.uri !== line)) throw new Error(`${name}: the parts of ${line} must be byte ranges of its own file`);
      const parts = pendingParts.map(({ uri: _uri, ...part }) => part);
      segments.push({ uri: line, duration: pendingDuration, ...(byteRange && { byteRange }), ...(parts.length > 0 && { parts }) });
      pendingParts = [];
      pendingDuration = undefined;
      pendingRange = undefined;
    } else if (segments.length === 0 && HEADER_TAGS_KEPT.some((tag) => line.startsWith(tag))) {
      headerTags.push(line);
    }
  }
  if (segments.length === 0) throw new Error(`${name}: has no segments`);
  if (!(targetDuration > 0)) targetDuration = Math.ceil(Math.max(...segments.map((s) => s.duration)));
  return { targetDuration, segments, maps, headerTags, ...(partTarget !== undefined && { partTarget }) };
}

function parsePart(line: string, name: string): MediaPart & { uri: string } {
  const uri = /URI="([^"]*)"/.exec(line)?.[1];
  const duration = Number(/DURATION=([\d.]+)/.exec(line)?.[1]);
  const range = /BYTERANGE="([^"]*)"/.exec(line)?.[1];
  const parsed = range === undefined ? undefined : parseByteRange(range, name);
  if (!uri || !(duration >= 0) || parsed?.offset === undefined) {
    throw new Error(`${name}: ${line}: a part needs URI, DURATION and BYTERANGE="<length>@<offset>"`);
  }
  return { uri, duration, byteRange: { length: parsed.length, offset: parsed.offset }, independent: /INDEPENDENT=YES/.test(line) };
}

/** `<length>[@<offset>]`, as EXT-X-BYTERANGE and EXT-X-MAP's BYTERANGE write it. */
function parseByteRange(value: string, name: string): { length: number; offset?: number } {
  const match = /^(\d+)(?:@(\d+))?$/.exec(value.trim());
  if (!match) throw new Error(`${name}: byte range "${value}" is not <length>[@<offset>]`);
  return { length: Number(match[1]), ...(match[2] !== undefined && { offset: Number(match[2]) }) };
}

/** Whether a playlist text is a multivariant (master) playlist rather than a media playlist. */
export function isMultivariant(text: string): boolean {
  return /^#EXT-X-STREAM-INF/m.test(text);
}

/**
 * The integrity sidecar next to a media playlist: `index.m3u8` -> `index.sha256.json`.
 * The browser side derives the same name from the playlist URL.
 */
export function sidecarName(playlistName: string): string {
  return `${playlistName.replace(/\.m3u8$/i, '')}.sha256.json`;
}
