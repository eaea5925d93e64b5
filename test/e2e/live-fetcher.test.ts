import { segmentRank } from '../../src/browser/policy/segment-leader';
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

describe('live: one fetcher per new segment', () => {
  const bed = useTestbed();
  const viewers: Viewer[] = [];
  afterAll(async () => {
    for (const v of viewers) await v.close();
  });

  test('five viewers who see the whole swarm fetch each new segment from the origin once, by the elected viewer or the next in turn', async () => {
    const url = `${bed.server.url}/demo/hlsjs.html?src=live&level=1&targetLatency=10&statsIntervalS=1&swarmId=fetcher-${Date.now()}`;
    for (let i = 0; i < 5; i++) {
      const viewer = await openViewer(bed.browser, url);
      await viewer.page.waitForFunction('window.engine && window.engine.hls');
      await viewer.page.evaluate(RECORD_LOADS);
      viewers.push(viewer);
      await sleep(1000);
    }
    await waitFor('every viewer to connect to the other four and play 12 s', () => Promise.all(viewers.map((v) => v.stats())),
      (all) => all.every((s) => s.peers === 4 && s.playingMs > 12_000), 90_000);

    const windowStart = Date.now();
    await sleep(36_000);
    const peerIds = await Promise.all(viewers.map((v) => v.page.evaluate(() => (window as unknown as { engine: { peerId?: string } }).engine.peerId)));
    expect(peerIds.every((id) => typeof id === 'string' && id.length === 20)).toBe(true);
    const loads = await Promise.all(viewers.map((v) => v.page.evaluate(() => (window as unknown as { loads: Load[] }).loads)));

    // Segments first loaded by anyone inside the window, but for the last two (still spreading).
    const firstLoadAt = new Map<number, number>();
    for (const l of loads.flat()) firstLoadAt.set(l.sequence, Math.min(firstLoadAt.get(l.sequence) ?? Infinity, l.at));
    const fresh = [...firstLoadAt].filter(([, at]) => at >= windowStart).map(([sequence]) => sequence).sort((a, b) => a - b).slice(0, -2);
    expect(fresh.length).toBeGreaterThanOrEqual(8);

    let once = 0;
    let byElected = 0;
    const lines: string[] = [];
    for (const sequence of fresh) {
      const ranks = peerIds.map((id) => segmentRank(id!, sequence));
      const elected = ranks.indexOf(Math.min(...ranks));
      const fetchers = loads.flatMap((list, i) => list.filter((l) => l.sequence === sequence && l.source === 'http').map(() => i));
      if (fetchers.length === 1) once += 1;
      if (fetchers.length === 1 && fetchers[0] === elected) byElected += 1;
      lines.push(`segment ${sequence}: elected viewer ${elected}, fetched over HTTP by [${fetchers.join(', ')}]`);
    }
    console.log(lines.join('\n'));
    // Without the agreement a segment's origin fetch falls to whichever viewer's random background
    // fetch fires first, or to all five at the deadline. With it, the elected viewer fetches, or the next
    // in turn when its own playlist showed the segment first (each refreshes at its own phase).
    expect(once / fresh.length).toBeGreaterThanOrEqual(0.8);
    expect(byElected).toBeGreaterThan(0);
    for (const stats of await Promise.all(viewers.map((v) => v.stats()))) expect(stats.p2pStalls).toBe(0);
  });
});
