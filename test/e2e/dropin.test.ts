import type { Browser } from 'playwright-core';
import { openViewer, useTestbed, type Viewer, waitFor } from './harness';

/** Two viewers of one page; the second must get P2P bytes from the first. */
async function twoViewersShare(browser: Browser, url: string, statsOf: string): Promise<Viewer[]> {
  const first = await openViewer(browser, url, statsOf);
  await waitFor('first viewer to buffer', first.stats, (s) => s !== undefined && s.segmentsHttp + s.segmentsP2P >= 6, 45_000);
  const second = await openViewer(browser, url, statsOf);
  await waitFor('second viewer to play 8 s', second.currentTime, (t) => t > 8, 45_000);
  const stats = await second.stats();
  expect(stats.p2pBytes).toBeGreaterThan(0);
  // Every segment a peer sent matched its hash (a detached buffer would arrive empty and fail).
  for (const viewer of [first, second]) expect((await viewer.stats()).integrityFailures).toBe(0);
  expect(await first.currentTime()).toBeGreaterThan(8);
  return [first, second];
}

// The one-tag drop-in: pages that only add <script src="meshcast.min.js" data-trackers="…">.
describe('drop-in script tag', () => {
  const bed = useTestbed();

  test('a video.js page with no other script gets P2P', async () => {
    const viewers = await twoViewersShare(bed.browser, `${bed.server.url}/demo/videojs-dropin.html`, 'Meshcast.stats(videojs.getPlayers().player)');
    for (const viewer of viewers) {
      expect(await viewer.page.evaluate('videojs.getPlayers().player.error()')).toBeNull();
      expect(await viewer.page.evaluate('Boolean(videojs.getPlayers().player.tech(true).vhs)')).toBe(false);
    }
    await Promise.all(viewers.map((v) => v.close()));
  });

  test('a plain <video src="….m3u8"> page gets P2P', async () => {
    const viewers = await twoViewersShare(bed.browser, `${bed.server.url}/demo/video-dropin.html`, "Meshcast.stats(document.querySelector('video'))");
    await Promise.all(viewers.map((v) => v.close()));
  });

  test('a page running its own hls.js gets P2P with Meshcast.attach(hls)', async () => {
    const viewers = await twoViewersShare(bed.browser, `${bed.server.url}/demo/hlsjs-attach.html`, 'Meshcast.stats(hls)');
    await Promise.all(viewers.map((v) => v.close()));
  });

  test('players added later are upgraded; data-meshcast="off" opts one out', async () => {
    const viewer = await openViewer(bed.browser, 'about:blank', "Meshcast.stats(document.getElementById('later'))");
    // A page of this origin with an opted-out video.js player and a plain <video> added later.
    await viewer.page.route(`${bed.server.url}/demo/optout-test.html`, (route) => route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><link rel="stylesheet" href="/vendor/video.js/dist/video-js.min.css">
        <video id="off" class="video-js" data-meshcast="off" muted autoplay data-setup="{}"><source src="/media/vod/master.m3u8" type="application/x-mpegURL"></video>
        <script src="/vendor/video.js/dist/video.min.js"></script>
        <script src="/dist/meshcast.min.js" data-trackers="${bed.server.trackerUrl}"></script>
        <script>setTimeout(() => document.body.insertAdjacentHTML('beforeend', '<video id="later" src="/media/vod/master.m3u8" muted autoplay></video>'), 500);</script>`,
    }));
    await viewer.page.goto(`${bed.server.url}/demo/optout-test.html`);
    await waitFor('the added <video> to play through Meshcast', async () => (await viewer.stats())?.segmentsHttp ?? 0, (n) => n > 2, 30_000);
    await waitFor('the opted-out player to play', () => viewer.page.evaluate('videojs.getPlayers().off.currentTime()') as Promise<number>, (t) => t > 2, 30_000);
    const off = await viewer.page.evaluate(`(() => { const p = videojs.getPlayers().off; return { plugin: p.usingPlugin('meshcast'), vhs: Boolean(p.tech(true).vhs) }; })()`);
    expect(off).toEqual({ plugin: false, vhs: true });
    await viewer.close();
  });
});
