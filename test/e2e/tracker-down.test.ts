import { closedPort, openViewer, useTestbed, waitFor } from './harness';

// (c) With the tracker down or unreachable, a viewer plays entirely over HTTP without a fatal error.
describe('tracker unreachable', () => {
  const bed = useTestbed();

  test('plays over HTTP only when no tracker answers', async () => {
    const deadTracker = `ws://127.0.0.1:${await closedPort()}`;
    const viewer = await openViewer(bed.browser, `${bed.server.url}/demo/hlsjs.html?src=vod&trackers=${deadTracker}`);
    await waitFor('playback past 10 s', viewer.currentTime, (t) => t > 10, 60_000);
    const stats = await viewer.stats();
    expect(stats.p2pBytes).toBe(0);
    expect(stats.peers).toBe(0);
    expect(stats.httpBytes).toBeGreaterThan(0);
    expect((await bed.server.originBytes()).segmentBytes).toBeGreaterThanOrEqual(stats.httpBytes);
    expect(await viewer.fatalErrors()).toEqual([]);
    // It did try the configured tracker, and nothing else.
    expect(new Set((await viewer.network()).sockets)).toEqual(new Set([deadTracker]));
    await viewer.close();
  });
});
