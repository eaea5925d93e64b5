import type { Page } from 'playwright-core';
import { openViewer, useTestbed, waitFor } from './harness';

// AES-128 HLS (demo/media/aes128, made by make-encrypted.sh): peers share the encrypted segments as the
// CDN serves them (their sidecar holds the ciphertext's hashes), and every viewer gets the key over HTTP
// itself: p2p-media-loader carries segments only.
describe('AES-128 encrypted stream', () => {
  const bed = useTestbed();

  test('ciphertext is shared and verified; each viewer fetches the key itself; both play', async () => {
    const keyRequests = [0, 0];
    const watch = (i: number) => async (page: Page) => {
      page.on('requestfinished', (request) => {
        if (request.url().endsWith('/aes128/360p/key.bin')) keyRequests[i] += 1;
      });
    };
    const url = `${bed.server.url}/demo/hlsjs.html?src=${encodeURIComponent('/media/aes128/master.m3u8')}&beacons=0`;
    const first = await openViewer(bed.browser, url, undefined, undefined, watch(0));
    await waitFor('the first viewer to play 6 s', first.currentTime, (t) => t > 6);
    const second = await openViewer(bed.browser, url, undefined, undefined, watch(1));
    await waitFor('P2P bytes at the second viewer', second.stats, (s) => s.p2pBytes > 0, 60_000);
    await waitFor('the second viewer to play 8 s (it decrypts what peers sent)', second.currentTime, (t) => t > 8);
    const stats = await second.stats();
    expect(stats.segmentsP2P).toBeGreaterThan(0);
    // What peers sent hashed as the CDN's ciphertext.
    expect(stats).toMatchObject({ unverifiedP2PBytes: 0, integrityFailures: 0 });
    expect(keyRequests[0]).toBeGreaterThan(0);
    expect(keyRequests[1]).toBeGreaterThan(0);
    for (const viewer of [first, second]) expect(await viewer.fatalErrors()).toEqual([]);
    await first.close();
    await second.close();
  }, 120_000);
});
