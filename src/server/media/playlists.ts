/** The parts of an HLS media playlist the dev origin needs: its segments, in order. */
export interface MediaPlaylist {
  targetDuration: number;
  segments: Array<{ uri: string; duration: number }>;
  /** Header lines (EXT-X-VERSION, EXT-X-INDEPENDENT-SEGMENTS, EXT-X-MAP...) kept for live playlists. */
  headerTags: string[];
}

const HEADER_TAGS_KEPT = ['#EXT-X-VERSION', '#EXT-X-INDEPENDENT-SEGMENTS', '#EXT-X-MAP'];

/** Parses a VOD media playlist. Throws with the reason when it is not one. */
export function parseMediaPlaylist(text: string, name = 'playlist'): MediaPlaylist {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
  if (lines[0] !== '#EXTM3U') throw new Error(`${name}: not an HLS playlist (no #EXTM3U)`);
  const segments: MediaPlaylist['segments'] = [];
  const headerTags: string[] = [];
  let targetDuration = 0;
  let pendingDuration: number | undefined;
  for (const line of lines.slice(1)) {
    if (line.startsWith('#EXT-X-TARGETDURATION:')) {
      targetDuration = Number(line.slice('#EXT-X-TARGETDURATION:'.length));
    } else if (line.startsWith('#EXTINF:')) {
      pendingDuration = Number.parseFloat(line.slice('#EXTINF:'.length));
    } else if (line.startsWith('#EXT-X-STREAM-INF')) {
      throw new Error(`${name}: is a multivariant (master) playlist, not a media playlist`);
    } else if (line.startsWith('#EXT-X-BYTERANGE')) {
      throw new Error(`${name}: byte-range segments (#EXT-X-BYTERANGE) are not supported`);
    } else if (!line.startsWith('#')) {
      if (pendingDuration === undefined || !Number.isFinite(pendingDuration)) {
        throw new Error(`${name}: segment ${line} has no valid #EXTINF`);
      }
      segments.push({ uri: line, duration: pendingDuration });
      pendingDuration = undefined;
    } else if (segments.length === 0 && HEADER_TAGS_KEPT.some((tag) => line.startsWith(tag))) {
      headerTags.push(line);
    }
  }
  if (segments.length === 0) throw new Error(`${name}: has no segments`);
  if (!(targetDuration > 0)) targetDuration = Math.ceil(Math.max(...segments.map((s) => s.duration)));
  return { targetDuration, segments, headerTags };
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
