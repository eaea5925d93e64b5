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

  test('reads byte ranges: EXT-X-MAP BYTERANGE, EXT-X-BYTERANGE with and without offsets', () => {
    const playlist = parseMediaPlaylist([
      '#EXTM3U', '#EXT-X-TARGETDURATION:2', '#EXT-X-MAP:URI="main.mp4",BYTERANGE="100@0"',
      '#EXTINF:2,', '#EXT-X-BYTERANGE:500@100', 'main.mp4',
      '#EXTINF:2,', '#EXT-X-BYTERANGE:300', 'main.mp4',
      '#EXTINF:2,', 'other.mp4',
    ].join('\n'));
    expect(playlist.maps).toEqual([{ uri: 'main.mp4', byteRange: { offset: 0, length: 100 } }]);
    expect(playlist.segments).toEqual([
      { uri: 'main.mp4', duration: 2, byteRange: { offset: 100, length: 500 } },
      { uri: 'main.mp4', duration: 2, byteRange: { offset: 600, length: 300 } },
      { uri: 'other.mp4', duration: 2 },
    ]);
  });

  test('reads LL-HLS parts (EXT-X-PART-INF, EXT-X-PART byte ranges) of the committed low-latency stream', () => {
    const playlist = parseMediaPlaylist(readFileSync('demo/media/lowlatency/360p/index.m3u8', 'utf8'));
    expect(playlist.partTarget).toBe(0.5);
    const [first] = playlist.segments;
    expect(first.parts).toHaveLength(4);
    expect(first.parts![0]).toMatchObject({ duration: 0.5, independent: true, byteRange: { offset: 0 } });
    expect(first.parts!.slice(1).every((part) => !part.independent)).toBe(true);
    // The parts tile the segment file: each starts where the one before ended.
    for (const segment of playlist.segments) {
      segment.parts!.forEach((part, i) => {
        if (i > 0) expect(part.byteRange.offset).toBe(segment.parts![i - 1].byteRange.offset + segment.parts![i - 1].byteRange.length);
      });
      const last = segment.parts!.at(-1)!;
      expect(last.byteRange.offset + last.byteRange.length).toBe(readFileSync(`demo/media/lowlatency/360p/${segment.uri}`).length);
    }
  });

  test('refuses a part of another file and a part without a byte range', () => {
    const lines = (part: string) => ['#EXTM3U', '#EXT-X-TARGETDURATION:2', part, '#EXTINF:2,', 'a.m4s'].join('\n');
    expect(() => parseMediaPlaylist(lines('#EXT-X-PART:DURATION=0.5,URI="b.m4s",BYTERANGE="10@0"'))).toThrow('must be byte ranges of its own file');
    expect(() => parseMediaPlaylist(lines('#EXT-X-PART:DURATION=0.5,URI="a.m4s"'))).toThrow('BYTERANGE');
  });

  test('reads the committed single-file byte-range playlist', () => {
    const playlist = parseMediaPlaylist(readFileSync('demo/media/byterange/360p/index.m3u8', 'utf8'));
    expect(playlist.maps[0].byteRange?.offset).toBe(0);
    expect(playlist.segments[0].byteRange?.offset).toBe(playlist.maps[0].byteRange?.length);
    for (let i = 1; i < playlist.segments.length; i += 1) {
      const previous = playlist.segments[i - 1].byteRange!;
      expect(playlist.segments[i].byteRange?.offset).toBe(previous.offset + previous.length);
    }
  });

  test.each([
    ['#EXTM3U\n#EXTINF:2,\n#EXT-X-BYTERANGE:300\na.mp4\n', /no offset/],
    ['#EXTM3U\n#EXTINF:2,\n#EXT-X-BYTERANGE:x@1\na.mp4\n', /not <length>\[@<offset>\]/],
    ['hello', /no #EXTM3U/],
    ['#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\na.m3u8\n', /multivariant/],
    ['#EXTM3U\nseg.ts\n', /no valid #EXTINF/],
    ['#EXTM3U\n#EXT-X-ENDLIST\n', /no segments/],
  ])('rejects %j', (text, reason) => {
    expect(() => parseMediaPlaylist(text, 'x.m3u8')).toThrow(reason);
  });
});
