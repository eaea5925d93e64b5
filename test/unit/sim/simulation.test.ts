import { readFileSync } from 'node:fs';
import { CALIBRATION_CASES, calibrate, runCalibration, TOLERANCE_POINTS } from '../../sim/sim-calibration';
import { SCALE_UPLOAD_CAP } from '../../sim/sim-scale';
import { renditionLadder } from '../../sim/sim-options';
import { simulate, type SimReport } from '../../sim/simulation';
import { maxMinShares } from '../../sim/sim-utils';
import { committedDownlinkResults } from '../../sim/sim-downlink';

// Small audiences and short streams: each run takes well under a second.
const SHORT = { durationS: 120, joinSpreadS: 20 };

describe('calibration against the benchmark', () => {
  test.each(CALIBRATION_CASES.map((c) => [c.name, c] as const))('%s: simulated offload within the tolerance of the measured one', (_name, c) => {
    const result = calibrate(c);
    // The bench figure is read from the committed report, not repeated here.
    expect(result.benchOffload).toBeGreaterThan(0.5);
    expect(Math.abs(result.simOffload - result.benchOffload) * 100).toBeLessThanOrEqual(TOLERANCE_POINTS);
  });
});

describe('committed results (README "Scale") are what the simulator gives now', () => {
  test('calibration', () => {
    expect(runCalibration(() => {})).toEqual(JSON.parse(readFileSync('bench-results/sim/calibration.json', 'utf8')));
  });

  test.each(['live', 'vod'])('%s: the 10- and 100-viewer runs, simulated again', (scenario) => {
    const committed: SimReport[] = JSON.parse(readFileSync(`bench-results/sim/scale-${scenario}.json`, 'utf8'));
    const small = committed.filter((r) => r.viewers <= 100);
    expect(small).toHaveLength(8);
    for (const { wallS: _wall, ...expected } of small) {
      const { wallS: _w, ...again } = simulate({
        scenario: expected.scenario as 'vod' | 'live',
        viewers: expected.viewers,
        renditions: expected.renditions,
        uploadCapBps: expected.uploadCapBps ?? undefined,
      });
      expect(again).toEqual(expected);
    }
    expect(committed.filter((r) => r.uploadCapBps !== null).every((r) => r.uploadCapBps === SCALE_UPLOAD_CAP)).toBe(true);
  });
});

test('committed downlink results (docs/simulator.md "Downlink") are what the simulator gives now', () => {
  for (const { wallS: _wall, ...expected } of committedDownlinkResults()) {
    const { wallS: _w, ...again } = simulate({ viewers: expected.viewers, scenario: expected.scenario as 'vod' | 'live', network: { downlinkBytesPerS: expected.network.downlinkBytesPerS } as SimReport['network'] });
    expect(again).toEqual(expected);
  }
});

describe('simulator', () => {
  test('every viewer receives every segment of the VOD exactly once, from a peer or the origin', () => {
    const viewers = 40;
    const report = simulate({ viewers, ...SHORT, scenario: 'vod', bitrate: 1_000_000 });
    const mediaBytes = report.distinctBytes; // the origin sent each segment at least once here
    expect(report.p2pBytes + report.originBytes - report.abortedHttpBytes).toBe(viewers * mediaBytes);
    expect(report.rebufferRatio).toBe(0);
    expect(report.p2pStalls).toBe(0);
  });

  test('a lone viewer gets everything from the origin, once', () => {
    const report = simulate({ viewers: 1, ...SHORT });
    expect(report.offload).toBe(0);
    expect(report.p2pBytes).toBe(0);
    expect(report.duplication).toBe(1);
    // It watched the whole VOD, so one copy is everything the origin sent; its first segment is not counted.
    expect(report.copiesPerSegment).toBeCloseTo((report.originBytes - report.originBytesByReason.start) / report.originBytes, 2);
    expect(report.copiesPerSegment).toBeGreaterThan(0.9);
  });

  test('copies per segment: what the origin sent beyond first segments, over one copy of what was watched, per rendition', () => {
    const report = simulate({ viewers: 30, ...SHORT, scenario: 'live', renditions: 3 });
    expect(report.copiesPerSegmentByRendition).toHaveLength(3);
    const { copiesPerSegment: overall, copiesPerSegmentByRendition: each } = report;
    expect(overall).toBeGreaterThanOrEqual(Math.min(...each));
    expect(overall).toBeLessThanOrEqual(Math.max(...each));
    // Beyond the first segments, the origin sends fewer copies than there are viewers.
    expect(overall).toBeGreaterThan(0);
    expect(overall).toBeLessThan(30);
    // A swarm sends fewer copies per viewer than a few viewers alone would.
    const alone = simulate({ viewers: 1, ...SHORT, scenario: 'live' });
    expect(alone.copiesPerSegment).toBeGreaterThan(0.8);
    expect(overall / 30).toBeLessThan(alone.copiesPerSegment);
  });

  test('staggered seeding (the player\'s default): fewer origin copies of a live stream than random background fetching, with no rebuffering', () => {
    const options = { viewers: 300, ...SHORT, scenario: 'live' as const };
    const today = simulate({ ...options, seeding: 'pml' });
    const staggered = simulate(options);
    expect(staggered.seeding).toBe('staggered');
    expect(simulate({ ...options, viewers: 5, policy: 'pml-defaults' }).seeding).toBe('pml');
    expect(staggered.copiesPerSegment).toBeLessThan(today.copiesPerSegment);
    expect(staggered.originBytesByReason.background).toBeLessThan(today.originBytesByReason.background);
    expect(staggered.rebufferRatio).toBe(0);
    expect(staggered.p2pStalls).toBe(0);
    expect(() => simulate({ ...options, seeding: 'sometimes' as never })).toThrow('--seeding');
  });

  test.each([
    ['uploads capped below the bitrate: the share peers cannot carry seeds at once', { uploadCapBps: SCALE_UPLOAD_CAP }],
    ['8 s behind the edge: more seeders where a segment has little time to spread', { targetLatencyS: 8 }],
  ] as Array<[string, { uploadCapBps?: number; targetLatencyS?: number }]>)('staggered seeding, %s: more offload than random background fetching, no rebuffering', (_name, extra) => {
    // Ten minutes, as in the scale runs: in two, the joins' first seconds hide the difference.
    const options = { viewers: 100, scenario: 'live' as const, ...extra };
    const random = simulate({ ...options, seeding: 'pml' });
    const staggered = simulate(options);
    expect(staggered.offload).toBeGreaterThan(random.offload + 0.05);
    if (options.uploadCapBps) expect(staggered.offload).toBeLessThanOrEqual(((options.uploadCapBps * 8) / 2_500_000) * (99 / 100));
    expect(staggered.rebufferRatio).toBe(0);
    expect(staggered.p2pStalls).toBe(0);
  });

  test('the committed staggered-seeding comparison (docs/simulator.md): its 1 000-viewer seed-1 runs, simulated again', () => {
    const committed: SimReport[] = JSON.parse(readFileSync('bench-results/sim/seeding-candidate.json', 'utf8'));
    const rows = committed.filter((r) => r.viewers === 1000 && r.seed === 1 && r.renditions === 1 && r.uploadCapBps === null && r.targetLatencyS === 15);
    expect(rows.map((r) => r.seeding).sort()).toEqual(['pml', 'staggered']);
    for (const { wallS: _wall, ...expected } of rows) {
      const { wallS: _w, ...again } = simulate({ viewers: 1000, scenario: 'live', seeding: expected.seeding as 'pml' | 'staggered' });
      expect(again).toEqual(expected);
    }
  });

  test('the same options and seed give the same figures', () => {
    const { wallS: _a, ...first } = simulate({ viewers: 30, ...SHORT, seed: 7 });
    const { wallS: _b, ...second } = simulate({ viewers: 30, ...SHORT, seed: 7 });
    expect(second).toEqual(first);
  });

  test('offload grows with the audience of a live stream', () => {
    const offloads = [5, 50, 300].map((viewers) => simulate({ viewers, ...SHORT, scenario: 'live' }).offload);
    expect(offloads[1]).toBeGreaterThan(offloads[0]);
    expect(offloads[2]).toBeGreaterThan(offloads[1]);
  });

  test('an upload cap bounds what each viewer uploads and lowers the offload', () => {
    const cap = 100_000;
    const bitrate = 1_000_000;
    const free = simulate({ viewers: 60, ...SHORT, bitrate });
    const capped = simulate({ viewers: 60, ...SHORT, bitrate, uploadCapBps: cap });
    // Meshcast's token bucket: the rate over a stay, plus two seconds' worth, plus the uploads under way.
    const segmentBytes = (bitrate * 2 * 1.1) / 8;
    expect(capped.uploadBytesPerSMax).toBeLessThanOrEqual(cap + (2 * cap + 4 * segmentBytes) / SHORT.durationS);
    expect(free.uploadBytesPerSMax).toBeGreaterThan(cap * 2);
    expect(capped.offload).toBeLessThan(free.offload);
    expect(capped.rebufferRatio).toBe(0);
  });

  test('renditions split the swarm: three renditions offload less than one for the same audience', () => {
    const one = simulate({ viewers: 30, ...SHORT, scenario: 'live' });
    const three = simulate({ viewers: 30, ...SHORT, scenario: 'live', renditions: 3 });
    expect(three.offload).toBeLessThan(one.offload);
    expect(renditionLadder(3, 2_500_000)).toEqual([
      { share: 0.25, bitrate: 1_250_000 },
      { share: 0.5, bitrate: 2_500_000 },
      { share: 0.25, bitrate: 5_000_000 },
    ]);
  });

  test('churn: leavers are replaced, uploads cut short by a leaving peer are fetched again without a stall', () => {
    const steady = simulate({ viewers: 50, ...SHORT, scenario: 'live' });
    const churning = simulate({ viewers: 50, ...SHORT, scenario: 'live', churnPerMin: 0.5 });
    expect(steady.sessions).toBe(50);
    expect(churning.sessions).toBeGreaterThan(60);
    expect(churning.wastedP2PBytes).toBeGreaterThan(steady.wastedP2PBytes);
    expect(churning.p2pStalls).toBe(0);
    expect(churning.rebufferRatio).toBe(0);
  });

  test('live viewers sit at the target latency under the guard, and far behind with p2p-media-loader defaults', () => {
    const guarded = simulate({ viewers: 20, ...SHORT, scenario: 'live', targetLatencyS: 12 });
    const defaults = simulate({ viewers: 20, ...SHORT, scenario: 'live', policy: 'pml-defaults' });
    expect(guarded.liveLatencyMedianS).toBeGreaterThanOrEqual(12);
    expect(guarded.liveLatencyMedianS).toBeLessThanOrEqual(15);
    // p2p-media-loader-hlsjs sets hls.js to sit the playlist's length less one segment behind (60 s playlist).
    expect(defaults.liveLatencyMedianS).toBeGreaterThanOrEqual(58);
  });

  test('a viewer\'s downlink is shared by its downloads: a narrow one slows start-up and sends more to the origin at the deadline', () => {
    // 2 s segments at 2.5 Mbit/s (about 625 kB): 0.2 s at 25 Mbit/s, about 1 s at 5 Mbit/s.
    const narrowLink = { downlinkBytesPerS: 625_000 } as SimReport['network'];
    const wide = simulate({ viewers: 1, ...SHORT });
    const narrow = simulate({ viewers: 1, ...SHORT, network: narrowLink });
    expect(wide.network.downlinkBytesPerS).toBe(3_125_000);
    expect(wide.startupMsMedian).toBeLessThan(500);
    expect(narrow.startupMsMedian).toBeGreaterThanOrEqual(1000);
    // In a swarm, P2P downloads share the link with the deadline's HTTP fetches, which then come later.
    const swarmWide = simulate({ viewers: 20, ...SHORT });
    const swarmNarrow = simulate({ viewers: 20, ...SHORT, network: narrowLink });
    expect(swarmNarrow.originBytesByReason.deadline).toBeGreaterThan(swarmWide.originBytesByReason.deadline * 2);
    expect(swarmNarrow.offload).toBeLessThan(swarmWide.offload);
  });

  test('max-min fair shares of a link: flows slower than an equal share keep their rate, the rest split what is left', () => {
    expect(maxMinShares([1, 10, 10], 12)).toEqual([1, 5.5, 5.5]);
    expect(maxMinShares([3, 2], 10)).toEqual([3, 2]);
    expect(maxMinShares([8, 8, 8, 8], 4)).toEqual([1, 1, 1, 1]);
    expect(maxMinShares([], 4)).toEqual([]);
  });

  test('malformed options throw, naming the option', () => {
    expect(() => simulate({ viewers: 0 })).toThrow('--viewers');
    expect(() => simulate({ viewers: 5, renditions: 2.5 })).toThrow('--renditions');
    expect(() => simulate({ viewers: 5, churnPerMin: 2 })).toThrow('--churn');
    expect(() => simulate({ viewers: 5, uploadCapBps: 100_000, policy: 'pml-defaults' })).toThrow('--upload-cap');
    expect(() => simulate({ viewers: 5, scenario: 'vod-ish' as never })).toThrow('--scenario');
    expect(() => simulate({ viewers: 5, network: { downlinkBytesPerS: 0 } as SimReport['network'] })).toThrow('network.downlinkBytesPerS');
  });
});
