import { openViewer, useTestbed, waitFor } from './harness';

// Single-file fragmented MP4 (demo/media/byterange, made by make-byterange.sh): the init segment and every
// media segment are byte ranges of one file. Peers share them, and each one from a peer is checked against
// its range's hash in the sidecar `meshcast hash` wrote.
describe('byte-range media', () => {
  const bed = useTestbed();

  test('segments that are byte ranges of one file are shared and verified', async () => {
    const url = `${bed.server.url}/demo/hlsjs.html?src=${encodeURIComponent('/media/byterange/master.m3u8')}&beacons=0`;
    const first = await openViewer(bed.browser, url);
    await waitFor('the first viewer to play 6 s', first.currentTime, (t) => t > 6);
    const second = await openViewer(bed.browser, url);
    await waitFor('P2P bytes at the second viewer', second.stats, (s) => s.p2pBytes > 0, 60_000);
    await waitFor('the second viewer to play 8 s', second.currentTime, (t) => t > 8);
    const stats = await second.stats();
    expect(stats.segmentsP2P).toBeGreaterThan(0);
    // Every P2P segment was checked against its range's hash, and all were intact.
    expect(stats).toMatchObject({ unverifiedP2PBytes: 0, integrityFailures: 0 });
    for (const viewer of [first, second]) expect(await viewer.fatalErrors()).toEqual([]);
    // The origin answered ranges of the one file, never the whole of it.
    const origin = await bed.server.originBytes();
    const file = origin.segments['/media/byterange/360p/main.mp4'];
    expect(file.requests).toBeGreaterThan(1);
    expect(file.bytes).toBeLessThan(file.size * 2);
    await first.close();
    await second.close();
  }, 120_000);
});
