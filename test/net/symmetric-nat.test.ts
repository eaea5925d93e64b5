import { openViewer, sleep, waitFor, type Viewer } from '../e2e/harness';
import { ICE_RECORDER, summarizeIce, type IceConnection } from './ice-recorder';
import { planNetwork, type NetworkPlan } from './profiles';
import { NetworkTestbed } from './testbed';
import { CDN_ADDRESS } from './topology';

/** Two viewers, each behind a symmetric NAT (a new public port per destination), with or without TURN. */
function symmetricPlan(turn: boolean): NetworkPlan {
  const plan = planNetwork('home', { viewers: 2, topBitrateKbps: 96, turn });
  return { ...plan, homes: plan.homes.map((home) => ({ ...home, nat: 'symmetric' })) };
}

async function twoViewers(bed: NetworkTestbed): Promise<Viewer[]> {
  const server = await bed.startServer();
  const options = { rtcConfig: { iceServers: bed.iceServers() } };
  const url = `${server.pageUrl}/demo/hlsjs.html?src=vod&level=1&options=${encodeURIComponent(JSON.stringify(options))}`;
  const viewers: Viewer[] = [];
  for (let i = 0; i < 2; i++) {
    const { browser } = await bed.launchBrowser(i, server.pageUrl);
    viewers.push(await openViewer(browser, url, undefined, ICE_RECORDER));
    if (i === 0) await waitFor('the first viewer to buffer', () => viewers[0].stats(), (s) => s.segmentsHttp >= 5, 60_000);
  }
  return viewers;
}

const connectionsOf = (viewer: Viewer) => viewer.page.evaluate(() => (window as unknown as { __ice: IceConnection[] }).__ice);

describe('network testbed: viewers behind symmetric NAT', () => {
  test('without a TURN server they never connect, and the joiner plays from the origin without a stall', async () => {
    const bed = await NetworkTestbed.create(symmetricPlan(false));
    try {
      const viewers = await twoViewers(bed);
      await waitFor('the joiner to play 12 s', () => viewers[1].currentTime(), (t) => t > 12, 60_000);
      const ice = summarizeIce(await connectionsOf(viewers[1]));
      // They were introduced by the tracker and tried, but hole punching cannot cross two symmetric NATs.
      expect(ice.attempted).toBeGreaterThan(0);
      expect(ice.connected).toBe(0);
      const stats = await viewers[1].stats();
      expect(stats).toMatchObject({ p2pBytes: 0, rebufferCount: 0, p2pStalls: 0 });
      expect(stats.httpBytes).toBeGreaterThan(0);
      expect(await viewers[1].fatalErrors()).toEqual([]);
    } finally {
      await bed.destroy();
    }
  });

  test('with the TURN server they connect through its relay and share segments', async () => {
    const bed = await NetworkTestbed.create(symmetricPlan(true));
    try {
      const viewers = await twoViewers(bed);
      await waitFor('the joiner to take segments from its peer', () => viewers[1].stats(), (s) => s.segmentsP2P >= 3, 60_000);
      await sleep(500);
      const connected = (await connectionsOf(viewers[1])).filter((c) => c.connected);
      expect(connected.length).toBeGreaterThan(0);
      for (const c of connected) {
        // One end (or both) is a relay address on the TURN server.
        expect([c.local?.type, c.remote?.type]).toContain('relay');
        expect([c.local?.address, c.remote?.address]).toContain(CDN_ADDRESS);
      }
      expect((await viewers[1].stats()).p2pBytes).toBeGreaterThan(0);
    } finally {
      await bed.destroy();
    }
  });
});
