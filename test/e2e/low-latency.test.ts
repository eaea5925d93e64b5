import type { Page } from 'playwright-core';
import { openViewer, useTestbed, waitFor, type Viewer } from './harness';

// LL-HLS from the dev origin (/ll/, demo/media/lowlatency: 2 s segments of four 0.5 s parts, PART-HOLD-BACK
// 1.5 s, blocking playlist reloads, preload hints). Meshcast keeps the latency hls.js keeps, with parts over
// HTTP; a page that chooses a latency gets complete segments, which peers share.
const STREAM = '/ll/lowlatency/master.m3u8';
const PART_HOLD_BACK_S = 1.5;

/** Seconds between now and the program date-time of the frame playing, hls.js's own measure. */
const latencyOf = (page: Page, hlsExpression: string) =>
  page.evaluate((expr) => {
    const hls = (0, eval)(expr) as { playingDate: Date | null };
    return hls.playingDate ? (Date.now() - hls.playingDate.getTime()) / 1000 : Number.NaN;
  }, hlsExpression);

/** The median of `samples` readings 1 s apart, once the page has played 6 s. */
async function steadyLatency(page: Page, hlsExpression: string, samples = 5): Promise<number> {
  await waitFor('6 s of playback', () => page.evaluate(() => document.querySelector('video')!.currentTime), (t) => t > 6, 60_000);
  const readings: number[] = [];
  for (let i = 0; i < samples; i += 1) {
    readings.push(await latencyOf(page, hlsExpression));
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  return readings.sort((a, b) => a - b)[Math.floor(samples / 2)];
}

/** Response bytes of the segments and parts (fMP4) a page fetched itself, by kind. */
function mediaBytes(page: Page) {
  const bytes = { parts: 0, segments: 0, init: 0 };
  page.on('requestfinished', async (request) => {
    const name = request.url().split('?')[0].split('/').pop() ?? '';
    const size = (await request.sizes()).responseBodySize;
    if (/\.p\d+\.m4s$/.test(name)) bytes.parts += size;
    else if (name.endsWith('.m4s')) bytes.segments += size;
    else if (name.endsWith('.mp4')) bytes.init += size;
  });
  return bytes;
}

describe('LL-HLS', () => {
  const bed = useTestbed();
  const meshcastUrl = (query = '') => `${bed.server.url}/demo/hlsjs.html?src=${encodeURIComponent(STREAM)}&beacons=0${query}`;

  async function openPlainHls(): Promise<{ page: Page; close: () => Promise<void> }> {
    const context = await bed.browser.newContext();
    const page = await context.newPage();
    await page.goto(`${bed.server.url}/origin/bytes`); // an empty page of the same origin
    await page.setContent('<video muted autoplay playsinline></video>');
    await page.addScriptTag({ url: `${bed.server.url}/vendor/hls.js/dist/hls.min.js` });
    await page.evaluate((src) => {
      const w = window as unknown as { Hls: new () => { loadSource(s: string): void; attachMedia(m: HTMLMediaElement): void }; hls: unknown };
      const hls = new w.Hls();
      w.hls = hls;
      hls.loadSource(src);
      hls.attachMedia(document.querySelector('video')!);
    }, `${bed.server.url}${STREAM}`);
    return { page, close: () => context.close() };
  }

  test('the origin serves parts, preload hints and blocking reloads', async () => {
    const playlistUrl = `${bed.server.url}/ll/lowlatency/360p/index.m3u8`;
    const playlist = await (await fetch(playlistUrl)).text();
    expect(playlist).toContain(`#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=${PART_HOLD_BACK_S.toFixed(3)}`);
    expect(playlist).toContain('#EXT-X-PART-INF:PART-TARGET=0.500');
    const hint = /#EXT-X-PRELOAD-HINT:TYPE=PART,URI="index-live-(\d+)\.p(\d+)\.m4s"/.exec(playlist);
    expect(hint).not.toBeNull();
    // The playlist that has the hinted part is held until the part exists, then lists it.
    const [, msn, part] = hint!;
    const held = await (await fetch(`${playlistUrl}?_HLS_msn=${msn}&_HLS_part=${part}`)).text();
    expect(held).toContain(`URI="index-live-${msn}.p${part}.m4s"`);
    expect(held).not.toContain(`#EXT-X-PRELOAD-HINT:TYPE=PART,URI="index-live-${msn}.p${part}.m4s"`);
    expect((await fetch(`${playlistUrl}?_HLS_msn=${Number(msn) + 100}`)).status).toBe(400);
    // Parts are the segment's bytes, in order.
    const whole = Buffer.from(await (await fetch(`${bed.server.url}/ll/lowlatency/360p/index-live-${Number(msn) - 1}.m4s`)).arrayBuffer());
    const parts = await Promise.all([0, 1, 2, 3].map(async (i) =>
      Buffer.from(await (await fetch(`${bed.server.url}/ll/lowlatency/360p/index-live-${Number(msn) - 1}.p${i}.m4s`)).arrayBuffer())));
    expect(Buffer.concat(parts).equals(whole)).toBe(true);
    // Media without parts is not offered as LL-HLS.
    expect((await fetch(`${bed.server.url}/ll/vod/360p/index.m3u8`)).status).toBe(501);
  });

  test('Meshcast plays at the latency hls.js alone keeps, parts over HTTP, every byte counted', async () => {
    const plain = await openPlainHls();
    let meshcast: Viewer | undefined;
    try {
      const plainLatency = await steadyLatency(plain.page, 'window.hls');
      let fetched: ReturnType<typeof mediaBytes> | undefined;
      meshcast = await openViewer(bed.browser, meshcastUrl(), undefined, undefined, async (page) => { fetched = mediaBytes(page); });
      const meshcastLatency = await steadyLatency(meshcast.page, 'window.engine.hls');
      const stats = await meshcast.stats();
      console.log(`LL-HLS latency: hls.js alone ${plainLatency.toFixed(2)} s, Meshcast ${meshcastLatency.toFixed(2)} s (stats ${stats.liveLatencyS} s); Meshcast P2P ${stats.p2pBytes} B, HTTP ${stats.httpBytes} B`);
      // Not pushed back to the 15 s default: at the stream's PART-HOLD-BACK, no further behind than hls.js.
      expect(meshcastLatency).toBeLessThanOrEqual(Math.max(plainLatency, PART_HOLD_BACK_S) + 1);
      expect(Math.abs((stats.liveLatencyS ?? Number.NaN) - meshcastLatency)).toBeLessThan(1);
      expect(fetched!.parts).toBeGreaterThan(0);
      // What the page fetched over HTTP is what its stats say it fetched (read around the same moment).
      const pageHttp = fetched!.parts + fetched!.segments + fetched!.init;
      expect(Math.abs(stats.httpBytes - pageHttp)).toBeLessThan(Math.max(30_000, 0.05 * pageHttp));
      expect(stats.rebufferCount).toBe(0);
      expect(await meshcast.fatalErrors()).toEqual([]);
    } finally {
      await meshcast?.close();
      await plain.close();
    }
  }, 150_000);

  test('at a latency the page chooses, complete segments come from peers, verified', async () => {
    const query = '&targetLatency=6';
    const first = await openViewer(bed.browser, meshcastUrl(query));
    let fetched: ReturnType<typeof mediaBytes> | undefined;
    const second = await openViewer(bed.browser, meshcastUrl(query), undefined, undefined, async (page) => { fetched = mediaBytes(page); });
    try {
      await waitFor('P2P bytes at a viewer', async () => (await first.stats()).p2pBytes + (await second.stats()).p2pBytes, (b) => b > 0, 60_000);
      const latency = await steadyLatency(second.page, 'window.engine.hls');
      const stats = [await first.stats(), await second.stats()];
      console.log(`LL-HLS at live.targetLatency 6: latency ${latency.toFixed(2)} s; P2P ${stats.map((s) => s.p2pBytes)} B, HTTP ${stats.map((s) => s.httpBytes)} B`);
      expect(latency).toBeGreaterThan(4.5);
      expect(latency).toBeLessThan(8.5);
      expect(fetched!.parts).toBe(0);
      for (const s of stats) expect(s).toMatchObject({ unverifiedP2PBytes: 0, integrityFailures: 0, rebufferCount: 0 });
      for (const viewer of [first, second]) expect(await viewer.fatalErrors()).toEqual([]);
    } finally {
      await first.close();
      await second.close();
    }
  }, 150_000);
});
