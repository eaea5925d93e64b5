import { openViewer, sleep, useTestbed, waitFor, type Viewer } from './harness';

/** A page whose browser asks to save data (Network Information API), as a phone in data-saver mode. */
const SAVE_DATA = `Object.defineProperty(Navigator.prototype, 'connection', {
  configurable: true,
  get: () => ({ saveData: true, type: 'wifi', addEventListener() {}, removeEventListener() {} }),
})`;

const page = (base: string, options: object = {}, extra = '') =>
  `${base}/demo/hlsjs.html?src=vod&level=1${extra}&options=${encodeURIComponent(JSON.stringify(options))}`;

describe('delivery policy in real browsers', () => {
  const bed = useTestbed();
  const opened: Viewer[] = [];
  afterEach(async () => {
    for (const v of opened.splice(0)) await v.close();
  });
  const open = async (url: string, initScript?: string) => {
    const viewer = await openViewer(bed.browser, url, 'window.engine.stats()', initScript);
    opened.push(viewer);
    return viewer;
  };

  // Each scenario gets its own swarm, so seeders of one never serve viewers of another.
  const swarm = (name: string) => `&swarmId=${name}-${Date.now()}`;

  test('Save-Data and hidden tabs upload nothing by default; upload.onSaveData lets a seeder serve', async () => {
    const quiet = swarm('quiet');
    const saver = await open(page(bed.server.url, {}, quiet), SAVE_DATA);
    const hidden = await open(page(bed.server.url, {}, quiet));
    await hidden.page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await waitFor('the seeders to play 8 s', () => Promise.all([saver.currentTime(), hidden.currentTime()]), (t) => Math.min(...t) > 8, 60_000);
    const leecher = await open(page(bed.server.url, {}, quiet));
    await waitFor('the leecher to play 20 s', leecher.currentTime, (t) => t > 20, 60_000);
    const [saverStats, hiddenStats, leecherStats] = await Promise.all([saver.stats(), hidden.stats(), leecher.stats()]);
    expect(leecherStats.peers).toBeGreaterThan(0);
    expect(leecherStats.p2pBytes).toBe(0);
    expect(saverStats.uploadedBytes).toBe(0);
    expect(hiddenStats.uploadedBytes).toBe(0);

    const generous = swarm('generous');
    const allowed = await open(page(bed.server.url, { upload: { onSaveData: true } }, generous), SAVE_DATA);
    await waitFor('the seeder to play 8 s', allowed.currentTime, (t) => t > 8, 60_000);
    const second = await open(page(bed.server.url, {}, generous));
    await waitFor('the second viewer to play 20 s', second.currentTime, (t) => t > 20, 60_000);
    expect((await second.stats()).p2pBytes).toBeGreaterThan(0);
    expect((await allowed.stats()).uploadedBytes).toBeGreaterThan(0);
  });

  test('upload.maxBytesPerS holds a seeder\'s average upload rate near its limit', async () => {
    const limit = 8_000;
    const limited = swarm('limited');
    const seeder = await open(page(bed.server.url, { upload: { maxBytesPerS: limit } }, limited));
    await waitFor('the seeder to play 10 s', seeder.currentTime, (t) => t > 10, 60_000);
    const startBytes = (await seeder.stats()).uploadedBytes;
    const startedAt = Date.now();
    for (let i = 0; i < 3; i += 1) await open(page(bed.server.url, {}, limited));
    await sleep(30_000);
    const sent = (await seeder.stats()).uploadedBytes - startBytes;
    const rate = sent / ((Date.now() - startedAt) / 1000);
    console.log(`seeder limited to ${limit} B/s sent ${sent} B, ${rate.toFixed(0)} B/s`);
    expect(sent).toBeGreaterThan(0);
    // Uploads pause above the limit; one segment (~26 kB) may be under way when they do.
    expect(rate).toBeLessThan(limit * 1.5);
  });

  test('live.targetLatency: the player sits at the latency it was given', async () => {
    const near = await open(`${bed.server.url}/demo/hlsjs.html?src=live&level=1&targetLatency=8${swarm('near')}`);
    const far = await open(`${bed.server.url}/demo/hlsjs.html?src=live&level=1&targetLatency=24${swarm('far')}`);
    await waitFor('both to play 12 s', () => Promise.all([near.currentTime(), far.currentTime()]), (t) => Math.min(...t) > 12, 60_000);
    await sleep(4_000);
    const [nearLatency, farLatency] = (await Promise.all([near.stats(), far.stats()])).map((s) => s.liveLatencyS!);
    console.log(`live latency with target 8 s: ${nearLatency} s; with target 24 s: ${farLatency} s`);
    expect(Math.abs(nearLatency - 8)).toBeLessThanOrEqual(3);
    expect(Math.abs(farLatency - 24)).toBeLessThanOrEqual(3);
  });
});
