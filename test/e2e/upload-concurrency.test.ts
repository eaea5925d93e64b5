import { rmSync } from 'node:fs';
import { hashMedia } from '../../src/server/hash-media';
import { openViewer, useTestbed, waitFor, type Viewer } from './harness';
import { paddedMediaDir } from './padded-media';

/** 1 MB segments of 2 s (a 4 Mbit/s stream): an upload takes many WebRTC messages, so uploads to several peers overlap. */
const SEGMENT_BYTES = 1_000_000;
const media = paddedMediaDir(16, SEGMENT_BYTES);

/** p2p-media-loader's message size (`webRtcMaxMessageSize`, 64 KiB − 1): every chunk of a segment but the last. */
const FULL_CHUNK = 64 * 1024 - 1;

/**
 * Records, in the page, every message sent on a WebRTC data channel (one channel per peer
 * connection): when, on which channel, how many bytes. What the peers got, not what the engine says.
 */
const SEND_RECORDER = `window.__sends = [];
const channels = new WeakMap();
let channelCount = 0;
const send = RTCDataChannel.prototype.send;
RTCDataChannel.prototype.send = function (data) {
  if (!channels.has(this)) channels.set(this, channelCount++);
  window.__sends.push([performance.now(), channels.get(this), data.byteLength ?? data.size ?? data.length]);
  return send.call(this, data);
};`;

/**
 * The most peers this viewer was sending a segment to at one time. A segment goes to a peer as full
 * chunks and one shorter last chunk, one segment at a time per peer; commands are far smaller than any
 * chunk. A cancelled upload (the peer got the segment elsewhere) just stops: it ends at its last chunk,
 * and a chunk more than a second later starts another upload (Meshcast holds a cancelled upload's slot
 * for that second).
 */
async function mostPeersServedAtOnce(viewer: Viewer, lastChunk: (bytes: number) => boolean) {
  const sends = await viewer.page.evaluate(() => (window as unknown as { __sends: Array<[number, number, number]> }).__sends);
  const spans: Array<{ channel: number; start: number; end: number }> = [];
  const open = new Map<number, { channel: number; start: number; end: number }>();
  for (const [at, channel, bytes] of sends) {
    if (bytes !== FULL_CHUNK && !lastChunk(bytes)) continue;
    let span = open.get(channel);
    if (span && Math.round(at) - span.end > 1000) {
      spans.push(span);
      open.delete(channel);
      span = undefined;
    }
    if (!span) {
      if (bytes !== FULL_CHUNK) continue;
      span = { channel, start: Math.round(at), end: Math.round(at) };
      open.set(channel, span);
    }
    span.end = Math.round(at);
    if (lastChunk(bytes)) {
      spans.push(span);
      open.delete(channel);
    }
  }
  spans.push(...open.values());
  let most = 0;
  let busiest: typeof spans = [];
  for (const { start } of spans) {
    const under = spans.filter((o) => o.start <= start && o.end >= start);
    if (under.length > most) [most, busiest] = [under.length, under];
  }
  return { most, uploads: spans.length, busiest };
}

describe('upload.maxConcurrent in real browsers', () => {
  const bed = useTestbed(['--media', media]);
  const opened: Viewer[] = [];
  beforeAll(async () => {
    await hashMedia(media);
  });
  afterAll(() => rmSync(media, { recursive: true, force: true }));
  afterEach(async () => {
    for (const v of opened.splice(0)) await v.close();
  });
  const page = (options: object, swarm: string) =>
    `${bed.server.url}/demo/hlsjs.html?src=/media/hd/index.m3u8&swarmId=${swarm}&options=${encodeURIComponent(JSON.stringify(options))}`;

  /** A seeder holding the whole stream, then four viewers joining at once: how many did it serve at one time? */
  async function seedToFour(upload: object, name: string) {
    const swarm = `${name}-${Date.now()}`;
    const seeder = await openViewer(bed.browser, page({ upload }, swarm), 'window.engine.stats()', SEND_RECORDER);
    opened.push(seeder);
    await waitFor('the seeder to hold the stream', async () => (await seeder.stats()).segmentsHttp, (n) => n >= 14, 60_000);
    const viewers = await Promise.all([0, 1, 2, 3].map(() => openViewer(bed.browser, page({}, swarm))));
    opened.push(...viewers);
    await waitFor('the viewers to play 16 s', () => Promise.all(viewers.map((v) => v.currentTime())), (t) => Math.min(...t) > 16, 60_000);
    const served = await mostPeersServedAtOnce(seeder, (bytes) => bytes > 1000 && bytes < FULL_CHUNK);
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
