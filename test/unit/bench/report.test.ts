import { percentile } from '../../../src/browser/utils/percentile';
import { buildReport, findings, summarizeRun, type RunMeasurement } from '../../bench/report';

const viewer = (over: Partial<RunMeasurement['viewers'][number]>): RunMeasurement['viewers'][number] => ({
  httpBytes: 0, p2pBytes: 0, uploadedBytes: 0, offloadRatio: 0, segmentsHttp: 0, segmentsP2P: 0, peers: 0,
  integrityFailures: 0, peersRefused: 0, refusedSegments: 0, unverifiedP2PBytes: 0,
  startupMs: 500, rebufferCount: 0, rebufferMs: 0, p2pStalls: 0, playingMs: 10_000, bitrateKbps: 100, liveLatencyS: null,
  ...over,
});

const NO_PEERS = { attempted: 0, connected: 0, relayed: 0 };

describe('bench report math', () => {
  test('nearest-rank percentiles', () => {
    expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)).toBe(10);
    expect(percentile([7], 95)).toBe(7);
  });

  test('a run sums viewers; offload is the P2P share of downloaded bytes; rebuffer ratio over watch time', () => {
    const run = summarizeRun({
      origin: { segmentBytes: 400, distinctSegmentBytes: 300 },
      viewers: [
        viewer({ httpBytes: 300, p2pBytes: 0, startupMs: 400 }),
        viewer({ httpBytes: 100, p2pBytes: 200, startupMs: 600, rebufferCount: 1, rebufferMs: 1_000, p2pStalls: 1, integrityFailures: 2 }),
      ],
      cpuS: 12.34,
      peakMemMB: 500.4,
      peerConnections: { attempted: 3, connected: 2, relayed: 1 },
      firstSegmentBytes: [40, 50],
    });
    expect(run).toEqual({
      originBytes: 400, distinctBytes: 300, downloadedBytes: 600, offload: 0.3333,
      rebufferRatio: 0.0476, rebufferCount: 1, startupMsMedian: 400, startupMsP95: 600,
      integrityFailures: 2, p2pStalls: 1, cpuS: 12.3, peakMemMB: 500, liveLatencyMedianS: null,
      bitrateKbpsMean: 100, peerConnections: { attempted: 3, connected: 2, relayed: 1 }, firstSegmentBytes: [40, 50],
    });
  });

  test('live latency: the median of the viewers\' last latencies', () => {
    const run = summarizeRun({
      origin: { segmentBytes: 0, distinctSegmentBytes: 0 },
      viewers: [viewer({ liveLatencyS: 10.2 }), viewer({ liveLatencyS: 11.8 }), viewer({ liveLatencyS: 30 })],
      cpuS: 0,
      peakMemMB: 0,
      peerConnections: NO_PEERS,
      firstSegmentBytes: [],
    });
    expect(run.liveLatencyMedianS).toBe(11.8);
  });

  test('a viewer that never started makes start-up infinite, not missing', () => {
    const run = summarizeRun({ origin: { segmentBytes: 0, distinctSegmentBytes: 0 }, viewers: [viewer({ startupMs: null })], cpuS: 0, peakMemMB: 0, peerConnections: NO_PEERS, firstSegmentBytes: [] });
    expect(run.startupMsP95).toBe(Number.POSITIVE_INFINITY);
  });

  test('savings, ceiling and duplication come from the origin counts of both runs', () => {
    const http = summarizeRun({ origin: { segmentBytes: 4_000, distinctSegmentBytes: 1_000 }, viewers: [viewer({ httpBytes: 4_000 })], cpuS: 1, peakMemMB: 1, peerConnections: NO_PEERS, firstSegmentBytes: [] });
    const p2p = summarizeRun({ origin: { segmentBytes: 1_100, distinctSegmentBytes: 1_000 }, viewers: [viewer({ httpBytes: 1_100, p2pBytes: 2_900 })], cpuS: 1, peakMemMB: 1, peerConnections: NO_PEERS, firstSegmentBytes: [] });
    const report = buildReport('vod', 4, 90, p2p, http);
    expect(report).toMatchObject({ savings: 0.725, ceiling: 0.75, duplication: 1.1 });
    const lines = findings(report);
    expect(lines[0]).toMatch(/agree within 2 points/);
    expect(lines).toContain('GOAL MISSED: vod duplication ≤ duplicationFloor + 0.01 = 1.01 (is 1.10)');
  });

  test('duplication floor and copies per segment: the first segments of joiners are what the rule forces', () => {
    const measured = (segmentBytes: number, firstSegmentBytes: number[]) =>
      summarizeRun({ origin: { segmentBytes, distinctSegmentBytes: 1_000 }, viewers: [viewer({ httpBytes: segmentBytes })], cpuS: 1, peakMemMB: 1, peerConnections: NO_PEERS, firstSegmentBytes });
    const http = measured(4_000, [10, 10, 10, 10]);
    // The first viewer's whole stream (1 000, its first segment of 10 included), the three joiners' first segments, and 20 more.
    const p2p = measured(1_050, [10, 10, 10, 10]);
    const report = buildReport('vod', 4, 90, p2p, http);
    expect(report).toMatchObject({ duplication: 1.05, duplicationFloor: 1.03, copiesPerSegment: 1.01 });
    expect(findings(report)).toContain('GOAL MISSED: vod duplication ≤ duplicationFloor + 0.01 = 1.04 (is 1.05)');
    const atFloor = buildReport('vod', 4, 90, measured(1_040, [10, 10, 10, 10]), http);
    expect(findings(atFloor)).toContain('Goal met: vod duplication ≤ duplicationFloor + 0.01 = 1.04 (is 1.04)');
    expect(atFloor.copiesPerSegment).toBe(1);
  });

  test('says plainly when the players and the origin disagree', () => {
    const http = summarizeRun({ origin: { segmentBytes: 1_000, distinctSegmentBytes: 1_000 }, viewers: [viewer({ httpBytes: 1_000 })], cpuS: 1, peakMemMB: 1, peerConnections: NO_PEERS, firstSegmentBytes: [] });
    // Players claim 90 % from peers, but the origin sent half of what they downloaded.
    const p2p = summarizeRun({ origin: { segmentBytes: 500, distinctSegmentBytes: 500 }, viewers: [viewer({ httpBytes: 100, p2pBytes: 900 })], cpuS: 1, peakMemMB: 1, peerConnections: NO_PEERS, firstSegmentBytes: [] });
    expect(findings(buildReport('vod', 1, 90, p2p, http))[0]).toBe(
      "DISAGREE: offload from the origin's count is 50.0 % but the players report 90.0 % (40.0 points apart).",
    );
  });

  test('congested-cdn: the goals need the cap to bind, half the rebuffering and a higher mean bitrate', () => {
    const run = (rebufferMs: number, bitrateKbps: number) =>
      summarizeRun({ origin: { segmentBytes: 1_000, distinctSegmentBytes: 1_000 }, viewers: [viewer({ httpBytes: 1_000, rebufferMs, bitrateKbps })], cpuS: 1, peakMemMB: 1, peerConnections: NO_PEERS, firstSegmentBytes: [] });
    const report = (p2p: ReturnType<typeof run>, http: ReturnType<typeof run>) => ({ ...buildReport('abr', 1, 90, p2p, http, null, 'congested-cdn'), topBitrateKbps: 2_000 });
    const met = findings(report(run(400, 2_000), run(1_000, 800)));
    expect(met.filter((l) => l.startsWith('Goal met: congested-cdn'))).toHaveLength(3);
    const missed = findings(report(run(600, 2_000), run(1_000, 800)));
    expect(missed).toContain('GOAL MISSED: congested-cdn: P2P rebuffers at most half as much as HTTP-only (5.66 % vs 9.09 %)');
    // Nothing binds: HTTP-only neither rebuffered nor played below 90 % of the top rendition.
    const unbound = findings(report(run(0, 2_000), run(0, 1_900)));
    expect(unbound.some((l) => l.startsWith('GOAL MISSED: congested-cdn: the cap binds'))).toBe(true);
  });
});
