import { launchChromium, openViewer, sleep, startMeshcastServer, waitFor, type MeshcastServer } from './harness';
import type { Browser } from 'playwright-core';

// Viewers of one stream split across two independent WebTorrent trackers (two `meshcast serve`
// processes, sharing nothing): one viewer announces to both, one only to the first, one only to
// the second. They still form one swarm: the two that share no tracker both get segments from peers.
describe('two independent trackers, one swarm', () => {
  let first: MeshcastServer;
  let second: MeshcastServer;
  let browser: Browser;
  beforeAll(async () => {
    [first, second] = await Promise.all([startMeshcastServer(), startMeshcastServer()]);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await Promise.all([first?.stop(), second?.stop()]);
  });

  test('viewers on different trackers exchange segments through the one listed on both', async () => {
    const page = (trackers: string[]) => `${first.url}/demo/hlsjs.html?src=vod&level=1&trackers=${trackers.join(',')}`;
    const bridge = await openViewer(browser, page([first.trackerUrl, second.trackerUrl]));
    await waitFor('the viewer on both trackers to play 6 s', bridge.currentTime, (t) => t > 6, 60_000);
    const onFirst = await openViewer(browser, page([first.trackerUrl]));
    await sleep(2_000);
    const onSecond = await openViewer(browser, page([second.trackerUrl]));
    await waitFor('the last viewer to play 20 s', onSecond.currentTime, (t) => t > 20, 60_000);

    const [bridgeStats, firstStats, secondStats] = await Promise.all([bridge.stats(), onFirst.stats(), onSecond.stats()]);
    console.log(`P2P bytes: on both ${bridgeStats.p2pBytes}, on the first only ${firstStats.p2pBytes}, on the second only ${secondStats.p2pBytes}; uploaded by the one on both ${bridgeStats.uploadedBytes}`);
    expect(firstStats.p2pBytes).toBeGreaterThan(0);
    expect(secondStats.p2pBytes).toBeGreaterThan(0);
    expect(bridgeStats.uploadedBytes).toBeGreaterThan(0);
    // Each single-tracker viewer really spoke to its own tracker only.
    expect((await onFirst.network()).sockets).toEqual([first.trackerUrl]);
    expect((await onSecond.network()).sockets).toEqual([second.trackerUrl]);
    expect(new Set((await bridge.network()).sockets)).toEqual(new Set([first.trackerUrl, second.trackerUrl]));
    for (const v of [bridge, onFirst, onSecond]) await v.close();
  });
});
