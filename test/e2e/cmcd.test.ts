import type { MeshcastStats } from '../../src/browser/index';
import { openViewer, saveArtifact, sleep, useTestbed, waitFor, type Viewer } from './harness';

const VIEWERS = 3;
const JOIN_GAP_MS = 4_000;
const WATCH_S = 20;
/** The keys that tell a CDN how urgent a request is and whose it is. */
const URGENCY_KEYS = ['bl', 'dl', 'br', 'ot', 'su', 'sid', 'cid'];

type Mode = 'off' | 'query' | 'headers';
const cmcdConfig = (mode: Mode) =>
  mode === 'off' ? {} : { hlsConfig: { cmcd: { contentId: 'meshcast-test', useHeaders: mode === 'headers' } } };

// hls.js CMCD (Common Media Client Data), as a CDN-logging service turns it on: in query mode hls.js
// rewrites every request URL, in header mode it adds headers. P2P must work as without it, the stats must
// count every byte, and the origin must see CMCD on every segment request, p2p-media-loader's included.
describe('CMCD on: P2P, stats and the origin', () => {
  const bed = useTestbed();
  const results: Record<string, unknown> = {};
  const shares: Partial<Record<Mode, number>> = {};

  async function runSwarm(mode: Mode) {
    await fetch(`${bed.server.url}/origin/reset`, { method: 'POST' });
    const options = encodeURIComponent(JSON.stringify({ swarmId: `cmcd-${mode}`, ...cmcdConfig(mode) }));
    const viewers: Viewer[] = [];
    try {
      for (let i = 0; i < VIEWERS; i += 1) {
        if (i > 0) await sleep(JOIN_GAP_MS);
        viewers.push(await openViewer(bed.browser, `${bed.server.url}/demo/hlsjs.html?src=vod&level=1&beacons=0&options=${options}`));
      }
      await waitFor(`the last viewer to play ${WATCH_S} s`, viewers[VIEWERS - 1].currentTime, (t) => t >= WATCH_S, 90_000);
      const stats: MeshcastStats[] = await Promise.all(viewers.map((v) => v.stats()));
      for (const viewer of viewers) expect(await viewer.fatalErrors()).toEqual([]);
      return { stats, origin: await bed.server.originBytes() };
    } finally {
      for (const viewer of viewers) await viewer.close();
    }
  }

  test.each(['off', 'query', 'headers'] as const)('CMCD %s', async (mode) => {
    const { stats, origin } = await runSwarm(mode);
    const later = stats.slice(1);
    const p2p = later.reduce((sum, s) => sum + s.p2pBytes, 0);
    const http = later.reduce((sum, s) => sum + s.httpBytes, 0);
    shares[mode] = p2p / (p2p + http);
    results[mode] = { laterViewersP2PShare: Number(shares[mode]!.toFixed(3)), origin: { segmentRequests: origin.segmentRequests, cmcd: origin.cmcd }, perViewer: stats.map((s) => ({ httpBytes: s.httpBytes, p2pBytes: s.p2pBytes })) };

    for (const s of later) expect(s.p2pBytes).toBeGreaterThan(0);
    // Every byte counts: what the viewers say came over HTTP is what the origin sent (which also counts
    // bytes of requests aborted on the way, hence the small allowance one way only).
    const httpAll = stats.reduce((sum, s) => sum + s.httpBytes, 0);
    expect(httpAll).toBeLessThanOrEqual(origin.segmentBytes);
    expect(httpAll).toBeGreaterThan(origin.segmentBytes * 0.9);

    if (mode === 'off') {
      expect(origin.cmcd.query + origin.cmcd.headers).toBe(0);
      return;
    }
    // Every segment request carried CMCD, the way hls.js sends it, with the keys a CDN reads urgency from.
    expect(origin.cmcd[mode]).toBe(origin.segmentRequests);
    expect(origin.cmcd[mode === 'query' ? 'headers' : 'query']).toBe(0);
    for (const key of URGENCY_KEYS) expect(origin.cmcd.keys[key] ?? 0).toBeGreaterThan(0);
    // P2P as without CMCD, within a few points.
    expect(Math.abs(shares[mode]! - shares.off!)).toBeLessThan(0.08);
  }, 150_000);

  afterAll(() => saveArtifact('cmcd.json', results));
});
