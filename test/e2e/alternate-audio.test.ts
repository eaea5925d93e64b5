import { openViewer, useTestbed, waitFor } from './harness';

/** Records, in the page, every segment the engine reports: where from, how big, which URL. */
const SEGMENT_RECORDER = `(() => {
  window.__segments = [];
  const hook = setInterval(() => {
    if (!window.engine) return;
    clearInterval(hook);
    window.engine.on('segmentLoaded', (s) => window.__segments.push(s));
  }, 5);
})()`;

type Segment = { source: 'http' | 'p2p'; bytes: number; url: string };
const sum = (segments: Segment[]) => segments.reduce((total, s) => total + s.bytes, 0);

// The captioned stream's audio is an alternate rendition (EXT-X-MEDIA), its own swarm in
// p2p-media-loader: it goes over P2P like the video, and the stats count it.
describe('alternate audio renditions', () => {
  const bed = useTestbed();

  test('audio segments come from peers and count in the stats', async () => {
    const url = `${bed.server.url}/demo/hlsjs.html?src=${encodeURIComponent('/media/captioned/master.m3u8')}&level=1&beacons=0`;
    const first = await openViewer(bed.browser, url, undefined, SEGMENT_RECORDER);
    await waitFor('the first viewer to play 6 s', first.currentTime, (t) => t > 6);
    const second = await openViewer(bed.browser, url, undefined, SEGMENT_RECORDER);
    const audioFromPeers = async () => ((await second.page.evaluate('window.__segments')) as Segment[]).filter((s) => s.source === 'p2p' && s.url.includes('/audio/main/'));
    await waitFor('audio segments from peers at the second viewer', audioFromPeers, (s) => s.length >= 3, 60_000);

    // Read together, so no segment lands between the two.
    const { segments, stats } = (await second.page.evaluate('({ segments: window.__segments.slice(), stats: window.engine.stats() })')) as { segments: Segment[]; stats: { p2pBytes: number; httpBytes: number; segmentsP2P: number } };
    const audio = segments.filter((s) => s.url.includes('/audio/main/'));
    const video = segments.filter((s) => s.url.includes('/vod/360p/'));
    expect(sum(audio.filter((s) => s.source === 'p2p'))).toBeGreaterThan(0);
    expect(sum(video.filter((s) => s.source === 'p2p'))).toBeGreaterThan(0);
    // The stats hold audio and video alike: every reported segment, nothing else.
    expect(stats.p2pBytes).toBe(sum(segments.filter((s) => s.source === 'p2p')));
    expect(stats.httpBytes).toBe(sum(segments.filter((s) => s.source === 'http')));
    expect(stats.segmentsP2P).toBe(segments.filter((s) => s.source === 'p2p').length);
    // The origin sent less audio than the two viewers took.
    const origin = await bed.server.originBytes();
    const audioAtOrigin = Object.entries(origin.segments).filter(([u]) => u.includes('/captioned/audio/main/')).reduce((t, [, e]) => t + e.bytes, 0);
    const firstAudio = ((await first.page.evaluate('window.__segments')) as Segment[]).filter((s) => s.url.includes('/audio/main/'));
    expect(audioAtOrigin).toBeLessThan(sum(audio) + sum(firstAudio));
    expect((await second.stats()).integrityFailures).toBe(0);
    await first.close();
    await second.close();
  }, 120_000);
});
