import type { Page } from 'playwright-core';
import { openViewer, useTestbed, waitFor } from './harness';

// EME with ClearKey on CENC fMP4 (demo/media/cenc, made by make-cenc.sh): segments travel between peers as
// the CDN serves them (ciphertext, hashed so in the sidecar); each player asks the licence server for the
// key itself through hls.js's EME controller, which p2p-media-loader never sees; the CDM decrypts.
describe('EME ClearKey on CENC fMP4', () => {
  const bed = useTestbed();

  const licenceUrl = () => `${bed.server.url}/origin/clearkey/cenc`;
  const pageUrl = () => {
    const options = {
      hlsConfig: { emeEnabled: true, drmSystems: { 'org.w3.clearkey': { licenseUrl: licenceUrl() } } },
    };
    return `${bed.server.url}/demo/hlsjs.html?src=${encodeURIComponent('/media/cenc/master.m3u8')}&beacons=0`
      + `&options=${encodeURIComponent(JSON.stringify(options))}`;
  };

  test('the media is CENC-encrypted: protected sample entries, a ClearKey PSSH, sample encryption boxes', async () => {
    const bytes = async (file: string) => Buffer.from(await (await fetch(`${bed.server.url}/media/cenc/360p/${file}`)).arrayBuffer());
    const init = await bytes('init.mp4');
    for (const box of ['encv', 'enca', 'tenc', 'pssh']) expect(init.includes(box)).toBe(true);
    expect(init.includes(Buffer.from('1077efecc0b24d02ace33c1e52e2fb4b', 'hex'))).toBe(true);
    expect(init.includes('frma')).toBe(true);
    expect((await bytes('seg_003.m4s')).includes('senc')).toBe(true);
  });

  test('the key is not served as media', async () => {
    const response = await fetch(`${bed.server.url}/media/cenc/clearkey.json`);
    expect(response.status).toBe(404);
  });

  test('licence server answers only with the keys a request names', async () => {
    const stranger = await fetch(licenceUrl(), { method: 'POST', body: JSON.stringify({ kids: ['AAAAAAAAAAAAAAAAAAAAAA'], type: 'temporary' }) });
    expect(stranger.status).toBe(403);
    const malformed = await fetch(licenceUrl(), { method: 'POST', body: 'not json' });
    expect(malformed.status).toBe(400);
  });

  test('ciphertext is shared and verified; each viewer gets its licence over HTTP; both decrypt and play', async () => {
    const licences = [0, 0];
    const watch = (i: number) => async (page: Page) => {
      page.on('requestfinished', async (request) => {
        if (request.url() === licenceUrl() && request.method() === 'POST' && (await request.response())?.status() === 200) licences[i] += 1;
      });
    };
    await fetch(`${bed.server.url}/origin/reset`, { method: 'POST' });
    const first = await openViewer(bed.browser, pageUrl(), undefined, undefined, watch(0));
    await waitFor('the first viewer to play 6 s', first.currentTime, (t) => t > 6, 60_000);
    const second = await openViewer(bed.browser, pageUrl(), undefined, undefined, watch(1));
    await waitFor('P2P bytes at the second viewer', second.stats, (s) => s.p2pBytes > 0, 60_000);
    await waitFor('the second viewer to play 8 s (its CDM decrypts what peers sent)', second.currentTime, (t) => t > 8, 60_000);

    const stats = await second.stats();
    expect(stats.segmentsP2P).toBeGreaterThan(0);
    expect(stats).toMatchObject({ unverifiedP2PBytes: 0, integrityFailures: 0 });
    // Decrypted frames on screen: the video element decoded what peers sent, not just buffered it.
    const decoded = await second.page.evaluate(() => document.querySelector('video')!.getVideoPlaybackQuality().totalVideoFrames);
    expect(decoded).toBeGreaterThan(100);
    expect(licences[0]).toBeGreaterThan(0);
    expect(licences[1]).toBeGreaterThan(0);
    const origin = (await (await fetch(`${bed.server.url}/origin/bytes`)).json()) as { licenceRequests: number };
    expect(origin.licenceRequests).toBe(licences[0] + licences[1]);
    for (const viewer of [first, second]) expect(await viewer.fatalErrors()).toEqual([]);
    await first.close();
    await second.close();
  }, 150_000);
});
