import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, openViewer, ROOT, startMeshcastServer, waitFor, type MeshcastServer, type Viewer } from './harness';

// Where a stream's hashes are: a manifest the multivariant playlist declares (#EXT-X-SESSION-DATA), or
// none at all, in which case the convention (a sidecar next to each media playlist) is probed once.
const RENDITIONS = ['240p', '360p', '480p'];

describe('sidecars: declared by the playlist, or absent', () => {
  let media: string;
  let server: MeshcastServer;
  let browser: Browser;

  beforeAll(async () => {
    media = mkdtempSync(path.join(tmpdir(), 'meshcast-sidecars-'));
    const noSidecars = (src: string) => !src.endsWith('.sha256.json');
    for (const stream of ['declared', 'bare']) cpSync(path.join(ROOT, 'demo/media/vod'), path.join(media, stream), { recursive: true, filter: noSidecars });
    // One manifest for the whole stream, URIs relative to it, declared in the multivariant playlist.
    const manifest: Record<string, string> = {};
    for (const rendition of RENDITIONS) {
      const sidecar = JSON.parse(readFileSync(path.join(ROOT, 'demo/media/vod', rendition, 'index.sha256.json'), 'utf8')) as Record<string, string>;
      for (const [uri, hash] of Object.entries(sidecar)) manifest[`${rendition}/${uri}`] = hash;
    }
    writeFileSync(path.join(media, 'declared/hashes.json'), JSON.stringify(manifest));
    const master = readFileSync(path.join(media, 'declared/master.m3u8'), 'utf8');
    writeFileSync(path.join(media, 'declared/master.m3u8'), master.replace('#EXT-X-VERSION:6\n', '#EXT-X-VERSION:6\n#EXT-X-SESSION-DATA:DATA-ID="com.meshcast.integrity",URI="hashes.json"\n'));
    expect(readdirSync(path.join(media, 'bare/360p')).some((f) => f.endsWith('.sha256.json'))).toBe(false);
    server = await startMeshcastServer(['--media', media]);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(media, { recursive: true, force: true });
  });

  /** Two viewers of a stream, the second taking segments from the first; hash requests each page made. */
  async function twoViewers(stream: string): Promise<{ viewers: Viewer[]; hashRequests: Array<Array<{ url: string; status: number }>> }> {
    const hashRequests: Array<Array<{ url: string; status: number }>> = [[], [], []];
    const url = `${server.url}/demo/hlsjs.html?src=${encodeURIComponent(`/media/${stream}/master.m3u8`)}&level=1&beacons=0`;
    const watch = (i: number) => async (page: Page) => {
      page.on('response', (response) => {
        if (/sha256\.json|hashes\.json/.test(response.url())) hashRequests[i].push({ url: response.url().replace(server.url, ''), status: response.status() });
      });
    };
    const first = await openViewer(browser, url, undefined, undefined, watch(0));
    await waitFor('the first viewer to play 4 s', first.currentTime, (t) => t > 4);
    const second = await openViewer(browser, url, undefined, undefined, watch(1));
    await waitFor('P2P bytes at the second viewer', second.stats, (s) => s.p2pBytes > 0, 60_000);
    await waitFor('the second viewer to play 6 s', second.currentTime, (t) => t > 6);
    return { viewers: [first, second], hashRequests };
  }

  test('a manifest declared with #EXT-X-SESSION-DATA verifies every P2P segment; no sidecar is probed', async () => {
    const { viewers, hashRequests } = await twoViewers('declared');
    const stats = await viewers[1].stats();
    expect(stats.p2pBytes).toBeGreaterThan(0);
    expect(stats).toMatchObject({ unverifiedP2PBytes: 0, integrityFailures: 0 });
    for (const requests of hashRequests.slice(0, 2)) expect(requests).toEqual([{ url: '/media/declared/hashes.json', status: 200 }]);
    for (const viewer of viewers) await viewer.close();
  });

  test('a stream without sidecars: one probe per viewer, P2P counted as unverified', async () => {
    const { viewers, hashRequests } = await twoViewers('bare');
    const stats = await viewers[1].stats();
    expect(stats.unverifiedP2PBytes).toBe(stats.p2pBytes);
    for (const requests of hashRequests.slice(0, 2)) {
      expect(requests).toHaveLength(1);
      expect(requests[0]).toMatchObject({ url: '/media/bare/360p/index.sha256.json', status: 404 });
    }
    for (const viewer of viewers) await viewer.close();
  });
});
