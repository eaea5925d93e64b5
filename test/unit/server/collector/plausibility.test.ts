import type { Beacon } from '../../../../src/browser/stats/beacon-schema';
import { implausibility, SessionStarts, type PlausibilityLimits } from '../../../../src/server/collector/plausibility';

const T0 = Date.UTC(2026, 11, 1, 12);
const limits: PlausibilityLimits = { maxBitrateBps: 8e6, sessionsPerAddressPerHour: 3 }; // 1 MB/s
const beacon = (over: Partial<Beacon>): Beacon => ({
  v: 1, sessionId: 'session-p', seq: 2, streamId: 's', live: true, httpBytes: 0, p2pBytes: 0, uploadedBytes: 0,
  segmentsHttp: 0, segmentsP2P: 0, peers: 0, integrityFailures: 0, startupMs: 300, rebufferCount: 0, rebufferMs: 0,
  p2pStalls: 0, playingMs: 0, bitrateKbps: 0, liveLatencyS: null, ...over,
});
const quiet = { p2pBytes: 0, uploadedBytes: 0, audience: 0 };
const counters = (over: Record<string, number>) => ({ httpBytes: 0, p2pBytes: 0, uploadedBytes: 0, playingMs: 0, ...over });

describe('plausibility', () => {
  test('a real viewer\'s beacons pass', () => {
    expect(implausibility(undefined, beacon({ httpBytes: 3e6, playingMs: 9_000 }), T0, quiet, limits)).toBeUndefined();
    const previous = { counters: counters({ httpBytes: 3e6, playingMs: 9_000 }), firstSeen: T0 };
    expect(implausibility(previous, beacon({ httpBytes: 5e6, playingMs: 19_000 }), T0 + 10_000, quiet, limits)).toBeUndefined();
  });

  test('counters that go down', () => {
    const previous = { counters: counters({ httpBytes: 3e6 }), firstSeen: T0 };
    expect(implausibility(previous, beacon({ httpBytes: 2e6 }), T0 + 10_000, quiet, limits)).toBe('httpBytes went down');
  });

  test('more play than the session has existed, however often it reports', () => {
    // A first beacon may cover up to an hour (statsIntervalS ≤ 3600) plus 30 s of clock slack.
    expect(implausibility(undefined, beacon({ playingMs: 3_630_000 }), T0, quiet, limits)).toBeUndefined();
    expect(implausibility(undefined, beacon({ playingMs: 3_631_000 }), T0, quiet, limits)).toMatch(/playingMs is 3631 s in a session at most 3630 s old/);
    const previous = { counters: counters({ playingMs: 3_600_000 }), firstSeen: T0 };
    expect(implausibility(previous, beacon({ playingMs: 3_640_000 }), T0 + 10_000, quiet, limits)).toBeUndefined();
    expect(implausibility(previous, beacon({ playingMs: 3_700_000 }), T0 + 10_000, quiet, limits)).toMatch(/playingMs/);
  });

  test('more bytes than the top bitrate allows for the play time (with 300 s ahead)', () => {
    expect(implausibility(undefined, beacon({ httpBytes: 309e6, playingMs: 9_000 }), T0, quiet, limits)).toBeUndefined();
    expect(implausibility(undefined, beacon({ httpBytes: 310e6, playingMs: 9_000 }), T0, quiet, limits)).toMatch(/top bitrate/);
  });

  test('more uploads than eight peers at the top bitrate could take', () => {
    // Eight peers at 1 MB/s for the session's life (10 s, plus an hour and 30 s a first beacon may cover).
    const previous = { counters: counters({ playingMs: 10_000 }), firstSeen: T0 };
    expect(implausibility(previous, beacon({ playingMs: 20_000, uploadedBytes: 8 * 1e6 * 3640 }), T0 + 10_000, quiet, limits)).toBeUndefined();
    expect(implausibility(previous, beacon({ playingMs: 20_000, uploadedBytes: 8 * 1e6 * 3641 }), T0 + 10_000, quiet, limits)).toMatch(/uploaded/);
  });

  test('more received from peers than the stream\'s viewers uploaded, beyond a minute of lead per viewer', () => {
    const b = beacon({ p2pBytes: 200e6, playingMs: 3_000_000 });
    expect(implausibility(undefined, b, T0, { p2pBytes: 0, uploadedBytes: 150e6, audience: 0 }, limits)).toBeUndefined();
    expect(implausibility(undefined, b, T0, { p2pBytes: 100e6, uploadedBytes: 150e6, audience: 0 }, limits)).toMatch(/peers/);
    expect(implausibility(undefined, b, T0, { p2pBytes: 100e6, uploadedBytes: 150e6, audience: 2 }, limits)).toBeUndefined();
  });

  test('new sessions per address are bounded over a sliding hour', () => {
    const starts = new SessionStarts(3);
    expect([1, 2, 3, 4].map((i) => starts.admit('192.0.2.1', T0 + i))).toEqual([true, true, true, false]);
    expect(starts.admit('192.0.2.2', T0)).toBe(true);
    expect(starts.admit('192.0.2.1', T0 + 3_600_002)).toBe(true);
  });
});
