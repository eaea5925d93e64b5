import { spawnAdversary } from '../adversary/spawn-adversary';
import type { AdversaryMode } from '../adversary/adversary-peer';
import { openViewer, ROOT, sleep, useTestbed, waitFor, type Viewer } from './harness';

// One misbehaving peer among real viewers must not cost them playback: whatever it does, the
// segment comes from elsewhere in time. An HTTP-only viewer watching at the same time, on the same
// machine, is the yardstick for rebuffering.
describe('a misbehaving peer among real viewers', () => {
  const bed = useTestbed(['--announce-interval', '5']);

  test.each<[AdversaryMode, string]>([
    ['slow', 'trickles segment bytes at 3 kB/s'],
    ['stall', 'stops sending every segment after 4 KiB'],
    ['absent', 'announces every segment and serves none'],
  ])('%s (%s): playback goes on, no P2P stall, no more rebuffering than HTTP-only', async (mode) => {
    const adversary = await spawnAdversary(ROOT, {
      mode,
      masterUrl: `${bed.server.url}/media/vod/master.m3u8`,
      level: 1,
      trackers: [bed.server.trackerUrl],
    });
    const viewers: Viewer[] = [];
    try {
      const httpOnly = await openViewer(bed.browser, `${bed.server.url}/demo/hlsjs.html?src=vod&level=1&p2p=0`);
      for (let i = 0; i < 4; i += 1) {
        if (i > 0) await sleep(2_000);
        viewers.push(await openViewer(bed.browser, `${bed.server.url}/demo/hlsjs.html?src=vod&level=1`));
      }
      await waitFor('the last viewer to play 30 s', viewers[3].currentTime, (t) => t > 30, 90_000);
      const stats = await Promise.all(viewers.map((v) => v.stats()));
      const baseline = await httpOnly.stats();
      const status = adversary.status();
      console.log(`${mode}: adversary connections ${status.peersConnected}, requests ${status.requests}, sent ${status.uploadedBytes} B; viewers p2p ${stats.map((s) => s.p2pBytes)}, rebuffer ms ${stats.map((s) => s.rebufferMs)} (HTTP-only ${baseline.rebufferMs}), p2pStalls ${stats.map((s) => s.p2pStalls)}`);

      // The adversary was in the swarm and was asked for segments.
      expect(status.peersConnected).toBeGreaterThan(0);
      expect(status.requests).toBeGreaterThan(0);
      if (mode !== 'absent') expect(status.uploadedBytes).toBeGreaterThan(0);
      // Honest peers still shared.
      expect(stats.reduce((n, s) => n + s.p2pBytes, 0)).toBeGreaterThan(0);
      for (const s of stats) {
        expect(s.p2pStalls).toBe(0);
        expect(s.rebufferCount).toBeLessThanOrEqual(baseline.rebufferCount);
        expect(s.rebufferMs).toBeLessThanOrEqual(baseline.rebufferMs);
      }
      for (const v of viewers) expect(await v.fatalErrors()).toEqual([]);
      viewers.push(httpOnly);
    } finally {
      for (const v of viewers) await v.close();
      await adversary.stop();
    }
  });

  test('a viewer closing its tab while it uploads: the others play on, no P2P stall', async () => {
    const url = `${bed.server.url}/demo/hlsjs.html?src=vod&level=1&swarmId=tab-close-${Date.now()}`;
    const httpOnly = await openViewer(bed.browser, `${bed.server.url}/demo/hlsjs.html?src=vod&level=1&p2p=0`);
    const seeder = await openViewer(bed.browser, url);
    await waitFor('the seeder to play 6 s', seeder.currentTime, (t) => t > 6, 60_000);
    const others: Viewer[] = [];
    for (let i = 0; i < 3; i += 1) others.push(await openViewer(bed.browser, url));
    try {
      // Close it in the middle of sending: its upload count is moving.
      let before = (await seeder.stats()).uploadedBytes;
      await waitFor('the seeder to be uploading', async () => {
        const now = (await seeder.stats()).uploadedBytes;
        const moving = now > before && now > 0;
        before = now;
        return moving;
      }, (moving) => moving, 30_000);
      await seeder.close();
      await waitFor('the others to play 30 s', others[2].currentTime, (t) => t > 30, 90_000);
      const baseline = await httpOnly.stats();
      for (const viewer of others) {
        const s = await viewer.stats();
        expect(s.p2pStalls).toBe(0);
        expect(s.rebufferMs).toBeLessThanOrEqual(baseline.rebufferMs);
        expect(await viewer.fatalErrors()).toEqual([]);
      }
    } finally {
      for (const v of [...others, httpOnly]) await v.close();
    }
  });
});
