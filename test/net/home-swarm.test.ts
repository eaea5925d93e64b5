import { openViewer, sleep, waitFor, type Viewer } from '../e2e/harness';
import { ICE_RECORDER, type IceConnection } from './ice-recorder';
import { planNetwork } from './profiles';
import { NetworkTestbed, type TestbedServer } from './testbed';
import { homeWanAddress, viewerAddress } from './topology';

const VIEWERS = 4;

/**
 * Four viewers in four homes of the `home` profile (50/10 Mbit/s, 20 to 40 ms apart, each behind its own
 * NAT router) watch one stream: segments cross from home to home over WebRTC, through both routers,
 * found with the testbed's own STUN server.
 */
describe('network testbed: a home swarm behind NAT', () => {
  const plan = planNetwork('home', { viewers: VIEWERS, topBitrateKbps: 96 });
  let bed: NetworkTestbed;
  let server: TestbedServer;
  const viewers: Viewer[] = [];

  beforeAll(async () => {
    bed = await NetworkTestbed.create(plan);
    server = await bed.startServer();
  });
  afterAll(async () => {
    await bed?.destroy();
  });

  test('viewers in different homes share segments over WebRTC through their NAT routers', async () => {
    const options = { rtcConfig: { iceServers: bed.iceServers() } };
    const url = `${server.pageUrl}/demo/hlsjs.html?src=vod&level=1&options=${encodeURIComponent(JSON.stringify(options))}`;
    for (let i = 0; i < VIEWERS; i++) {
      const { browser } = await bed.launchBrowser(i, server.pageUrl);
      viewers.push(await openViewer(browser, url, undefined, ICE_RECORDER));
      // The first viewer buffers some segments before the others join, so that there is something to share.
      if (i === 0) await waitFor('the first viewer to buffer', () => viewers[0].stats(), (s) => s.segmentsHttp >= 5, 60_000);
    }
    await waitFor('the later viewers to take segments from peers', async () => {
      const stats = await Promise.all(viewers.slice(1).map((v) => v.stats()));
      return stats.filter((s) => s.segmentsP2P >= 2).length;
    }, (n) => n >= VIEWERS - 1, 90_000);
    await sleep(1_000);

    const stats = await Promise.all(viewers.map((v) => v.stats()));
    for (const [i, viewer] of viewers.entries()) {
      expect(await viewer.fatalErrors()).toEqual([]);
      // Only the testbed's STUN server was ever given to a peer connection: nothing public.
      const network = await viewer.network();
      expect(network.iceServers.length).toBeGreaterThan(0);
      for (const server of network.iceServers) expect(bed.iceServers()).toContainEqual(server);
      const connections = await viewer.page.evaluate(() => (window as unknown as { __ice: IceConnection[] }).__ice);
      const connected = connections.filter((c) => c.connected && c.local && c.remote);
      expect(connected.length).toBeGreaterThan(0);
      const home = i + 1;
      for (const c of connected) {
        // The viewer's own end is its private address (or its router's mapping of it), the peer's end is
        // another home's router: the connection crossed two NATs.
        expect([viewerAddress(home), homeWanAddress(home)]).toContain(c.local!.address);
        const otherRouters = Array.from({ length: VIEWERS }, (_, j) => j + 1).filter((j) => j !== home).map(homeWanAddress);
        expect(otherRouters).toContain(c.remote!.address);
        expect(['srflx', 'prflx']).toContain(c.remote!.type);
      }
      if (i > 0) expect(stats[i].p2pBytes).toBeGreaterThan(0);
      expect(stats[i].integrityFailures).toBe(0);
    }

    // What the origin sent is what the viewers took over HTTP; the rest crossed between homes.
    const origin = await server.originBytes();
    const httpBytes = stats.reduce((sum, s) => sum + s.httpBytes, 0);
    const p2pBytes = stats.reduce((sum, s) => sum + s.p2pBytes, 0);
    console.log(`home swarm: origin sent ${origin.segmentBytes} B of segments; viewers took ${httpBytes} B over HTTP and ${p2pBytes} B from peers`);
    expect(origin.segmentBytes).toBeGreaterThanOrEqual(httpBytes);
    expect(origin.segmentBytes).toBeLessThan(httpBytes + p2pBytes);
  });
});
