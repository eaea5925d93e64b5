import { openViewer, useTestbed, waitFor } from './harness';

// (a) One viewer plays VOD and an emulated live stream through hls.js + p2p-media-loader.
describe('single viewer playback', () => {
  const bed = useTestbed(['--live-window', '30']);

  test('plays VOD: currentTime advances, segments arrive, no fatal error', async () => {
    const viewer = await openViewer(bed.browser, `${bed.server.url}/demo/hlsjs.html?src=vod`);
    await waitFor('VOD playback past 6 s', viewer.currentTime, (t) => t > 6, 45_000);
    const stats = await viewer.stats();
    expect(stats.httpBytes + stats.p2pBytes).toBeGreaterThan(0);
    expect(stats.segmentsHttp).toBeGreaterThan(2);
    expect(await viewer.fatalErrors()).toEqual([]);
    await viewer.close();
  });

  test('plays live: a live playlist, currentTime advances near the edge, no fatal error', async () => {
    const viewer = await openViewer(bed.browser, `${bed.server.url}/demo/hlsjs.html?src=live`);
    const start = await waitFor('live playback to start', viewer.currentTime, (t) => t > 0, 45_000);
    await waitFor('live playback to advance 6 s', viewer.currentTime, (t) => t > start + 6, 45_000);
    const live = await viewer.page.evaluate(() => {
      const hls = (window as unknown as { engine: { hls: { levels: Array<{ details?: { live: boolean; startSN: number } }>; liveSyncPosition: number | null; media: HTMLMediaElement } } }).engine.hls;
      const details = hls.levels.find((level) => level.details)?.details;
      return { live: details?.live, startSN: details?.startSN, behindEdge: (hls.liveSyncPosition ?? 0) - hls.media.currentTime };
    });
    expect(live.live).toBe(true);
    // The 30 s window of a stream started with a full window: the playlist no longer starts at 0.
    expect(live.startSN).toBeGreaterThan(0);
    expect(live.behindEdge).toBeLessThan(30);
    expect(await viewer.fatalErrors()).toEqual([]);
    await viewer.close();
  });
});
