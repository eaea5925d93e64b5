import type { Browser } from 'puppeteer-core';
import { openViewer, saveArtifact, useTestbed, waitFor, type Viewer } from './harness';
import { launchFirefox, openFirefoxViewer, type FirefoxViewer } from './firefox-viewer';

// A mixed swarm: a Firefox viewer (Debian's firefox-esr over WebDriver BiDi) among Chromium viewers plays,
// takes segments from a Chromium peer, and serves them to a Chromium peer that has no one else.
describe('Firefox in a swarm of Chromium viewers', () => {
  const bed = useTestbed();
  let firefox: Browser;
  const chromiumViewers: Viewer[] = [];
  let fox: FirefoxViewer | undefined;

  beforeAll(async () => {
    firefox = await launchFirefox();
  });
  afterAll(async () => {
    for (const viewer of chromiumViewers) await viewer.close().catch(() => undefined);
    await fox?.close().catch(() => undefined);
    await firefox?.close();
  });

  test('Firefox receives from Chromium and uploads to Chromium', async () => {
    const url = `${bed.server.url}/demo/hlsjs.html?src=vod&level=1&beacons=0`;
    const seeder = await openViewer(bed.browser, url);
    chromiumViewers.push(seeder);
    await waitFor('the Chromium seeder to play 6 s', seeder.currentTime, (t) => t > 6);

    fox = await openFirefoxViewer(firefox, url);
    const received = await waitFor('P2P bytes at the Firefox viewer', () => fox!.stats(), (s) => s.p2pBytes > 0 && s.peers > 0, 60_000);
    await waitFor('the Firefox viewer to play 12 s', fox.currentTime, (t) => t > 12, 60_000);

    // The seeder leaves: a new Chromium viewer can only get P2P bytes from Firefox.
    await seeder.close();
    chromiumViewers.splice(0, 1);
    const joiner = await openViewer(bed.browser, url);
    chromiumViewers.push(joiner);
    const joined = await waitFor('P2P bytes at the Chromium joiner', () => joiner.stats(), (s) => s.p2pBytes > 0, 60_000);
    const foxStats = await waitFor('uploads counted at the Firefox viewer', () => fox!.stats(), (s) => s.uploadedBytes > 0, 20_000);

    expect(received.p2pBytes).toBeGreaterThan(0);
    expect(foxStats.uploadedBytes).toBeGreaterThan(0);
    expect(joined.p2pBytes).toBeGreaterThan(0);
    // The demo media has sidecars: Firefox verified what it took, and what it gave was intact.
    expect(foxStats).toMatchObject({ integrityFailures: 0, unverifiedP2PBytes: 0 });
    expect((await joiner.stats()).integrityFailures).toBe(0);
    expect(await fox.fatalErrors()).toEqual([]);
    expect(foxStats.startupMs).not.toBeNull();
    saveArtifact('firefox-swarm.json', { firefox: foxStats, chromiumJoiner: await joiner.stats() });
  }, 180_000);
});
