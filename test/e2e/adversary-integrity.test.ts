import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { spawnAdversary, type AdversaryProcess } from '../adversary/spawn-adversary';
import { openViewer, ROOT, sleep, useTestbed, waitFor, type Viewer } from './harness';

const LEVEL = 1;
const RENDITION_DIR = path.join(ROOT, 'demo/media/vod/360p');
const SEGMENTS = readdirSync(RENDITION_DIR).filter((f) => f.endsWith('.ts')).length;

/** SHA-256 of every segment as the origin has it, by file name. */
const originHashes = new Map(readdirSync(RENDITION_DIR).filter((f) => f.endsWith('.ts'))
  .map((f) => [f, createHash('sha256').update(readFileSync(path.join(RENDITION_DIR, f))).digest('hex')]));

/**
 * Records the SHA-256 of every fragment hls.js receives (before it demuxes it), from the moment
 * the page's engine loads its source.
 */
const FRAGMENT_HASHES = `(() => {
  window.fragments = [];
  let engine;
  Object.defineProperty(window, 'engine', {
    configurable: true,
    get: () => engine,
    set: (value) => {
      engine = value;
      const load = value.load.bind(value);
      value.load = (...args) => {
        const result = load(...args);
        value.hls.on('hlsFragLoaded', (_event, data) => {
          const copy = data.payload.slice(0);
          crypto.subtle.digest('SHA-256', copy).then((digest) => {
            const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
            window.fragments.push({ file: data.frag.url.split('/').pop(), hash: hex });
          });
        });
        return result;
      };
    },
  });
})()`;

type Fragment = { file: string; hash: string };
const fragments = (viewer: Viewer) => viewer.page.evaluate(() => (window as unknown as { fragments: Fragment[] }).fragments);

// One peer in the swarm serves every segment with the right size and altered bytes. Verification
// must keep each of them from hls.js; with verification off, the same swarm lets them through.
describe('a corrupting peer among real viewers', () => {
  // Announces every 5 s: the bad peer keeps coming back, as a real one would.
  const bed = useTestbed(['--announce-interval', '5']);
  let adversary: AdversaryProcess;

  beforeAll(async () => {
    adversary = await spawnAdversary(ROOT, {
      mode: 'corrupt',
      masterUrl: `${bed.server.url}/media/vod/master.m3u8`,
      level: LEVEL,
      trackers: [bed.server.trackerUrl],
    });
    expect(adversary.status().segments).toBe(SEGMENTS);
  });
  afterAll(() => adversary?.stop());

  /** Opens 4 viewers and lets them play until `enough` holds for all their fragments, or each has 40 s of media. */
  async function watch(query: string, enough: (all: Fragment[][]) => boolean = () => false): Promise<{ viewers: Viewer[]; received: Fragment[][] }> {
    const viewers: Viewer[] = [];
    for (let i = 0; i < 4; i += 1) {
      if (i > 0) await sleep(2_000);
      viewers.push(await openViewer(bed.browser, `${bed.server.url}/demo/hlsjs.html?src=vod&level=${LEVEL}${query}`, 'window.engine.stats()', FRAGMENT_HASHES));
    }
    // The guard fetches just ahead of the playhead: 20 segments are 40 s of playing.
    const distinct = (f: Fragment[]) => new Set(f.map((x) => x.file)).size;
    await waitFor('40 s of segments in hls.js', () => Promise.all(viewers.map(fragments)), (all) => enough(all) || all.every((f) => distinct(f) >= 20), 120_000);
    return { viewers, received: await Promise.all(viewers.map(fragments)) };
  }

  test('with verification, every segment handed to hls.js is the origin\'s', async () => {
    const uploadedBefore = adversary.status().uploadedBytes;
    const { viewers, received } = await watch('');
    const stats = await Promise.all(viewers.map((v) => v.stats()));
    console.log(`corrupt peer sent ${adversary.status().uploadedBytes - uploadedBefore} B; per viewer integrityFailures ${stats.map((s) => s.integrityFailures)}, peersRefused ${stats.map((s) => s.peersRefused)}, refusedSegments ${stats.map((s) => s.refusedSegments)}, p2p ${stats.map((s) => s.p2pBytes)}`);

    for (const fragmentsOfViewer of received) {
      for (const { file, hash } of fragmentsOfViewer) expect({ file, hash }).toEqual({ file, hash: originHashes.get(file) });
    }
    // The bad peer did take part, and was caught.
    expect(adversary.status().uploadedBytes).toBeGreaterThan(uploadedBefore);
    expect(stats.reduce((n, s) => n + s.integrityFailures, 0)).toBeGreaterThan(0);
    // Good peers still shared, and nobody stalled for it.
    expect(stats.reduce((n, s) => n + s.p2pBytes, 0)).toBeGreaterThan(0);
    for (const s of stats) {
      expect(s).toMatchObject({ p2pStalls: 0, rebufferCount: 0 });
      // Refused after its second bad segment (integrity.maxPeerFailures, default 2): one bad peer
      // costs a viewer at most two failed segments however often it reconnects.
      expect(s.integrityFailures).toBeLessThanOrEqual(2);
      expect(s.peersRefused).toBe(s.integrityFailures === 2 ? 1 : 0);
    }
    // It came back (announces every 5 s) and what it sent then was refused unread.
    expect(stats.some((s) => s.refusedSegments > 0)).toBe(true);
    for (const v of viewers) await v.close();
  });

  test('with verification off, corrupted segments reach hls.js (the check above can fail)', async () => {
    const { viewers, received } = await watch('&integrity=off', (all) => all.flat().some(({ file, hash }) => originHashes.get(file) !== hash));
    const corrupted = received.flat().filter(({ file, hash }) => originHashes.get(file) !== hash);
    console.log(`verification off: ${corrupted.length} corrupted fragments reached hls.js across 4 viewers`);
    expect(corrupted.length).toBeGreaterThan(0);
    for (const v of viewers) await v.close();
  });
});
