/**
 * Calibration: the simulator run with the benchmark's own setup (same viewers, join times, media and
 * policy, the machine's loopback network) against the figures `npm run bench` measured with real
 * Chromium viewers (bench-results/). The simulated offload is the mean over several seeds.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { planScenario } from '../bench/scenarios';
import { ROOT } from '../repo-root';
import type { NetworkModel, SimOptions } from './sim-options';
import { mean, pct } from './sim-utils';
import { simulate } from './simulation';

export const TOLERANCE_POINTS = 5;
const SEEDS = [1, 2, 3, 4, 5];


/** Loopback between Chromium pages and the local origin, as in the benchmark. */
export const BENCH_NETWORK: Partial<NetworkModel> = {
  httpTtfbS: 0.02,
  httpBytesPerS: 20_000_000,
  p2pRttS: 0.02,
  p2pBytesPerS: 5_000_000,
  uplinkBytesPerS: 50_000_000,
  downlinkBytesPerS: 50_000_000,
  connectS: [0.5, 1.5],
  announceIntervalS: 120,
};

export interface CalibrationCase {
  name: string;
  /** The benchmark reports it is compared with (their mean), relative to the repository root. */
  benchFiles: string[];
  scenario: 'vod' | 'live';
  policy: SimOptions['policy'];
  targetLatencyS?: number;
}

export const CALIBRATION_CASES: CalibrationCase[] = [
  { name: 'vod, 6 viewers, guarded', benchFiles: ['bench-results/vod-6.json'], scenario: 'vod', policy: 'guarded' },
  { name: 'live 20 s, 6 viewers, guarded', benchFiles: ['bench-results/live-6-latency20-leader.json'], scenario: 'live', policy: 'guarded', targetLatencyS: 20 },
  {
    name: 'live 10 s, 6 viewers, guarded (3 runs)',
    benchFiles: [1, 2, 3].map((run) => `bench-results/live-6-latency10-leader-run${run}.json`),
    scenario: 'live',
    policy: 'guarded',
    targetLatencyS: 10,
  },
  { name: 'vod, 6 viewers, pml-defaults', benchFiles: ['bench-results/pml-defaults/vod-6.json'], scenario: 'vod', policy: 'pml-defaults' },
  { name: 'live, 6 viewers, pml-defaults', benchFiles: ['bench-results/pml-defaults/live-6.json'], scenario: 'live', policy: 'pml-defaults', targetLatencyS: 10 },
];

export interface CalibrationResult {
  name: string;
  benchFiles: string[];
  /** Mean over the bench runs. */
  benchOffload: number;
  benchOffloadByRun: number[];
  simOffload: number;
  simOffloadBySeed: number[];
  /** Mean over the bench runs. */
  benchDuplication: number;
  simDuplication: number;
  differencePoints: number;
  withinTolerance: boolean;
}

/** The sizes of the 360p segments the benchmark plays. */
export function benchSegmentBytes(): number[] {
  const dir = path.join(ROOT, 'demo/media/vod/360p');
  return readdirSync(dir).filter((f) => /^seg_\d+\.ts$/.test(f)).sort().map((f) => statSync(path.join(dir, f)).size);
}

export function calibrationOptions(c: CalibrationCase, durationS: number, viewers: number, seed: number): Partial<SimOptions> & { viewers: number } {
  const segmentBytes = benchSegmentBytes();
  const plan = planScenario(c.scenario, viewers, durationS).viewers.map(({ joinAtS, leaveAtS }) => ({ joinAtS, leaveAtS }));
  const meanBytes = segmentBytes.reduce((a, b) => a + b, 0) / segmentBytes.length;
  return {
    viewers,
    scenario: c.scenario,
    policy: c.policy,
    segmentS: 2,
    segmentBytes,
    bitrate: Math.round((meanBytes * 8) / 2),
    durationS,
    plan,
    targetLatencyS: c.targetLatencyS ?? 15,
    // The benchmark runs compared here were made before the player seeded by turns (live.seeding).
    seeding: 'pml',
    // The emulated live stream starts with its 60 s window published; the run starts a few seconds later.
    liveHeadStartS: 65,
    network: BENCH_NETWORK as NetworkModel,
    seed,
  };
}

export function calibrate(c: CalibrationCase): CalibrationResult {
  const benches = c.benchFiles.map((file) => JSON.parse(readFileSync(path.join(ROOT, file), 'utf8')));
  const [{ durationS, viewers }] = benches;
  const runs = SEEDS.map((seed) => simulate(calibrationOptions(c, durationS, viewers, seed)));
  const simOffload = Number(mean(runs.map((r) => r.offload)).toFixed(4));
  const benchOffload = Number(mean(benches.map((b) => b.p2p.offload)).toFixed(4));
  const differencePoints = Number(((simOffload - benchOffload) * 100).toFixed(1));
  return {
    name: c.name,
    benchFiles: c.benchFiles,
    benchOffload,
    benchOffloadByRun: benches.map((b) => b.p2p.offload),
    simOffload,
    simOffloadBySeed: runs.map((r) => r.offload),
    benchDuplication: Number(mean(benches.map((b) => b.duplication)).toFixed(4)),
    simDuplication: Number(mean(runs.map((r) => r.duplication)).toFixed(3)),
    differencePoints,
    withinTolerance: Math.abs(differencePoints) <= TOLERANCE_POINTS,
  };
}

export function runCalibration(log: (line: string) => void): CalibrationResult[] {
  return CALIBRATION_CASES.map((c) => {
    const result = calibrate(c);
    log(`${result.withinTolerance ? 'within' : 'OUTSIDE'} ${TOLERANCE_POINTS} points: ${c.name}: bench offload ${(result.benchOffload * 100).toFixed(1)} %, sim ${(result.simOffload * 100).toFixed(1)} % (${result.differencePoints > 0 ? '+' : ''}${result.differencePoints} points); duplication bench ${result.benchDuplication}, sim ${result.simDuplication}`);
    return result;
  });
}

/** README's calibration table (the README test checks README shows exactly this). */
export function calibrationTable(results: CalibrationResult[]): string {
  return [
    '| setup (6 viewers, 90 s each) | bench offload (mean of runs) | simulated offload (mean of 5 seeds) | difference | bench duplication | simulated duplication |',
    '|---|---:|---:|---:|---:|---:|',
    ...results.map((r) => `| ${r.name.replace(', 6 viewers', '')} | ${pct(r.benchOffload)} | ${pct(r.simOffload)} | ${r.differencePoints > 0 ? '+' : ''}${r.differencePoints.toFixed(1)} points | ${r.benchDuplication.toFixed(2)} | ${r.simDuplication.toFixed(2)} |`),
  ].join('\n');
}
