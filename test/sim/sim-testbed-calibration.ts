/**
 * Calibration against the network testbed: the simulator run with the network a testbed bench report
 * recorded (`networkPlan`: each home's down and up link and delay, the origin's egress cap), the
 * bench's join plan and its viewers' mean bitrate, against the offload that run measured. The simulator
 * has no ABR: its one rendition plays at the bitrate the bench's P2P viewers averaged.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { planScenario } from '../bench/scenarios';
import type { NetworkPlan } from '../net/profiles';
import { ROOT } from '../repo-root';
import { TOLERANCE_POINTS, type CalibrationResult } from './sim-calibration';
import type { NetworkModel, SimOptions } from './sim-options';
import { mean, pct } from './sim-utils';
import { simulate } from './simulation';

const SEEDS = [1, 2, 3, 4, 5];
/** The CMAF ladder's segment duration (`demo/media/make-cmaf.sh`). */
const CMAF_SEGMENT_S = 4;
/**
 * Of a home's uplink, what one WebRTC data channel carried between two homes on an idle machine
 * (9.2 of 10 Mbit/s: `test/net/data-channel.test.ts`).
 */
const DATA_CHANNEL_SHARE = 0.92;

export interface TestbedCase {
  name: string;
  /** A `npm run bench -- --network ...` report, relative to the repository root. */
  benchFile: string;
}

export const TESTBED_CASES: TestbedCase[] = [
  { name: 'home, abr, 4 viewers', benchFile: 'bench-results/network/home-abr-4.json' },
  { name: 'congested-cdn, abr, 4 viewers', benchFile: 'bench-results/network/congested-cdn-abr-4.json' },
  { name: 'home, abr, 3 viewers', benchFile: 'bench-results/network/home-abr-3.json' },
  { name: 'home, abr, 4 viewers, light ladder', benchFile: 'bench-results/network/home-light-abr-4.json' },
];

/** The simulator's network model of a testbed plan whose homes all have the same links. */
export function testbedNetwork(plan: NetworkPlan): NetworkModel {
  const { homes, cdn } = plan;
  if (homes.some((h) => h.downMbit !== homes[0].downMbit || h.upMbit !== homes[0].upMbit)) {
    throw new Error(`testbed calibration: the homes of "${plan.name}" differ in their links; the simulator models one kind of home`);
  }
  const oneWayS = mean(homes.map((h) => h.oneWayMs)) / 1000;
  const downBytesPerS = (homes[0].downMbit * 1e6) / 8;
  const upBytesPerS = (homes[0].upMbit * 1e6) / 8;
  return {
    // One round trip to the origin on a kept-alive connection.
    httpTtfbS: 2 * (oneWayS + cdn.oneWayMs / 1000),
    httpBytesPerS: downBytesPerS,
    // Two homes are their two one-way delays apart, each way.
    p2pRttS: 4 * oneWayS,
    p2pBytesPerS: DATA_CHANNEL_SHARE * upBytesPerS,
    uplinkBytesPerS: upBytesPerS,
    downlinkBytesPerS: downBytesPerS,
    ...(cdn.egressMbit !== undefined && { originBytesPerS: (cdn.egressMbit * 1e6) / 8 }),
    connectS: [0.5, 1.5],
    announceIntervalS: 120,
    offersPerAnnounce: 5,
  };
}

interface TestbedBench {
  scenario: 'abr' | 'vod';
  viewers: number;
  durationS: number;
  networkPlan: NetworkPlan;
  p2p: { offload: number; bitrateKbpsMean: number };
  duplication: number;
}

export function testbedOptions(bench: TestbedBench, seed: number): Partial<SimOptions> & { viewers: number } {
  const plan = planScenario(bench.scenario, bench.viewers, bench.durationS).viewers.map(({ joinAtS, leaveAtS }) => ({ joinAtS, leaveAtS }));
  return {
    viewers: bench.viewers,
    scenario: 'vod',
    policy: 'guarded',
    segmentS: CMAF_SEGMENT_S,
    bitrate: Math.round(bench.p2p.bitrateKbpsMean * 1000),
    durationS: bench.durationS,
    plan,
    network: testbedNetwork(bench.networkPlan),
    seed,
  };
}

/** A loopback calibration result's figures, for one testbed report. */
export type TestbedCalibration = Omit<CalibrationResult, 'benchFiles' | 'benchOffloadByRun'> & { benchFile: string };

export function calibrateTestbed(c: TestbedCase): TestbedCalibration {
  const bench = JSON.parse(readFileSync(path.join(ROOT, c.benchFile), 'utf8')) as TestbedBench;
  const runs = SEEDS.map((seed) => simulate(testbedOptions(bench, seed)));
  const simOffload = Number(mean(runs.map((r) => r.offload)).toFixed(4));
  const differencePoints = Number(((simOffload - bench.p2p.offload) * 100).toFixed(1));
  return {
    name: c.name,
    benchFile: c.benchFile,
    benchOffload: bench.p2p.offload,
    simOffload,
    simOffloadBySeed: runs.map((r) => r.offload),
    benchDuplication: bench.duplication,
    simDuplication: Number(mean(runs.map((r) => r.duplication)).toFixed(3)),
    differencePoints,
    withinTolerance: Math.abs(differencePoints) <= TOLERANCE_POINTS,
  };
}

/** docs/simulator.md's testbed calibration table (a test checks the page shows exactly this). */
export function testbedCalibrationTable(results: TestbedCalibration[]): string {
  return [
    '| testbed run | bench offload | simulated offload (mean of 5 seeds) | difference | bench duplication | simulated duplication |',
    '|---|---:|---:|---:|---:|---:|',
    ...results.map((r) => `| ${r.name} (\`${path.basename(r.benchFile)}\`) | ${pct(r.benchOffload)} | ${pct(r.simOffload)} | ${r.differencePoints > 0 ? '+' : ''}${r.differencePoints.toFixed(1)} points | ${r.benchDuplication.toFixed(2)} | ${r.simDuplication.toFixed(2)} |`),
  ].join('\n');
}
