import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Value } from '@sinclair/typebox/value';
import { BeaconSchema, type Beacon } from '../../../../src/browser/stats/beacon-schema';
import { series, summarize } from '../../../../src/server/collector/aggregate';
import { BeaconStore } from '../../../../src/server/collector/store';

const T0 = Date.UTC(2026, 10, 22, 12, 0, 0);
const beacon = (over: Partial<Beacon>): Beacon => ({
  v: 1, sessionId: 'session-a', seq: 1, streamId: 'stream-1', live: false,
  httpBytes: 0, p2pBytes: 0, uploadedBytes: 0, segmentsHttp: 0, segmentsP2P: 0, peers: 0, integrityFailures: 0,
  startupMs: 300, rebufferCount: 0, rebufferMs: 0, p2pStalls: 0, playingMs: 0, bitrateKbps: 100, liveLatencyS: null,
  ...over,
});

describe('beacon schema', () => {
  test('accepts a well-formed beacon', () => {
    expect(Value.Check(BeaconSchema, beacon({}))).toBe(true);
  });
  test.each([
    ['a wrong version', { v: 2 }],
    ['a negative count', { httpBytes: -1 }],
    ['a fractional count', { segmentsHttp: 1.5 }],
    ['an absurd byte count', { p2pBytes: 1e16 }],
    ['a short session id', { sessionId: 'abc' }],
    ['a session id with odd characters', { sessionId: 'abc def ghi' }],
    ['a long stream id', { streamId: 'x'.repeat(513) }],
    ['an unknown field', { extra: 1 }],
    ['a string number', { playingMs: '5' }],
  ])('rejects %s', (_what, over) => {
    expect(Value.Check(BeaconSchema, { ...beacon({}), ...over })).toBe(false);
  });
});

describe('BeaconStore', () => {
  let store: BeaconStore;
  beforeEach(() => {
    store = new BeaconStore(':memory:');
  });
  afterEach(() => store.close());

  test('opens a store written before uploads were reported, keeping its data', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'meshcast-store-'));
    const file = path.join(dir, 'old.db');
    try {
      const old = new Database(file);
      old.exec(`CREATE TABLE minutes (stream_id TEXT NOT NULL, minute INTEGER NOT NULL, http_bytes INTEGER NOT NULL DEFAULT 0,
        p2p_bytes INTEGER NOT NULL DEFAULT 0, rebuffer_ms INTEGER NOT NULL DEFAULT 0, playing_ms INTEGER NOT NULL DEFAULT 0,
        rebuffer_count INTEGER NOT NULL DEFAULT 0, integrity_failures INTEGER NOT NULL DEFAULT 0, p2p_stalls INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (stream_id, minute));
        INSERT INTO minutes (stream_id, minute, http_bytes, p2p_bytes) VALUES ('stream-1', ${T0}, 100, 200);`);
      old.close();
      const upgraded = new BeaconStore(file);
      upgraded.ingest(beacon({ p2pBytes: 50, uploadedBytes: 70 }), T0 + 1_000);
      expect(upgraded.minutes(T0, T0 + 60_000)).toEqual([expect.objectContaining({ httpBytes: 100, p2pBytes: 250, uploadedBytes: 70 })]);
      upgraded.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('adds the increases of cumulative counters to the minute they arrive in', () => {
    expect(store.ingest(beacon({ seq: 1, httpBytes: 1000, playingMs: 10_000 }), T0 + 5_000).result).toBe('accepted');
    const second = store.ingest(beacon({ seq: 2, httpBytes: 1500, p2pBytes: 3000, playingMs: 20_000 }), T0 + 65_000);
    expect(second).toEqual({ result: 'accepted', delta: expect.objectContaining({ httpBytes: 500, p2pBytes: 3000, playingMs: 10_000 }) });
    const minutes = store.minutes(T0, T0 + 120_000);
    expect(minutes.map((m) => [m.minute - T0, m.httpBytes, m.p2pBytes, m.playingMs, m.viewers])).toEqual([
      [0, 1000, 0, 10_000, 1],
      [60_000, 500, 3000, 10_000, 1],
    ]);
  });

  test('a repeated or out-of-order beacon changes nothing', () => {
    store.ingest(beacon({ seq: 1, httpBytes: 1000 }), T0);
    store.ingest(beacon({ seq: 3, httpBytes: 3000 }), T0 + 1_000);
    expect(store.ingest(beacon({ seq: 3, httpBytes: 3000 }), T0 + 2_000)).toEqual({ result: 'duplicate' });
    expect(store.ingest(beacon({ seq: 2, httpBytes: 2000 }), T0 + 3_000)).toEqual({ result: 'duplicate' });
    expect(store.minutes(T0, T0 + 60_000)[0].httpBytes).toBe(3000);
  });

  test('a counter that goes backwards (a page that reset) adds nothing and is not subtracted', () => {
    store.ingest(beacon({ seq: 1, httpBytes: 1000 }), T0);
    store.ingest(beacon({ seq: 2, httpBytes: 400 }), T0 + 1_000);
    store.ingest(beacon({ seq: 3, httpBytes: 1200 }), T0 + 2_000);
    expect(store.minutes(T0, T0 + 60_000)[0].httpBytes).toBe(1200);
  });

  test('pruning deletes minutes and sessions older than the cutoff and keeps the rest', () => {
    store.ingest(beacon({ sessionId: 'old-session', seq: 1, httpBytes: 1000 }), T0);
    store.ingest(beacon({ sessionId: 'new-session', seq: 1, httpBytes: 2000 }), T0 + 3 * 86_400_000);
    expect(store.prune(T0 + 86_400_000)).toEqual({ minutes: 1, sessions: 1 });
    expect(store.minutes(T0 - 60_000, T0 + 4 * 86_400_000).map((m) => m.httpBytes)).toEqual([2000]);
    expect(store.sessions(T0 - 60_000, T0 + 4 * 86_400_000).map((s) => s.sessionId)).toEqual(['new-session']);
  });

  test('pruning step by step deletes at most the step\'s rows per table each time, and all of them in the end', () => {
    for (let i = 0; i < 7; i += 1) store.ingest(beacon({ sessionId: `old-${i}`, seq: 1, httpBytes: 100 }), T0 + i * 60_000);
    store.ingest(beacon({ sessionId: 'kept', seq: 1, httpBytes: 5000 }), T0 + 3 * 86_400_000);
    const steps = [];
    for (let step = store.pruneStep(T0 + 86_400_000, 3); ; step = store.pruneStep(T0 + 86_400_000, 3)) {
      steps.push(step);
      expect(step.minutes).toBeLessThanOrEqual(3);
      if (step.done) break;
    }
    expect(steps.length).toBe(3);
    expect(steps.reduce((n, s) => n + s.sessions, 0)).toBe(7);
    expect(steps.reduce((n, s) => n + s.minutes, 0)).toBe(7);
    expect(store.sessions(T0 - 60_000, T0 + 4 * 86_400_000).map((s) => s.sessionId)).toEqual(['kept']);
    expect(store.minutes(T0 - 60_000, T0 + 4 * 86_400_000).map((m) => m.httpBytes)).toEqual([5000]);
  });

  test('opens a store written before viewers were kept per minute, counting them from its per-session rows', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'meshcast-store-'));
    const file = path.join(dir, 'old.db');
    try {
      const old = new Database(file);
      old.exec(`CREATE TABLE minutes (stream_id TEXT NOT NULL, minute INTEGER NOT NULL, http_bytes INTEGER NOT NULL DEFAULT 0,
        p2p_bytes INTEGER NOT NULL DEFAULT 0, uploaded_bytes INTEGER NOT NULL DEFAULT 0, rebuffer_ms INTEGER NOT NULL DEFAULT 0,
        playing_ms INTEGER NOT NULL DEFAULT 0, rebuffer_count INTEGER NOT NULL DEFAULT 0, integrity_failures INTEGER NOT NULL DEFAULT 0,
        p2p_stalls INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (stream_id, minute));
        CREATE TABLE session_minutes (session_id TEXT NOT NULL, stream_id TEXT NOT NULL, minute INTEGER NOT NULL, peers INTEGER NOT NULL, PRIMARY KEY (session_id, minute));
        INSERT INTO minutes (stream_id, minute, http_bytes) VALUES ('stream-1', ${T0}, 100);
        INSERT INTO session_minutes VALUES ('a', 'stream-1', ${T0}, 2), ('b', 'stream-1', ${T0}, 3);`);
      old.close();
      const upgraded = new BeaconStore(file);
      expect(upgraded.minutes(T0, T0 + 60_000)).toEqual([expect.objectContaining({ viewers: 2, peers: 5 })]);
      upgraded.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('viewers and peers per minute: one per session, its latest peer count, under the stream it started the minute in', () => {
    store.ingest(beacon({ sessionId: 'viewer-1', seq: 1, peers: 2 }), T0 + 1_000);
    store.ingest(beacon({ sessionId: 'viewer-1', seq: 2, peers: 4 }), T0 + 20_000);
    store.ingest(beacon({ sessionId: 'viewer-2', seq: 1, peers: 1 }), T0 + 30_000);
    store.ingest(beacon({ sessionId: 'viewer-2', seq: 2, peers: 3, streamId: 'stream-2' }), T0 + 40_000);
    expect(store.minutes(T0, T0 + 60_000, 'stream-1')).toEqual([expect.objectContaining({ viewers: 2, peers: 7 })]);
    expect(store.minutes(T0, T0 + 60_000)).toEqual([expect.objectContaining({ viewers: 2, peers: 7 })]);
  });

  test('per stream and overall', () => {
    store.ingest(beacon({ sessionId: 'session-a', streamId: 'one', httpBytes: 100 }), T0);
    store.ingest(beacon({ sessionId: 'session-b', streamId: 'two', p2pBytes: 300 }), T0);
    expect(store.streamIds(T0, T0 + 60_000)).toEqual(['one', 'two']);
    expect(store.minutes(T0, T0 + 60_000, 'two')).toEqual([expect.objectContaining({ httpBytes: 0, p2pBytes: 300, viewers: 1 })]);
    expect(store.minutes(T0, T0 + 60_000)).toEqual([expect.objectContaining({ httpBytes: 100, p2pBytes: 300, viewers: 2 })]);
  });
});

describe('aggregation', () => {
  const minute = (m: number, over: object) => ({
    streamId: '*', minute: T0 + m * 60_000, httpBytes: 0, p2pBytes: 0, uploadedBytes: 0, rebufferMs: 0, playingMs: 0,
    rebufferCount: 0, integrityFailures: 0, p2pStalls: 0, viewers: 0, peers: 0, ...over,
  });
  const session = (startupMs: number | null, firstSeen = T0) => ({ sessionId: String(startupMs), streamId: 's', startupMs, firstSeen, lastSeen: firstSeen });

  test('summary: offload, saved bytes, viewers, start-up percentiles, rebuffering ratio', () => {
    const summary = summarize(
      [minute(0, { httpBytes: 100, p2pBytes: 300, playingMs: 9_000, rebufferMs: 1_000, viewers: 2, peers: 2 }), minute(1, { httpBytes: 100, p2pBytes: 500, playingMs: 10_000, viewers: 3, peers: 6 })],
      [session(100), session(200), session(300), session(null)],
      { from: T0, to: T0 + 120_000 },
    );
    expect(summary).toMatchObject({
      offloadRatio: 0.8, httpBytes: 200, p2pBytes: 800, cdnBytesSaved: 800, concurrentViewers: 3, peersPerViewer: 2,
      sessions: 4, startupMsMedian: 200, startupMsP95: 300, rebufferingRatio: 0.05, streamId: null,
    });
  });

  test('an empty window is all zeros, with no start-up figure', () => {
    expect(summarize([], [], { from: T0, to: T0 + 1 })).toMatchObject({ offloadRatio: 0, concurrentViewers: 0, startupMsMedian: null, rebufferingRatio: 0 });
  });

  test('series: throughput in bits per second over each minute, start-up of the sessions that started in it', () => {
    const points = series([minute(0, { httpBytes: 60_000, p2pBytes: 180_000, viewers: 2 })], [session(400, T0 + 10_000), session(600, T0 + 70_000)]);
    expect(points).toEqual([{ minute: T0, offloadRatio: 0.75, httpBps: 8_000, p2pBps: 24_000, viewers: 2, rebufferingRatio: 0, startupMsMedian: 400 }]);
  });
});
