import type { MeshcastStats } from '../../src/browser/index';
import { openViewer, saveArtifact, sleep, useTestbed, type Viewer, waitFor } from './harness';

const VIEWERS = 4;
const JOIN_GAP_MS = 4_000;
const WATCH_AFTER_LAST_JOIN_S = 24;

// (b) Four real Chromium viewers of one VOD stream, joining a few seconds apart, share segments
// over WebRTC through the local tracker; the origin sends less than the viewers consume.
describe('swarm of viewers on one VOD stream', () => {
  const bed = useTestbed();
  const viewers: Viewer[] = [];


  test('later viewers receive P2P bytes and the origin serves fewer bytes than viewers consume', async () => {
    // All viewers on the 360p rendition, so they need the same segments.
    const url = `${bed.server.url}/demo/hlsjs.html?src=vod&level=1`;
    for (let i = 0; i < VIEWERS; i += 1) {
      if (i > 0) await sleep(JOIN_GAP_MS);
      viewers.push(await openViewer(bed.browser, url));
    }
    const last = viewers[VIEWERS - 1];
    await waitFor(`last viewer to play ${WATCH_AFTER_LAST_JOIN_S} s`, last.currentTime, (t) => t >= WATCH_AFTER_LAST_JOIN_S, 90_000);

    const stats: MeshcastStats[] = await Promise.all(viewers.map((v) => v.stats()));
    const origin = await bed.server.originBytes();

    for (const viewer of viewers) {
      expect(await viewer.fatalErrors()).toEqual([]);
      expect(await viewer.currentTime()).toBeGreaterThan(WATCH_AFTER_LAST_JOIN_S - 1);
    }
    for (const later of stats.slice(1)) expect(later.p2pBytes).toBeGreaterThan(0);
    // The demo media has sidecars: every P2P segment was checked, and all were intact.
    for (const s of stats) expect(s).toMatchObject({ integrityFailures: 0, unverifiedP2PBytes: 0 });

    const httpBytes = stats.reduce((sum, s) => sum + s.httpBytes, 0);
    const consumedBytes = stats.reduce((sum, s) => sum + s.httpBytes + s.p2pBytes, 0);
    // The origin's count is the ground truth: every byte a player says it got over HTTP was served
    // by the origin (which also counts aborted requests), and P2P makes the origin send less.
    expect(origin.segmentBytes).toBeGreaterThanOrEqual(httpBytes);
    expect(origin.segmentBytes).toBeLessThan(consumedBytes);

    const offloadFromOrigin = 1 - origin.segmentBytes / consumedBytes;
    saveArtifact('swarm-vod-4-viewers.json', {
      date: new Date().toISOString().slice(0, 10),
      viewers: VIEWERS,
      joinGapS: JOIN_GAP_MS / 1000,
      originSegmentBytes: origin.segmentBytes,
      viewersConsumedBytes: consumedBytes,
      offloadFromOrigin: Number(offloadFromOrigin.toFixed(3)),
      offloadReportedByPlayers: Number((1 - httpBytes / consumedBytes).toFixed(3)),
      perViewer: stats.map((s) => ({ httpBytes: s.httpBytes, p2pBytes: s.p2pBytes, peers: s.peers })),
    });
    console.log(`VOD, ${VIEWERS} viewers: offload measured at the origin ${(offloadFromOrigin * 100).toFixed(1)} %`);

    // Nothing public was contacted: only the local tracker, and no STUN server at all.
    for (const viewer of viewers) {
      const network = await viewer.network();
      expect(network.iceServers).toEqual([]);
      expect(new Set(network.sockets)).toEqual(new Set([bed.server.trackerUrl]));
    }
  });

  test('destroying an engine closes its peer connections', async () => {
    const viewer = viewers[0];
    expect((await viewer.network()).openPeerConnections).toBeGreaterThan(0);
    await viewer.page.evaluate(() => (window as unknown as { engine: { destroy(): void } }).engine.destroy());
    await waitFor('peer connections to close', async () => (await viewer.network()).openPeerConnections, (n) => n === 0, 10_000);
  });
});
