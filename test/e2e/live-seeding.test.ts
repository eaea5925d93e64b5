import { seedingGroup } from '../../src/browser/policy/segment-seeding';
import type { Beacon } from '../../src/browser/stats/beacon-schema';
import { openViewer, sleep, useTestbed, waitFor, type Viewer } from './harness';

/** Records, in the page, every segment the engine loaded: its sequence number, source and when. */
const RECORD_LOADS = () => {
  const w = window as unknown as { engine: { on: Function; hls: { latestLevelDetails?: { fragments: Array<{ url: string; sn: number | string }> } } }; loads: unknown[] };
  w.loads = [];
  w.engine.on('segmentLoaded', (event: { source: string; url: string }) => {
    const frag = w.engine.hls.latestLevelDetails?.fragments.find((f) => f.url === event.url);
    if (frag) w.loads.push({ sequence: Number(frag.sn), source: event.source, at: Date.now() });
  });
};

interface Load { sequence: number; source: 'http' | 'p2p'; at: number }

/**
 * A session of the stream that beacons like a player but joins no swarm (a viewer behind a NAT its peers
 * cannot cross, say): the collector counts it in its rendition's audience. Its beacons stop with `stop()`.
 */
function beaconingSession(statsUrl: string, streamId: string, rendition: number, sessionId: string): { stop(): void; accepted(): number } {
  let seq = 0;
  let accepted = 0;
  const send = async () => {
    // Typed by the shared schema, so the collector's validation and this body cannot drift apart.
    const beacon: Beacon = {
      v: 1, sessionId, seq: seq++, streamId, live: true, httpBytes: 0, p2pBytes: 0, uploadedBytes: 0, segmentsHttp: 0, segmentsP2P: 0, peers: 0,
      integrityFailures: 0, startupMs: null, rebufferCount: 0, rebufferMs: 0, p2pStalls: 0, playingMs: 0, bitrateKbps: 0, liveLatencyS: null, rendition,
    };
    const response = await fetch(`${statsUrl}/v1/beacons`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(beacon) });
    if (response.ok) accepted += 1;
  };
  void send();
  const timer = setInterval(() => void send(), 2000);
  return { stop: () => clearInterval(timer), accepted: () => accepted };
}

/**
 * Whether the viewer's policy hands p2p-media-loader the choice of new segments to fetch, and the audience
 * the collector last told it (private fields, read for the test).
 */
const SEEDING = () => {
  const engine = (window as unknown as { engine: { session?: { policy?: { seedingStaggered?: boolean } }; audience?: { viewers: number; renditionViewers?: number } } }).engine;
  return { staggered: engine.session?.policy?.seedingStaggered, audience: engine.audience?.viewers, renditionAudience: engine.audience?.renditionViewers };
};

describe('live: staggered seeding where each viewer sees part of the audience', () => {
  const bed = useTestbed();
  const viewers: Viewer[] = [];
  const sessions: Array<ReturnType<typeof beaconingSession>> = [];
  afterAll(async () => {
    for (const s of sessions) s.stop();
    for (const v of viewers) await v.close();
  });

  test('six viewers, three per rendition, and one more session per rendition that no peer reaches: each new segment is fetched from the origin by the viewers whose turn it is in each rendition, and the others take it from them', async () => {
    const swarmId = `seeding-${Date.now()}`;
    const levels = [0, 1, 0, 1, 0, 1];
    for (const level of levels) {
      const viewer = await openViewer(bed.browser, `${bed.server.url}/demo/hlsjs.html?src=live&level=${level}&targetLatency=10&statsIntervalS=1&swarmId=${swarmId}`);
      await viewer.page.waitForFunction('window.engine && window.engine.hls');
      await viewer.page.evaluate(RECORD_LOADS);
      viewers.push(viewer);
      if (viewers.length === 1) {
        const streamId = await viewer.page.evaluate(() => (window as unknown as { engine: { session: { streamId: string } } }).engine.session.streamId);
        for (const rendition of [0, 1]) sessions.push(beaconingSession(bed.server.url, streamId, rendition, `unreachable-${rendition}-${Date.now()}`));
      }
      await sleep(1000);
    }
    // Each rendition is its own swarm: two peers each, in an audience of eight the collector counts, four per
    // rendition, so no viewer sees its rendition's whole audience (with three, they would agree on one fetcher).
    await waitFor('every viewer to connect to its rendition\'s other two, play 12 s and seed by turns', () => Promise.all(viewers.map(async (v) => ({ stats: await v.stats(), seeding: await v.page.evaluate(SEEDING) }))),
      (all) => all.every(({ stats, seeding }) => stats.peers === 2 && stats.playingMs > 12_000
        && seeding.staggered === true && seeding.audience === 8 && seeding.renditionAudience === 4), 90_000);
    expect(sessions.every((s) => s.accepted() > 0)).toBe(true);

    const windowStart = Date.now();
    await sleep(30_000);
    const peerIds = await Promise.all(viewers.map((v) => v.page.evaluate(() => (window as unknown as { engine: { peerId?: string } }).engine.peerId!)));
    const loads = await Promise.all(viewers.map((v) => v.page.evaluate(() => (window as unknown as { loads: Load[] }).loads)));

    let pairs = 0;
    let byTurn = 0;
    let once = 0;
    // Pairs where a viewer's turn comes later than another's: there, fetching by turn differs from chance.
    let split = 0;
    let splitByTurn = 0;
    const lines: string[] = [];
    for (const level of [0, 1]) {
      const members = levels.flatMap((l, i) => (l === level ? [i] : []));
      // Segments first loaded in this rendition inside the window, but for the last two (still spreading).
      const firstLoadAt = new Map<number, number>();
      for (const i of members) for (const l of loads[i]) firstLoadAt.set(l.sequence, Math.min(firstLoadAt.get(l.sequence) ?? Infinity, l.at));
      const fresh = [...firstLoadAt].filter(([, at]) => at >= windowStart).map(([sequence]) => sequence).sort((a, b) => a - b).slice(0, -2);
      expect(fresh.length).toBeGreaterThanOrEqual(8);
      for (const sequence of fresh) {
        // Groups of the rendition's audience (four: the unreachable session too), as the players size them.
        const groups = members.map((i) => seedingGroup(peerIds[i], sequence, members.length + 1));
        const firstTurn = Math.min(...groups);
        const fetchers = members.filter((i) => loads[i].some((l) => l.sequence === sequence && l.source === 'http'));
        pairs += 1;
        if (fetchers.length === 1) once += 1;
        const inTurn = fetchers.length > 0 && fetchers.every((i) => groups[members.indexOf(i)] === firstTurn);
        if (inTurn) byTurn += 1;
        if (groups.some((g) => g !== firstTurn)) {
          split += 1;
          if (inTurn) splitByTurn += 1;
        }
        lines.push(`rendition ${level}, segment ${sequence}: groups [${groups.join(', ')}] of viewers [${members.join(', ')}], fetched over HTTP by [${fetchers.join(', ')}]`);
      }
    }
    console.log(lines.join('\n'));
    // p2p-media-loader's random background fetch would leave a segment to whichever of the three fetches
    // first. With staggered seeding the viewers of the first group present fetch it, and the others take
    // it from peers; where the three are not all in that group, chance would pick a later one a third to
    // two thirds of the time.
    expect(byTurn / pairs).toBeGreaterThanOrEqual(0.8);
    expect(split).toBeGreaterThanOrEqual(4);
    expect(splitByTurn / split).toBeGreaterThanOrEqual(0.8);
    expect(once / pairs).toBeGreaterThanOrEqual(0.6);
    for (const stats of await Promise.all(viewers.map((v) => v.stats()))) {
      expect(stats.p2pStalls).toBe(0);
      expect(stats.p2pBytes).toBeGreaterThan(0);
    }
  });
});
