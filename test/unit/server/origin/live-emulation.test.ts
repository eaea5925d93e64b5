import { completedSegments, liveMediaPlaylist, liveSegmentAt, partAvailableAtMs, segmentAvailableAtMs } from '../../../../src/server/origin/live-emulation';
import type { MediaPlaylist } from '../../../../src/server/media/playlists';

// Four VOD segments of 2 s: one loop of the emulated live stream lasts 8 s.
const vod: MediaPlaylist = {
  targetDuration: 2,
  maps: [], headerTags: ['#EXT-X-VERSION:6'],
  segments: [0, 1, 2, 3].map((i) => ({ uri: `seg_${i}.ts`, duration: 2 })),
};
const T0 = Date.UTC(2026, 0, 1);
const clock = { startedAtMs: T0, windowS: 6 };
const uri = (msn: number) => `live-${msn}.ts`;

function parse(text: string) {
  const tag = (name: string) => Number(new RegExp(`#${name}:(\\d+)`).exec(text)?.[1]);
  return {
    mediaSequence: tag('EXT-X-MEDIA-SEQUENCE'),
    discontinuitySequence: tag('EXT-X-DISCONTINUITY-SEQUENCE'),
    uris: text.split('\n').filter((l) => l.startsWith('live-')),
    discontinuities: text.split('\n').filter((l) => l === '#EXT-X-DISCONTINUITY').length,
    endList: text.includes('#EXT-X-ENDLIST'),
  };
}

describe('live emulation', () => {
  test('at start the window is already full', () => {
    expect(completedSegments(vod, clock, T0)).toBe(3);
    const playlist = parse(liveMediaPlaylist(vod, clock, T0, uri));
    expect(playlist).toMatchObject({ mediaSequence: 0, uris: ['live-0.ts', 'live-1.ts', 'live-2.ts'], endList: false });
  });

  test('the edge advances with the clock, one segment per segment duration', () => {
    expect(completedSegments(vod, clock, T0 + 1_999)).toBe(3);
    expect(completedSegments(vod, clock, T0 + 2_000)).toBe(4);
    const playlist = parse(liveMediaPlaylist(vod, clock, T0 + 10_000, uri));
    expect(playlist.mediaSequence).toBe(5);
    expect(playlist.uris).toEqual(['live-5.ts', 'live-6.ts', 'live-7.ts']);
  });

  test('media sequence keeps increasing across loops of the VOD media, with a discontinuity at each loop', () => {
    const playlist = liveMediaPlaylist(vod, clock, T0 + 6_000, uri);
    const parsed = parse(playlist);
    expect(parsed.uris).toEqual(['live-3.ts', 'live-4.ts', 'live-5.ts']);
    expect(parsed.discontinuities).toBe(1);
    expect(playlist).toMatch(/live-3\.ts\n#EXT-X-DISCONTINUITY\n#EXT-X-PROGRAM-DATE-TIME:[^\n]+\n#EXTINF:2\.000,\nlive-4\.ts/);
    // Segment 4 is VOD segment 0 again, on the second loop.
    expect(liveSegmentAt(vod, 4)).toEqual({ index: 0, startS: 8 });
    // 60 s after start, 66 s of stream exist: segments 0..32; the 6 s window shows 30..32,
    // and segment 30 is on the 8th loop (discontinuity sequence 7).
    const later = parse(liveMediaPlaylist(vod, clock, T0 + 60_000, uri));
    expect(later.mediaSequence).toBe(30);
    expect(later.uris).toEqual(['live-30.ts', 'live-31.ts', 'live-32.ts']);
    expect(later.discontinuitySequence).toBe(7);
  });

  test('program date-times follow the live timeline', () => {
    const playlist = liveMediaPlaylist(vod, clock, T0, uri);
    expect(playlist).toContain(`#EXT-X-PROGRAM-DATE-TIME:${new Date(T0 - 6_000).toISOString()}\n#EXTINF:2.000,\nlive-0.ts`);
  });

  test('a window shorter than three segments still lists three', () => {
    const playlist = parse(liveMediaPlaylist(vod, { startedAtMs: T0, windowS: 2 }, T0 + 20_000, uri));
    expect(playlist.uris).toHaveLength(3);
  });
});

describe('LL-HLS emulation', () => {
  // The same four 2 s segments, each of four 0.5 s parts.
  const parts = [0, 1, 2, 3].map((i) => ({ duration: 0.5, byteRange: { offset: i * 100, length: 100 }, independent: i === 0 }));
  const ll: MediaPlaylist = { ...vod, partTarget: 0.5, segments: vod.segments.map((s) => ({ ...s, parts })) };
  const partUri = (msn: number, part: number) => `live-${msn}.p${part}.ts`;
  const lines = (text: string) => text.trim().split('\n');

  test('parts become available every part target; a part past the last is the next segment\'s first', () => {
    // At start segments 0..2 are complete (6 s window); segment 3 starts then.
    expect(segmentAvailableAtMs(ll, clock, 2)).toBe(T0);
    expect(partAvailableAtMs(ll, clock, 3, 0)).toBe(T0 + 500);
    expect(partAvailableAtMs(ll, clock, 3, 3)).toBe(T0 + 2_000);
    expect(partAvailableAtMs(ll, clock, 3, 4)).toBe(partAvailableAtMs(ll, clock, 4, 0));
  });

  test('the playlist has server control, the parts of recent segments and of the one in progress, and a preload hint', () => {
    const text = liveMediaPlaylist(ll, clock, T0 + 1_200, uri, partUri);
    expect(text).toContain('#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.500\n#EXT-X-PART-INF:PART-TARGET=0.500');
    const tail = lines(text).slice(-4);
    expect(tail).toEqual([
      expect.stringMatching(/^#EXT-X-PROGRAM-DATE-TIME:/),
      '#EXT-X-PART:DURATION=0.50000,URI="live-3.p0.ts",INDEPENDENT=YES',
      '#EXT-X-PART:DURATION=0.50000,URI="live-3.p1.ts"',
      '#EXT-X-PRELOAD-HINT:TYPE=PART,URI="live-3.p2.ts"',
    ]);
    // Complete segments within three target durations of the edge keep their parts, before their EXTINF.
    expect(text).toContain('#EXT-X-PART:DURATION=0.50000,URI="live-2.p3.ts"\n#EXTINF:2.000,\nlive-2.ts');
    // Older segments drop their parts (a 12 s window: segments 0..5 complete, the edge at 13.2 s).
    const wide = liveMediaPlaylist(ll, { startedAtMs: T0, windowS: 12 }, T0 + 1_200, uri, partUri);
    expect(wide).not.toContain('live-2.p');
    expect(wide).toContain('live-3.p0.ts');
    expect(parse(text).uris).toEqual(['live-0.ts', 'live-1.ts', 'live-2.ts']);
  });

  test('once every part of the segment in progress is listed, the hint names the next segment\'s first part', () => {
    const text = liveMediaPlaylist(ll, clock, T0 + 1_999, uri, partUri);
    expect(lines(text).at(-1)).toBe('#EXT-X-PRELOAD-HINT:TYPE=PART,URI="live-3.p3.ts"');
    const complete = liveMediaPlaylist(ll, clock, T0 + 2_000, uri, partUri);
    expect(lines(complete).at(-1)).toBe('#EXT-X-PRELOAD-HINT:TYPE=PART,URI="live-4.p0.ts"');
    expect(complete).toContain('#EXTINF:2.000,\nlive-3.ts');
  });

  test('without a part URI function the same media is plain live', () => {
    expect(liveMediaPlaylist(ll, clock, T0 + 1_200, uri)).toBe(liveMediaPlaylist(vod, clock, T0 + 1_200, uri));
  });
});
