import { DATA_CHANNEL_RECORDER, mostAtOnce, segmentSpans } from './page-recorders';
import { openViewer, waitFor, type Viewer } from './harness';
import { usePaddedTestbed } from './padded-media';

/** 1 MB segments of 2 s (a 4 Mbit/s stream): an upload takes many WebRTC messages, so uploads to several peers overlap. */
const SEGMENT_BYTES = 1_000_000;

/** The most peers this viewer was sending a segment to at one time. */
async function mostPeersServedAtOnce(viewer: Viewer) {
  const spans = await segmentSpans(viewer, 'sends');
  return { ...mostAtOnce(spans), uploads: spans.length };
}

describe('upload.maxConcurrent in real browsers', () => {
  const { bed, opened } = usePaddedTestbed(16, SEGMENT_BYTES);
  const page = (options: object, swarm: string) =>
    `${bed.server.url}/demo/hlsjs.html?src=/media/hd/index.m3u8&swarmId=${swarm}&options=${encodeURIComponent(JSON.stringify(options))}`;

  /** A seeder holding the whole stream, then four viewers joining at once: how many did it serve at one time? */
  async function seedToFour(upload: object, name: string) {
    const swarm = `${name}-${Date.now()}`;
    const seeder = await openViewer(bed.browser, page({ upload }, swarm), 'window.engine.stats()', DATA_CHANNEL_RECORDER);
    opened.push(seeder);
    await waitFor('the seeder to hold the stream', async () => (await seeder.stats()).segmentsHttp, (n) => n >= 14, 60_000);
    const viewers = await Promise.all([0, 1, 2, 3].map(() => openViewer(bed.browser, page({}, swarm))));
    opened.push(...viewers);
    await waitFor('the viewers to play 16 s', () => Promise.all(viewers.map((v) => v.currentTime())), (t) => Math.min(...t) > 16, 60_000);
    const served = await mostPeersServedAtOnce(seeder);
    const stats = await Promise.all(viewers.map((v) => v.stats()));
    console.log(`upload ${JSON.stringify(upload)}: the seeder made ${served.uploads} uploads, to at most ${served.most} peers at once (${JSON.stringify(served.busiest)}); viewers got ${stats.map((s) => `${s.p2pBytes} B from peers (stalls ${s.rebufferCount}, ${s.rebufferMs} ms, p2p ${s.p2pStalls})`).join(', ')}`);
    // A declined request is answered "absent": the viewer takes the segment from someone else in time.
    for (const s of stats) expect(s.p2pStalls).toBe(0);
    return served;
  }

  test('by default (4) the seeder serves several of the four viewers at once', async () => {
    const served = await seedToFour({}, 'four');
    expect(served.most).toBeGreaterThan(2);
  });

  test.each([1, 2])('with upload.maxConcurrent %i the seeder never serves more peers at once', async (limit) => {
    const served = await seedToFour({ maxConcurrent: limit }, `limit${limit}`);
    expect(served.uploads).toBeGreaterThan(0);
    expect(served.most).toBeLessThanOrEqual(limit);
  });
});
