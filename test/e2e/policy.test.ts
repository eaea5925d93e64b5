import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { bufferAheadAt, BUFFER_RECORDER } from './page-recorders';
import { openViewer, ROOT, sleep, slowSegments, useTestbed, waitFor, type Viewer } from './harness';

const RENDITION = path.join(ROOT, 'demo/media/vod/360p');
const LARGEST_SEGMENT = Math.max(...readdirSync(RENDITION).filter((f) => f.endsWith('.ts')).map((f) => statSync(path.join(RENDITION, f)).size));

/** A page whose browser asks to save data (Network Information API), as a phone in data-saver mode. */
const SAVE_DATA = `Object.defineProperty(Navigator.prototype, 'connection', {
  configurable: true,
  get: () => ({ saveData: true, type: 'wifi', addEventListener() {}, removeEventListener() {} }),
})`;

/** Records, in the page, every segment download (Resource Timing: start and last byte). */
const DOWNLOAD_RECORDER = `window.__segmentDownloads = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if (/seg_\\d+\\.ts/.test(e.name)) window.__segmentDownloads.push({ url: e.name, start: e.startTime, end: e.responseEnd });
}).observe({ type: 'resource', buffered: true });
${BUFFER_RECORDER}`;

/** Segment downloads that started while another was under way and less than `shortS` was buffered. */
async function overlapsOnShortBuffer(viewer: Viewer, shortS: number) {
  const downloads = await viewer.page.evaluate(() =>
    (window as unknown as { __segmentDownloads: Array<{ url: string; start: number; end: number }> }).__segmentDownloads);
  const bufferAt = await bufferAheadAt(viewer);
  const overlapping = downloads.filter((d) => bufferAt(d.start) < shortS && downloads.some((o) => o !== d && o.start <= d.start && o.end > d.start));
  return { downloads: downloads.length, overlapping: overlapping.length };
}

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

  test('a slow link: one segment at a time over HTTP while the buffer is short (p2p-media-loader alone fetches two)', async () => {
    // 26 kB/s: one 360p segment (~33 kB, 2 s) takes ~1.3 s, two at once ~2.6 s each.
    const slow = slowSegments(26_000);
    const guarded = await openViewer(bed.browser, page(bed.server.url, {}, swarm('slow-guarded')), 'window.engine.stats()', DOWNLOAD_RECORDER, slow);
    const plain = await openViewer(bed.browser, `${page(bed.server.url, {}, swarm('slow-plain'))}&policy=pml-defaults`, 'window.engine.stats()', DOWNLOAD_RECORDER, slow);
    opened.push(guarded, plain);
    await waitFor('both to play 16 s', () => Promise.all([guarded.currentTime(), plain.currentTime()]), (t) => Math.min(...t) > 16, 90_000);
    const [mine, theirs] = await Promise.all([overlapsOnShortBuffer(guarded, 4), overlapsOnShortBuffer(plain, 4)]);
    const took = await guarded.page.evaluate(() => (window as unknown as { __segmentDownloads: Array<{ start: number; end: number }> }).__segmentDownloads.map((d) => Math.round(d.end - d.start)));
    console.log(`slow link: guarded viewer's segment downloads took ${took.join(', ')} ms`);
    console.log(`slow link, segment downloads started alongside another with < 4 s buffered: guarded ${mine.overlapping} of ${mine.downloads}, p2p-media-loader defaults ${theirs.overlapping} of ${theirs.downloads}`);
    expect(mine.downloads).toBeGreaterThanOrEqual(8);
    expect(mine.overlapping).toBe(0);
    expect(theirs.overlapping).toBeGreaterThan(0);
    const stats = await guarded.stats();
    expect(stats.p2pStalls).toBe(0);
    expect(await guarded.fatalErrors()).toEqual([]);
  });

  test('startup.waitForPeersMs: a joiner takes its first segment from a peer; alone, start-up waits that long', async () => {
    const joined = swarm('wait');
    await open(page(bed.server.url, {}, joined));
    const seeder = opened[0];
    await waitFor('the seeder to play 6 s', seeder.currentTime, (t) => t > 6, 60_000);
    const waiting = await open(page(bed.server.url, { startup: { waitForPeersMs: 3000 } }, joined), DOWNLOAD_RECORDER);
    const eager = await open(page(bed.server.url, {}, joined), DOWNLOAD_RECORDER);
    await waitFor('both joiners to play 4 s', () => Promise.all([waiting.currentTime(), eager.currentTime()]), (t) => Math.min(...t) > 4, 60_000);
    const fetchedFirst = (viewer: Viewer) => viewer.page.evaluate(() =>
      (window as unknown as { __segmentDownloads: Array<{ url: string }> }).__segmentDownloads.some((d) => d.url.endsWith('/seg_000.ts')));
    expect(await fetchedFirst(waiting)).toBe(false);
    expect((await waiting.stats()).p2pBytes).toBeGreaterThan(0);
    expect(await fetchedFirst(eager)).toBe(true);

    const alone = await open(page(bed.server.url, { startup: { waitForPeersMs: 1500 } }, swarm('wait-alone')));
    await waitFor('the lone viewer to play 2 s', alone.currentTime, (t) => t > 2, 60_000);
    const { startupMs } = await alone.stats();
    console.log(`startup.waitForPeersMs 1500 with no peer: start-up ${startupMs} ms`);
    expect(startupMs).toBeGreaterThanOrEqual(1500);
    expect(await alone.fatalErrors()).toEqual([]);
  });
});
