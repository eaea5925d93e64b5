import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { openViewer, ROOT, sleep, useTestbed, type Viewer, waitFor } from './harness';

const SIDECAR = '**/vod/360p/index.sha256.json';

/**
 * A viewer whose sidecar disagrees with what peers send: every P2P segment fails its SHA-256
 * check, so none may reach the player, and the segments come over HTTP instead. The same setup
 * with verification off lets the P2P segments through, which shows the check is what stops them.
 */
async function viewerWithForgedSidecar(browser: Browser, url: string): Promise<Viewer> {
  const viewer = await openViewer(browser, 'about:blank');
  await viewer.page.route(SIDECAR, async (route) => {
    const real = JSON.parse(readFileSync(path.join(ROOT, 'demo/media/vod/360p/index.sha256.json'), 'utf8')) as Record<string, string>;
    const forged = Object.fromEntries(Object.keys(real).map((uri) => [uri, createHash('sha256').update(`forged ${uri}`).digest('hex')]));
    await route.fulfill({ json: forged });
  });
  await viewer.page.goto(url);
  return viewer;
}

describe('segment integrity', () => {
  const bed = useTestbed();

  test('P2P segments that fail verification are dropped and fetched over HTTP; playback goes on', async () => {
    const url = `${bed.server.url}/demo/hlsjs.html?src=vod&level=1`;
    const seeders = [await openViewer(bed.browser, url), await openViewer(bed.browser, url)];
    await waitFor('seeders to buffer', () => seeders[1].stats(), (s) => s.segmentsHttp + s.segmentsP2P >= 20, 60_000);

    const checked = await viewerWithForgedSidecar(bed.browser, url);
    const unchecked = await viewerWithForgedSidecar(bed.browser, `${url}&integrity=off`);
    await waitFor('both to play 16 s', async () => Math.min(await checked.currentTime(), await unchecked.currentTime()), (t) => t > 16, 60_000);
    await sleep(1_000);

    const withCheck = await checked.stats();
    expect(withCheck.integrityFailures).toBeGreaterThan(0);
    expect(withCheck.p2pBytes).toBe(0);
    expect(withCheck.httpBytes).toBeGreaterThan(0);
    expect(withCheck.rebufferCount).toBe(0);
    expect(await checked.fatalErrors()).toEqual([]);

    const withoutCheck = await unchecked.stats();
    expect(withoutCheck.p2pBytes).toBeGreaterThan(0);
    expect(withoutCheck.integrityFailures).toBe(0);

    for (const seeder of seeders) expect(await seeder.stats()).toMatchObject({ integrityFailures: 0, unverifiedP2PBytes: 0 });
  });
});
