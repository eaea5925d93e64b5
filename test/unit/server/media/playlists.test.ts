import { readFileSync } from 'node:fs';
import { parseMediaPlaylist } from '../../../../src/server/media/playlists';

describe('parseMediaPlaylist', () => {
  test('reads the committed 360p playlist: 60 segments of 2 s', () => {
    const playlist = parseMediaPlaylist(readFileSync('demo/media/vod/360p/index.m3u8', 'utf8'));
    expect(playlist.targetDuration).toBe(2);
    expect(playlist.segments).toHaveLength(60);
    expect(playlist.segments[0]).toEqual({ uri: 'seg_000.ts', duration: 2 });
    expect(playlist.headerTags).toEqual(['#EXT-X-VERSION:6', '#EXT-X-INDEPENDENT-SEGMENTS']);
  });

  test.each([
    ['hello', /no #EXTM3U/],
    ['#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\na.m3u8\n', /multivariant/],
    ['#EXTM3U\nseg.ts\n', /no valid #EXTINF/],
    ['#EXTM3U\n#EXT-X-ENDLIST\n', /no segments/],
  ])('rejects %j', (text, reason) => {
    expect(() => parseMediaPlaylist(text, 'x.m3u8')).toThrow(reason);
  });
});
