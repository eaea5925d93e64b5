import { BUFFER_RECORDER, bufferAheadAt, commandsSent, DATA_CHANNEL_RECORDER, mostAtOnce, segmentSpans, underWayAt, wantedAtStart } from './page-recorders';
import { openViewer, slowSegments, waitFor, type Viewer } from './harness';
import { usePaddedTestbed } from './padded-media';

/** 1 MB segments of 2 s (a 4 Mbit/s stream): a segment from a peer takes many WebRTC messages, so downloads from several peers can be seen overlapping. */
const SEGMENT_BYTES = 1_000_000;
const PADDED_SEGMENTS = 30;

/**
 * The joiners' segment downloads over HTTP held to 500 kB/s: 2 s a segment. The guard's margin for
 * sharing the link is then 1 s + 3 × twice that = 13 s of buffer; a joiner below 6 s is short by any
 * measure.
 */
const HTTP_BYTES_PER_S = 500_000;
const SHORT_BUFFER_S = 6;

describe('download concurrency in real browsers', () => {
  const { bed, opened } = usePaddedTestbed(PADDED_SEGMENTS, SEGMENT_BYTES);
  const page = (swarm: string, extra = '') => `${bed.server.url}/demo/hlsjs.html?src=/media/hd/index.m3u8&swarmId=${swarm}${extra}`;
  const segmentsHeld = async (viewer: Viewer) => {
    const { segmentsHttp, segmentsP2P } = await viewer.stats();
    return segmentsHttp + segmentsP2P;
  };

  /**
   * P2P downloads that began while less than `SHORT_BUFFER_S` was buffered, with how many were under way
   * then. A download the viewer cancelled (the guard moved its segment to HTTP) stops being under way at
   * the cancel: what the sender had already sent still arrives for a moment, and the viewer cannot stop
   * that (the tails are reported). A span that arrived wholly after its cancel is such a tail, not a
   * download the viewer began.
   */
  async function downloadsOnShortBuffer(viewer: Viewer) {
    const spans = await segmentSpans(viewer, 'receipts');
    const bufferAt = await bufferAheadAt(viewer);
    const short = spans.filter((s) => wantedAtStart(s) && bufferAt(s.start) < SHORT_BUFFER_S).map((s) => ({ ...s, underWay: underWayAt(spans, s).length }));
    const tailsMs = spans.flatMap((s) => (s.cancelledAt === undefined ? [] : [s.end - s.cancelledAt]));
    return { spans, short, all: spans.length, mostAtAnyTime: mostAtOnce(spans).most, tailsMs };
  }

  test('a joiner on a slow link takes one segment at a time from peers while its buffer is short (p2p-media-loader alone takes several)', async () => {
    const swarm = `p2p-concurrency-${Date.now()}`;
    const first = await openViewer(bed.browser, page(swarm));
    opened.push(first);
    await waitFor('the first seeder to hold the padded segments', () => segmentsHeld(first), (n) => n >= PADDED_SEGMENTS, 90_000);
    const seeders = await Promise.all([0, 1].map(() => openViewer(bed.browser, page(swarm))));
    opened.push(...seeders);
    await waitFor('two more seeders to hold them', () => Promise.all(seeders.map(segmentsHeld)), (n) => Math.min(...n) >= PADDED_SEGMENTS, 90_000);

    const record = `${DATA_CHANNEL_RECORDER}\n${BUFFER_RECORDER}`;
    const slow = slowSegments(HTTP_BYTES_PER_S);
    const [guarded, plain] = await Promise.all([
      openViewer(bed.browser, page(swarm), 'window.engine.stats()', record, slow),
      openViewer(bed.browser, page(swarm, '&policy=pml-defaults'), 'window.engine.stats()', record, slow),
    ]);
    opened.push(guarded, plain);
    await waitFor('both joiners to play 12 s', () => Promise.all([guarded.currentTime(), plain.currentTime()]), (t) => Math.min(...t) > 12, 90_000);

    const [mine, theirs] = await Promise.all([downloadsOnShortBuffer(guarded), downloadsOnShortBuffer(plain)]);
    const summary = (d: typeof mine) => `${d.short.length} of ${d.all} began under ${SHORT_BUFFER_S} s of buffer, with [${d.short.map((s) => s.underWay).join(', ')}] under way; at most ${d.mostAtAnyTime} at any time; ${d.tailsMs.length} cancelled, their senders' tails [${d.tailsMs.join(', ')}] ms`;
    console.log(`P2P downloads on a slow link: guarded ${summary(mine)}; p2p-media-loader defaults ${summary(theirs)}`);
    // When downloads overlap, what the page asked for on their channels tells why (for whoever reads the log).
    for (const span of mine.short.filter((s) => s.underWay > 1)) {
      const under = underWayAt(mine.spans, span);
      console.log(`overlap at ${span.start} ms: ${JSON.stringify(await Promise.all(under.map(async (s) => ({ ...s, commands: await commandsSent(guarded, s.channel) }))))}`);
    }
    expect(mine.short.length).toBeGreaterThanOrEqual(3);
    expect(mine.short.filter((s) => s.underWay > 1)).toEqual([]);
    expect(Math.max(...theirs.short.map((s) => s.underWay))).toBeGreaterThan(1);
    for (const viewer of [guarded, plain]) {
      expect((await viewer.stats()).p2pStalls).toBe(0);
      expect(await viewer.fatalErrors()).toEqual([]);
    }
  });
});
