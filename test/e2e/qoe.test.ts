import { openViewer, sleep, useTestbed, waitFor } from './harness';

// QoE is measured from the media element: a real stall (a segment held back by the network) must
// show as rebuffering, a seek must not, and live streams report their latency.
describe('viewer QoE in stats', () => {
  const bed = useTestbed(['--live-window', '30']);

  test('start-up counts from the autoplay request; a held-back segment is one stall; a seek is none', async () => {
    const context = await bed.browser.newContext();
    const page = await context.newPage();
    // The master playlist answers 1.5 s late: start-up cannot be shorter than that.
    await page.route('**/vod/master.m3u8', async (route) => {
      await sleep(1_500);
      await route.continue();
    });
    // The third 360p segment (4-6 s) arrives 9 s late: playback stalls at 4 s for several seconds.
    await page.route('**/360p/seg_002.ts', async (route) => {
      await sleep(9_000);
      await route.continue();
    });
    await page.goto(`${bed.server.url}/demo/hlsjs.html?src=vod&p2p=0&level=1`);
    const stats = () => page.evaluate(() => (window as unknown as { engine: { stats(): Record<string, number | null> } }).engine.stats());
    const currentTime = () => page.evaluate(() => document.querySelector('video')!.currentTime);

    await waitFor('playback past the held-back segment', currentTime, (t) => t > 7, 40_000);
    const afterStall = await stats();
    expect(afterStall.startupMs).toBeGreaterThanOrEqual(1_500);
    expect(afterStall.startupMs).toBeLessThan(6_500);
    expect(afterStall.rebufferCount).toBe(1);
    expect(afterStall.rebufferMs).toBeGreaterThan(2_000);
    expect(afterStall.rebufferMs).toBeLessThan(9_500);
    expect(afterStall.p2pStalls).toBe(0);
    expect(Math.round(afterStall.bitrateKbps!)).toBe(106); // 360p's declared BANDWIDTH=105600

    await page.evaluate(() => { document.querySelector('video')!.currentTime = 60; });
    await waitFor('playback after the seek', currentTime, (t) => t > 63, 20_000);
    const afterSeek = await stats();
    expect(afterSeek.rebufferCount).toBe(1);
    expect(afterSeek.rebufferMs).toBe(afterStall.rebufferMs);
    // Playing time tracks the media time played (about 7 s + 3 s, give or take the stats tick).
    expect(afterSeek.playingMs).toBeGreaterThan(8_000);
    expect(afterSeek.playingMs).toBeLessThan(14_000);
    expect(afterSeek.liveLatencyS).toBeNull();
    await context.close();
  });

  test('live streams report their latency behind real time', async () => {
    const viewer = await openViewer(bed.browser, `${bed.server.url}/demo/hlsjs.html?src=live`);
    await waitFor('live playback', viewer.currentTime, (t) => t > 0, 30_000);
    await sleep(3_000);
    const stats = await viewer.stats();
    // At least one segment (2 s) behind real time, and inside the 30 s window.
    expect(stats.liveLatencyS).toBeGreaterThan(2);
    expect(stats.liveLatencyS).toBeLessThan(32);
    expect(stats.rebufferCount).toBe(0);
    await viewer.close();
  });
});
