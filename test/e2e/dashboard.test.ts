import path from 'node:path';
import { openViewer, ROOT, sleep, TEST_TOKEN, useTestbed, waitFor, type Viewer } from './harness';

// Three real viewers send beacons; the operator opens the dashboard in Chromium and reads an
// offload ratio within 2 points of the one the origin measured.
describe('operator dashboard', () => {
  const bed = useTestbed();

  test('shows the offload the origin measured, from real viewers\' beacons', async () => {
    const viewers: Viewer[] = [];
    for (let i = 0; i < 3; i += 1) {
      if (i > 0) await sleep(4_000);
      viewers.push(await openViewer(bed.browser, `${bed.server.url}/demo/hlsjs.html?src=vod&level=1&statsIntervalS=2`));
    }
    await waitFor('the last viewer to play 16 s', viewers[2].currentTime, (t) => t > 16, 60_000);
    // Ending the sessions sends each one's last beacon, so the collector has the final counts; the
    // stats are read after that (the guard keeps fetching just ahead until the end), so they match.
    const stats = await Promise.all(viewers.map(async (v) => {
      await v.stats();
      await v.page.evaluate(() => (window as unknown as { engine: { destroy(): void } }).engine.destroy());
      return v.stats();
    }));
    const origin = await bed.server.originBytes();
    const downloaded = stats.reduce((sum, s) => sum + s.httpBytes + s.p2pBytes, 0);
    const originOffload = 1 - origin.segmentBytes / downloaded;
    expect(stats.slice(1).every((s) => s.p2pBytes > 0)).toBe(true);

    const auth = { authorization: `Bearer ${TEST_TOKEN}` };
    const collected = await waitFor('the last beacons', async () => (await (await fetch(`${bed.server.url}/v1/summary`, { headers: auth })).json()) as { httpBytes: number; p2pBytes: number; uploadedBytes: number; sessions: number },
      (s) => s.sessions === 3 && s.httpBytes + s.p2pBytes === downloaded, 15_000);
    // Every segment a viewer got from a peer is one another viewer sent: uploads and P2P downloads
    // match, short of an upload whose receiver closed before its last chunk arrived.
    console.log(`uploaded ${collected.uploadedBytes} B, received from peers ${collected.p2pBytes} B`);
    expect(collected.uploadedBytes).toBeGreaterThanOrEqual(collected.p2pBytes);
    expect(collected.uploadedBytes).toBeLessThanOrEqual(collected.p2pBytes * 1.05);

    const context = await bed.browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const foreign: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(bed.server.url)) foreign.push(request.url());
    });
    await page.goto(`${bed.server.url}/dashboard`);
    await page.getByLabel('Operator token').fill('not-the-token');
    await page.getByRole('button', { name: 'Open dashboard' }).click();
    await page.getByText('That token is not valid.').waitFor();
    await page.getByLabel('Operator token').fill(TEST_TOKEN);
    await page.getByRole('button', { name: 'Open dashboard' }).click();
    await page.locator('#offload').filter({ hasText: '%' }).waitFor({ timeout: 10_000 });

    const shown = Number((await page.locator('#offload').textContent())!.replace(/[^\d.]/g, '')) / 100;
    console.log(`dashboard offload ${(shown * 100).toFixed(1)} %, origin-measured ${(originOffload * 100).toFixed(1)} %`);
    expect(Math.abs(shown - originOffload)).toBeLessThanOrEqual(0.02);
    expect(await page.locator('#viewers').textContent()).toBe('3');
    // Uploads appear in megabytes with one decimal.
    expect(await page.locator('#uploaded').textContent()).toBe(`${(collected.uploadedBytes / 1e6).toFixed(1)} MB`);
    expect(await page.locator('.uplot').count()).toBe(5);
    expect(await page.locator('#streams tr').count()).toBe(1);
    expect(await page.locator('#streams tr td').first().textContent()).toMatch(/\/media\/vod\/master\.m3u8$/);
    // It says what it reads: all streams over the last hour, until the operator picks otherwise.
    expect(await page.locator('#scope').textContent()).toMatch(/^all streams, last hour \(.+ to .+\)$/);
    const other = { v: 1, sessionId: 'dashboard-other-1', seq: 1, streamId: 'other-stream', live: true, httpBytes: 4_000_000, p2pBytes: 12_000_000,
      uploadedBytes: 0, segmentsHttp: 1, segmentsP2P: 3, peers: 1, integrityFailures: 0, startupMs: 400, rebufferCount: 0, rebufferMs: 0,
      p2pStalls: 0, playingMs: 8000, bitrateKbps: 900, liveLatencyS: 6 };
    expect((await fetch(`${bed.server.url}/v1/beacons`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(other) })).status).toBe(202);
    await page.locator('#streams tr').nth(1).waitFor({ timeout: 10_000 });
    await page.getByLabel('Stream').selectOption('other-stream');
    await page.locator('#scope').filter({ hasText: 'stream other-stream, last hour' }).waitFor({ timeout: 10_000 });
    await page.locator('#http').filter({ hasText: '4.0 MB' }).waitFor({ timeout: 10_000 });
    expect(await page.locator('#offload').textContent()).toBe('75.0 %');
    expect(new URL(page.url()).searchParams.get('stream')).toBe('other-stream');
    await page.getByLabel('Window').selectOption('15m');
    await page.locator('#scope').filter({ hasText: 'stream other-stream, last 15 minutes' }).waitFor({ timeout: 10_000 });
    // A reload keeps the scope: it is in the URL.
    await page.reload();
    await page.locator('#scope').filter({ hasText: 'stream other-stream, last 15 minutes' }).waitFor({ timeout: 10_000 });
    await page.getByLabel('Stream').selectOption('');
    await page.locator('#scope').filter({ hasText: /^all streams, last 15 minutes/ }).waitFor({ timeout: 10_000 });
    expect(foreign).toEqual([]);
    await page.screenshot({ path: path.join(ROOT, 'test-results/dashboard.png'), fullPage: true });
    await context.close();
  });
});
