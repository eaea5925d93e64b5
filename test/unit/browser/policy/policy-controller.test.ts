import { jest } from '@jest/globals';
import type { DynamicCoreConfig } from 'p2p-media-loader-core';
import { PolicyController, type PolicyTarget } from '../../../../src/browser/policy/policy-controller';
import { resolvePolicy } from '../../../../src/browser/policy/policy-options';
import { seedingGroup } from '../../../../src/browser/policy/segment-seeding';

type Listener = (...args: unknown[]) => void;

/** p2p-media-loader's side as the controller sees it, with the session's upload counting after it. */
class FakeEngine {
  readonly applied: DynamicCoreConfig[] = [];
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly uploading = new Set<string>();
  readonly target: PolicyTarget = {
    applyDynamicConfig: ({ core }) => void this.applied.push(core),
    addEventListener: (name, listener) => this.on(name, listener as Listener),
    removeEventListener: (name, listener) => this.listeners.get(name)?.delete(listener as Listener),
    stream: () => ({ segmentDurationS: 2, live: false }),
    uploadsInFlight: () => this.uploading.size,
    peers: () => 3,
  };

  on(name: string, listener: Listener): void {
    if (!this.listeners.has(name)) this.listeners.set(name, new Set());
    this.listeners.get(name)!.add(listener);
  }

  /** Registered after the controller, as the session's stats are. */
  countUploads(): void {
    this.on('onChunkUploaded', (_bytes, peerId) => this.uploading.add(peerId as string));
  }

  emit(name: string, ...args: unknown[]): void {
    for (const listener of this.listeners.get(name) ?? []) listener(...args);
  }

  get uploadSwitch(): boolean | undefined {
    return [...this.applied].reverse().find((core) => core.isP2PUploadDisabled !== undefined)?.isP2PUploadDisabled;
  }
}

const flushMicrotasks = () => new Promise<void>((resolve) => queueMicrotask(resolve));

describe('PolicyController upload switch', () => {
  // Timers faked so the 250 ms tick never runs; microtasks real, as the browser runs them.
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['queueMicrotask'] }));
  afterEach(() => jest.useRealTimers());

  test('the upload that reaches upload.maxConcurrent switches uploading off before the next request, not at the next tick', async () => {
    const engine = new FakeEngine();
    const controller = new PolicyController(engine.target, resolvePolicy({ upload: { maxConcurrent: 2 } }, undefined), null);
    engine.countUploads();

    engine.emit('onChunkUploaded', 65_535, 'peer-a');
    await flushMicrotasks();
    expect(engine.uploadSwitch).toBeUndefined(); // one upload of two allowed: still on

    engine.emit('onChunkUploaded', 65_535, 'peer-b');
    await flushMicrotasks();
    // No timer has run (fake timers): only the chunk event can have switched it.
    expect(engine.uploadSwitch).toBe(true);
    controller.destroy();
  });

  test('a spent rate budget switches uploading off at the chunk that spent it', async () => {
    const engine = new FakeEngine();
    const controller = new PolicyController(engine.target, resolvePolicy({ upload: { maxBytesPerS: 10_000 } }, undefined), null);
    engine.countUploads();
    engine.emit('onChunkUploaded', 15_000, 'peer-a'); // the budget starts with two seconds' worth
    await flushMicrotasks();
    expect(engine.uploadSwitch).toBeUndefined();
    engine.emit('onChunkUploaded', 6_000, 'peer-a');
    await flushMicrotasks();
    expect(engine.uploadSwitch).toBe(true);
    controller.destroy();
  });

  test('after destroy, a queued check does nothing', async () => {
    const engine = new FakeEngine();
    const controller = new PolicyController(engine.target, resolvePolicy({ upload: { maxConcurrent: 1 } }, undefined), null);
    engine.countUploads();
    engine.emit('onChunkUploaded', 65_535, 'peer-a');
    const appliedBefore = engine.applied.length;
    controller.destroy();
    await flushMicrotasks();
    expect(engine.applied.length).toBe(appliedBefore);
  });
});

describe('PolicyController on a live stream seen whole', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['queueMicrotask'] }));
  afterEach(() => jest.useRealTimers());

  // Six viewers, each connected to the other five; 2 s segments, the newest 7.6 s ahead of the playhead.
  const ids = ['-MC0001-aaaaaaaaaaaa', '-MC0001-bbbbbbbbbbbb', '-MC0001-cccccccccccc', '-MC0001-dddddddddddd', '-MC0001-eeeeeeeeeeee', '-MC0001-ffffffffffff'];
  const segments = [0, 1, 2, 3, 4].map((i) => ({ sequence: 100 + i, startS: 200 + 2 * i, url: `https://cdn.test/live/seg_${100 + i}.ts`, id: `https://cdn.test/live/seg_${100 + i}.ts` }));
  const live = (engine: FakeEngine, self: string, audience: number | undefined) => {
    engine.target.stream = () => ({ segmentDurationS: 2, live: true });
    engine.target.swarm = () => ({ selfId: self, peerIds: ids.filter((id) => id !== self), audience });
    engine.target.liveSegments = () => ({ positionS: 200.4, segments });
  };
  const lastWindows = (engine: FakeEngine) => [...engine.applied].reverse().find((core) => core.highDemandTimeWindow !== undefined)!;

  test('exactly one of the six reaches for the newest segment; the others hold background HTTP back', () => {
    const reaching = ids.filter((self) => {
      const engine = new FakeEngine();
      live(engine, self, 6);
      const controller = new PolicyController(engine.target, resolvePolicy({ live: { targetLatency: 10 } }, undefined), null);
      const windows = lastWindows(engine);
      controller.destroy();
      if (windows.highDemandTimeWindow! >= 7.6) return true;
      expect(windows.httpDownloadTimeWindow).toBe(5);
      return false;
    });
    expect(reaching).toHaveLength(1);
  });

  test('nobody reaches without the collector\'s count, with a capped upload, or while a peer is sending an earlier segment', () => {
    const leader = ids.find((self) => {
      const engine = new FakeEngine();
      live(engine, self, 6);
      const controller = new PolicyController(engine.target, resolvePolicy({ live: { targetLatency: 10 } }, undefined), null);
      controller.destroy();
      return lastWindows(engine).highDemandTimeWindow! >= 7.6;
    })!;

    // A viewer whose upload is capped could not pass the segment on to everyone: it keeps out.
    const capped = new FakeEngine();
    live(capped, leader, 6);
    new PolicyController(capped.target, resolvePolicy({ live: { targetLatency: 10 }, upload: { maxBytesPerS: 100_000 } }, undefined), null).destroy();
    expect(lastWindows(capped).highDemandTimeWindow).toBeLessThan(7.6);
    expect(lastWindows(capped).httpDownloadTimeWindow).toBe(10);

    const uncounted = new FakeEngine();
    live(uncounted, leader, undefined);
    new PolicyController(uncounted.target, resolvePolicy({ live: { targetLatency: 10 } }, undefined), null).destroy();
    expect(lastWindows(uncounted).highDemandTimeWindow).toBeLessThan(7.6);
    expect(lastWindows(uncounted).httpDownloadTimeWindow).toBe(10);

    const busy = new FakeEngine();
    live(busy, leader, 6);
    const controller = new PolicyController(busy.target, resolvePolicy({ live: { targetLatency: 10 } }, undefined), null);
    expect(lastWindows(busy).highDemandTimeWindow).toBeGreaterThanOrEqual(7.6);
    busy.emit('onSegmentStart', { segment: { url: segments[2].url }, downloadSource: 'p2p' });
    controller.tick();
    expect(lastWindows(busy).highDemandTimeWindow).toBeLessThan(7.6);
    // Once the newest segment is on its way, the window goes back to the guard's.
    busy.emit('onSegmentLoaded', { segmentUrl: segments[2].url, downloadSource: 'p2p', bytesLength: 1000 });
    busy.emit('onSegmentStart', { segment: { url: segments[4].url }, downloadSource: 'http' });
    controller.tick();
    expect(lastWindows(busy).highDemandTimeWindow).toBeLessThan(7.6);
    controller.destroy();
  });
});

describe('PolicyController: the turns on a new live segment (4 s behind the edge)', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['queueMicrotask'] }));
  afterEach(() => jest.useRealTimers());

  const ids = ['-MC0001-aaaaaaaaaaaa', '-MC0001-bbbbbbbbbbbb', '-MC0001-cccccccccccc', '-MC0001-dddddddddddd', '-MC0001-eeeeeeeeeeee', '-MC0001-ffffffffffff'];
  // The newest segment (sequence 104) starts 2.6 s ahead of the playhead (4.6 s behind the edge), beyond the
  // guard's own window (at most the latency less a segment: 2 s).
  const segments = [103, 104].map((sequence) => ({ sequence, startS: 200 + 2 * (sequence - 103), url: `https://cdn.test/live/seg_${sequence}.ts`, id: `https://cdn.test/live/seg_${sequence}.ts` }));
  /** One viewer of six whose playlist lists segment 104 from now on; `announced` says whether a peer announced it. */
  const viewer = (self: string, announced: { now: boolean }) => {
    const engine = new FakeEngine();
    engine.target.stream = () => ({ segmentDurationS: 2, live: true });
    engine.target.swarm = () => ({ selfId: self, peerIds: ids.filter((id) => id !== self), audience: 6 });
    engine.target.liveSegments = () => ({ positionS: 199.4, segments });
    engine.target.announcedByPeers = (id: string) => announced.now && id === segments[1].id;
    const controller = new PolicyController(engine.target, resolvePolicy({ live: { targetLatency: 4 } }, undefined), null);
    const reaches = () => ([...engine.applied].reverse().find((core) => core.highDemandTimeWindow !== undefined)!.highDemandTimeWindow! >= 2.6);
    return { controller, reaches };
  };

  test('the viewer ranked k-th reaches for it k x 250 ms after its playlist listed it, while no peer announced it', () => {
    const announced = { now: false };
    const viewers = ids.map((self) => ({ self, ...viewer(self, announced) }));
    const reachingAt = (ms: number) => {
      jest.advanceTimersByTime(ms);
      return viewers.filter((v) => v.reaches()).length;
    };
    expect(reachingAt(0)).toBe(1);
    expect(reachingAt(250)).toBe(2);
    expect(reachingAt(250)).toBe(3);
    expect(reachingAt(750)).toBe(6);
    for (const v of viewers) v.controller.destroy();
  });

  test('nobody reaches once a peer announced it: the segment comes from that peer', () => {
    const announced = { now: true };
    const viewers = ids.map((self) => viewer(self, announced));
    jest.advanceTimersByTime(2000);
    expect(viewers.filter((v) => v.reaches())).toHaveLength(0);
    for (const v of viewers) v.controller.destroy();
  });
});

describe('PolicyController download concurrency', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['queueMicrotask'] }));
  afterEach(() => jest.useRealTimers());

  /** A playing media element with `ahead` seconds buffered past its playhead at 30 s. */
  const media = (ahead: { s: number }) => ({
    currentSrc: 'blob:https://app.test/1',
    currentTime: 30,
    buffered: { length: 1, start: () => 20, end: () => 30 + ahead.s },
    addEventListener() {},
    removeEventListener() {},
  }) as unknown as HTMLMediaElement;

  test('one segment at a time over HTTP while the buffer is short for the measured link, two once it is not', () => {
    const engine = new FakeEngine();
    const ahead = { s: 0.5 };
    const controller = new PolicyController(engine.target, resolvePolicy({}, undefined), media(ahead));
    const concurrency = () => [...engine.applied].reverse().find((core) => core.simultaneousHttpDownloads !== undefined)?.simultaneousHttpDownloads;
    expect(concurrency()).toBe(1);
    // A segment took 0.8 s: two at once would take some 1.6 s each; 5 s ahead is short of 1 + 3 x 1.6 s...
    engine.emit('onSegmentStart', { segment: { url: 'https://cdn.test/seg_15.ts' }, downloadSource: 'http' });
    jest.advanceTimersByTime(800);
    engine.emit('onSegmentLoaded', { segmentUrl: 'https://cdn.test/seg_15.ts', downloadSource: 'http', bytesLength: 40_000 });
    ahead.s = 5;
    controller.tick();
    expect(concurrency()).toBe(1);
    // ...and 6 s is.
    ahead.s = 6;
    controller.tick();
    expect(concurrency()).toBe(2);
    expect(controller.httpConcurrency).toBe(2);
    controller.destroy();
  });

  test('one segment at a time from peers while the buffer is short, p2p-media-loader\'s 3 once it is not', () => {
    const engine = new FakeEngine();
    const ahead = { s: 0.5 };
    const controller = new PolicyController(engine.target, resolvePolicy({}, undefined), media(ahead));
    const concurrency = () => [...engine.applied].reverse().find((core) => core.simultaneousP2PDownloads !== undefined)?.simultaneousP2PDownloads;
    expect(concurrency()).toBe(1);
    expect(controller.p2pConcurrency).toBe(1);
    ahead.s = 10;
    controller.tick();
    expect(concurrency()).toBe(3);
    expect(controller.p2pConcurrency).toBe(3);
    // Handed over only when it changes.
    const applied = engine.applied.length;
    controller.tick();
    expect(engine.applied.slice(applied).some((core) => core.simultaneousP2PDownloads !== undefined)).toBe(false);
    controller.destroy();
  });

  test('without a media element the limits stay p2p-media-loader\'s', () => {
    const engine = new FakeEngine();
    const controller = new PolicyController(engine.target, resolvePolicy({}, undefined), null);
    expect(engine.applied.some((core) => core.simultaneousHttpDownloads !== undefined || core.simultaneousP2PDownloads !== undefined)).toBe(false);
    expect(controller.httpConcurrency).toBe(2);
    expect(controller.p2pConcurrency).toBe(3);
    controller.destroy();
  });
});

describe('PolicyController HTTP throughput', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['queueMicrotask'] }));
  afterEach(() => jest.useRealTimers());

  const httpSegment = (engine: FakeEngine, n: number, ms: number, details: Record<string, number>) => {
    const url = `https://cdn.test/seg_${n}.m4s`;
    engine.emit('onSegmentStart', { segment: { url }, downloadSource: 'http' });
    jest.advanceTimersByTime(ms);
    engine.emit('onSegmentLoaded', { segmentUrl: url, downloadSource: 'http', ...details });
  };

  test('the slowest of the last five HTTP segments; a segment resumed after a peer counts only its HTTP part', () => {
    const engine = new FakeEngine();
    const controller = new PolicyController(engine.target, resolvePolicy({}, undefined), null);
    expect(controller.httpBitsPerS()).toBeUndefined();
    // 1 MB in 200 ms: 40 Mbit/s.
    httpSegment(engine, 1, 200, { bytesLength: 1_000_000 });
    expect(controller.httpBitsPerS()).toBeCloseTo(40e6, -3);
    // A 2 MB segment whose first 1.5 MB came from a peer: 0.5 MB over HTTP in 100 ms, 40 Mbit/s too.
    httpSegment(engine, 2, 100, { bytesLength: 2_000_000, httpBytes: 500_000, p2pBytes: 1_500_000 });
    expect(controller.httpBitsPerS()).toBeCloseTo(40e6, -3);
    // One slow segment (4 Mbit/s) sets it while it is among the last five...
    httpSegment(engine, 3, 2_000, { bytesLength: 1_000_000 });
    for (let n = 4; n <= 7; n++) httpSegment(engine, n, 200, { bytesLength: 1_000_000 });
    expect(controller.httpBitsPerS()).toBeCloseTo(4e6, -3);
    // ...and no longer once five faster ones came after it.
    httpSegment(engine, 8, 200, { bytesLength: 1_000_000 });
    expect(controller.httpBitsPerS()).toBeCloseTo(40e6, -3);
    controller.destroy();
  });
});

describe('PolicyController: staggered seeding where a viewer sees part of the audience', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['queueMicrotask'] }));
  afterEach(() => jest.useRealTimers());

  const newest = { sequence: 104, startS: 208, url: 'https://cdn.test/live/seg_104.ts', id: 'https://cdn.test/live/seg_104.ts' };
  /** A live viewer with two peers, in an audience the collector counted; what it hands p2p-media-loader as its seeder. */
  const viewer = (self: string, audience: number | undefined, options: Record<string, unknown> = {}, live = true, bitsPerS?: number) => {
    const engine = new FakeEngine();
    const seeders: Array<((id: string, announced: boolean) => boolean) | undefined> = [];
    engine.target.stream = () => ({ segmentDurationS: 2, live, ...(bitsPerS && { bitsPerS }) });
    engine.target.swarm = () => ({ selfId: self, peerIds: ['-MC0001-peer00000001', '-MC0001-peer00000002'], audience, ...(options.renditionAudience !== false && { renditionAudience: audience }) });
    engine.target.liveSegments = () => ({ positionS: 200.4, segments: [newest] });
    engine.target.peers = () => 2;
    engine.target.setHttpSeeder = (seeder) => void seeders.push(seeder);
    const { renditionAudience: _counted, ...policy } = options;
    const controller = new PolicyController(engine.target, resolvePolicy(policy, undefined), null);
    return { controller, seeders, seeder: () => seeders.at(-1) };
  };
  const ids = Array.from({ length: 40 }, (_, i) => `-MC0001-viewer${String(i).padStart(6, '0')}`);

  test('handed over on a live stream whose audience is larger than what the viewer sees, and taken back on destroy', () => {
    const seen = viewer(ids[0], 40);
    expect(seen.seeder()).toBeInstanceOf(Function);
    expect(seen.controller.seedingStaggered).toBe(true);
    seen.controller.destroy();
    expect(seen.seeders).toHaveLength(2);
    expect(seen.seeder()).toBeUndefined();
  });

  test('not handed over where the viewer sees the whole audience, without the collector\'s count or its rendition\'s, with live.seeding "random", or on VOD', () => {
    for (const [audience, options, live] of [
      [3, {}, true],
      [undefined, {}, true],
      [40, { renditionAudience: false }, true],
      [40, { live: { seeding: 'random' } }, true],
      [40, {}, false],
    ] as const) {
      const v = viewer(ids[0], audience, options, live);
      expect(v.seeders).toEqual([]);
      v.controller.destroy();
    }
  });

  test('the viewers of group 0 fetch a new segment at once, those of group g from g x 2 s on while no peer has announced it', () => {
    const viewers = ids.map((self) => ({ self, ...viewer(self, 40) }));
    const group = (self: string) => seedingGroup(self, newest.sequence, 40);
    const seeding = (announced: boolean) => viewers.filter((v) => v.seeder()!(newest.id, announced)).map((v) => v.self);
    // 40 viewers in groups of about 2: 20 groups.
    expect(new Set(ids.map(group)).size).toBeGreaterThan(10);
    expect(seeding(false)).toEqual(ids.filter((id) => group(id) === 0));
    // The next group with a member among the forty: its turn comes 2 s per group after the segment was listed.
    const next = Math.min(...ids.map(group).filter((g) => g > 0));
    jest.advanceTimersByTime(next * 2000 - 100);
    expect(seeding(false)).toEqual(ids.filter((id) => group(id) === 0));
    jest.advanceTimersByTime(100);
    expect(seeding(false)).toEqual(ids.filter((id) => group(id) <= next));
    // Group 0 fetches even what the neighbourhood has (it seeds the rest of the swarm); later groups do not.
    expect(seeding(true)).toEqual(ids.filter((id) => group(id) === 0));
    // A segment the viewer has never seen listed is not seeded.
    expect(viewers.filter((v) => v.seeder()!('https://cdn.test/live/seg_999.ts', false))).toHaveLength(0);
    for (const v of viewers) v.controller.destroy();
  });

  test('with uploads capped below the rendition\'s bitrate, the share its peers cannot carry seeds each new segment at once', () => {
    // 2 Mbit/s of upload for a 2.5 Mbit/s rendition: a fifth of the 40 viewers, groups of 8.
    const capped = { upload: { maxBytesPerS: 250_000 } };
    const viewers = ids.map((self) => ({ self, ...viewer(self, 40, capped, true, 2_500_000) }));
    const seeding = viewers.filter((v) => v.seeder()!(newest.id, true)).map((v) => v.self);
    expect(seeding).toEqual(ids.filter((id) => seedingGroup(id, newest.sequence, 40, 8) === 0));
    expect(seeding.length).toBeGreaterThan(2);
    for (const v of viewers) v.controller.destroy();
    // A cap above the bitrate leaves groups of about 2.
    const roomy = ids.map((self) => ({ self, ...viewer(self, 40, capped, true, 1_000_000) }));
    expect(roomy.filter((v) => v.seeder()!(newest.id, true)).map((v) => v.self)).toEqual(ids.filter((id) => seedingGroup(id, newest.sequence, 40) === 0));
    for (const v of roomy) v.controller.destroy();
  });
});
