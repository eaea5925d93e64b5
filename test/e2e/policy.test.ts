import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { openViewer, ROOT, sleep, useTestbed, waitFor, type Viewer } from './harness';

const RENDITION = path.join(ROOT, 'demo/media/vod/360p');
const LARGEST_SEGMENT = Math.max(...readdirSync(RENDITION).filter((f) => f.endsWith('.ts')).map((f) => statSync(path.join(RENDITION, f)).size));

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

  test('upload.maxBytesPerS holds a seeder\'s upload to its rate, plus its stated burst', async () => {
    const limit = 8_000;
    const limited = swarm('limited');
    // The seeder holds 30 s of the stream before anyone asks: three viewers would take far more than the limit.
    const seeder = await open(page(bed.server.url, { upload: { maxBytesPerS: limit } }, limited));
    await waitFor('the seeder to hold 30 s', async () => (await seeder.stats()).segmentsHttp, (n) => n >= 15, 60_000);
    const startedAt = Date.now();
    const others: Viewer[] = [];
    for (let i = 0; i < 3; i += 1) others.push(await open(page(bed.server.url, {}, limited)));
    await sleep(30_000);
    const elapsedS = (Date.now() - startedAt) / 1000;
    const sent = (await seeder.stats()).uploadedBytes;
    const received = (await Promise.all(others.map((v) => v.stats()))).reduce((n, s) => n + s.p2pBytes, 0);
    console.log(`seeder limited to ${limit} B/s sent ${sent} B in ${elapsedS.toFixed(1)} s (${(sent / elapsedS).toFixed(0)} B/s); viewers received ${received} B from peers`);
    expect(sent).toBeGreaterThan(0);
    // The rate times the time, plus two seconds of burst, plus the uploads under way when the
    // budget ran out (at most upload.maxConcurrent = 4 segments).
    expect(sent).toBeLessThanOrEqual(limit * elapsedS + 2 * limit + 4 * LARGEST_SEGMENT);
    for (const v of others) expect((await v.stats()).p2pStalls).toBe(0);
  });

  test('live.targetLatency: the player sits at the latency it was given', async () => {
    const near = await open(`${bed.server.url}/demo/hlsjs.html?src=live&level=1&targetLatency=8${swarm('near')}`);
    const far = await open(`${bed.server.url}/demo/hlsjs.html?src=live&level=1&targetLatency=24${swarm('far')}`);
    await waitFor('both to play 16 s', () => Promise.all([near.stats(), far.stats()]), (s) => Math.min(...s.map((x) => x.playingMs)) > 16_000, 60_000);
    const [nearLatency, farLatency] = (await Promise.all([near.stats(), far.stats()])).map((s) => s.liveLatencyS!);
    console.log(`live latency with target 8 s: ${nearLatency} s; with target 24 s: ${farLatency} s`);
    expect(Math.abs(nearLatency - 8)).toBeLessThanOrEqual(3);
    expect(Math.abs(farLatency - 24)).toBeLessThanOrEqual(3);
  });
});
