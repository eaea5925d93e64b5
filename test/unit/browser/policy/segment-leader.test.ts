import type { GuardDecision } from '../../../../src/browser/policy/deadline-guard';
import { coordinateWindows, LEADER_GRACE_S, pagePeerIdentity, seesWholeSwarm, segmentRank, turnForSegment } from '../../../../src/browser/policy/segment-leader';

const ids = ['-MC0001-aaaaaaaaaaaa', '-MC0001-bbbbbbbbbbbb', '-MC0001-cccccccccccc', '-MC0001-dddddddddddd', '-MC0001-eeeeeeeeeeee', '-MC0001-ffffffffffff'];
const others = (self: string) => ids.filter((id) => id !== self);
const leadsSegment = (self: string, peers: string[], sequence: number) => turnForSegment(self, peers, sequence) === 0;

describe('segment leader election', () => {
  test('in a swarm where everyone sees everyone, exactly one viewer leads each segment', () => {
    const leadCounts = new Map(ids.map((id) => [id, 0]));
    for (let sequence = 1000; sequence < 1600; sequence++) {
      const leaders = ids.filter((id) => leadsSegment(id, others(id), sequence));
      expect(leaders).toHaveLength(1);
      leadCounts.set(leaders[0], leadCounts.get(leaders[0])! + 1);
    }
    // The work rotates: each of the six leads roughly a sixth of 600 segments.
    for (const count of leadCounts.values()) {
      expect(count).toBeGreaterThan(60);
      expect(count).toBeLessThan(140);
    }
  });

  test('every viewer has its own turn for each segment, the leader first', () => {
    for (let sequence = 2000; sequence < 2100; sequence++) {
      const turns = ids.map((id) => turnForSegment(id, others(id), sequence));
      expect([...turns].sort()).toEqual([0, 1, 2, 3, 4, 5]);
      expect(ids.filter((id) => leadsSegment(id, others(id), sequence))).toEqual([ids[turns.indexOf(0)]]);
    }
  });

  test('ranks depend on peer ID and segment only, so every viewer computes the same', () => {
    expect(segmentRank(ids[0], 7)).toBe(segmentRank(ids[0], 7));
    expect(segmentRank(ids[0], 7)).not.toBe(segmentRank(ids[0], 8));
    expect(segmentRank(ids[0], 7)).not.toBe(segmentRank(ids[1], 7));
  });

  test('a viewer with no peers leads every segment (and the window adjustment then needs the whole swarm)', () => {
    expect(leadsSegment(ids[0], [], 42)).toBe(true);
  });

  test('the whole swarm is seen only when the collector counted it and every other viewer is connected', () => {
    expect(seesWholeSwarm(5, 6)).toBe(true);
    expect(seesWholeSwarm(5, 5)).toBe(true);
    expect(seesWholeSwarm(4, 6)).toBe(false);
    expect(seesWholeSwarm(5, undefined)).toBe(false);
    // Alone (audience 1) there is nobody to agree with.
    expect(seesWholeSwarm(0, 1)).toBe(false);
    // A large swarm: every neighbourhood would elect its own fetcher.
    expect(seesWholeSwarm(12, 1000)).toBe(false);
  });

  test('the page keeps one 20-character peer ID (p2p-media-loader keeps the first one per stream)', () => {
    const first = pagePeerIdentity();
    expect(first).toMatch(/^-MC0001-[A-Za-z0-9]{12}$/);
    expect(pagePeerIdentity()).toBe(first);
  });
});

describe('coordinated windows (live, 10 s behind the edge, 2 s segments)', () => {
  const base: GuardDecision = { highDemandTimeWindow: 1.5, httpDownloadTimeWindow: 10, p2pDownloadTimeWindow: 120 };
  const state = { wholeSwarm: true, leadsNewest: false, newestAheadS: 7.6, targetLatencyS: 10, segmentDurationS: 2 };

  test('without the whole swarm in view, the guard\'s windows stand', () => {
    expect(coordinateWindows(base, { ...state, wholeSwarm: false, leadsNewest: true })).toEqual(base);
  });

  test('the leader\'s high-demand window reaches the newest segment, so p2p-media-loader fetches it now', () => {
    const windows = coordinateWindows(base, { ...state, leadsNewest: true });
    // From p2p-media-loader's playhead too, which is the media's as of the last timeupdate (up to 250 ms old).
    expect(windows.highDemandTimeWindow).toBeGreaterThanOrEqual(7.6 + 0.25);
    expect(windows.highDemandTimeWindow).toBeLessThanOrEqual(10);
    expect(windows.httpDownloadTimeWindow).toBeGreaterThanOrEqual(windows.highDemandTimeWindow);
    expect(windows.p2pDownloadTimeWindow).toBe(120);
  });

  test('never past the target latency', () => {
    expect(coordinateWindows(base, { ...state, leadsNewest: true, newestAheadS: 30 }).highDemandTimeWindow).toBe(10);
  });

  test('the others hold background HTTP back from where new segments appear, for the leader\'s grace', () => {
    const windows = coordinateWindows(base, state);
    expect(windows.highDemandTimeWindow).toBe(1.5);
    expect(windows.httpDownloadTimeWindow).toBe(10 - 2 - LEADER_GRACE_S);
  });

  test('a background window already shorter, or a high-demand window longer, is kept', () => {
    expect(coordinateWindows({ ...base, httpDownloadTimeWindow: 3 }, state).httpDownloadTimeWindow).toBe(3);
    expect(coordinateWindows({ ...base, highDemandTimeWindow: 6 }, state).httpDownloadTimeWindow).toBe(6);
  });
});
