import type { MeshcastStats } from '../../src/browser/index';
import { percentile } from '../../src/browser/utils/percentile';
import type { IceSummary } from '../net/ice-recorder';

/** One run's figures, as DESIGN.md names them. */
export interface RunResult {
  originBytes: number;
  distinctBytes: number;
  downloadedBytes: number;
  offload: number;
  rebufferRatio: number;
  rebufferCount: number;
  startupMsMedian: number;
  startupMsP95: number;
  integrityFailures: number;
  p2pStalls: number;
  cpuS: number;
  peakMemMB: number;
  /** Live: median over viewers of their last latency behind the live edge, seconds; null for VOD. */
  liveLatencyMedianS: number | null;
  /** Mean over viewers of the bitrate each last played (`bitrateKbps`), kbit/s; 0 when none played. */
  bitrateKbpsMean: number;
  /** Peer connections negotiated with another viewer, how many connected, and how many of those over a TURN relay. */
  peerConnections: IceSummary;
  /** Bytes of the first media segment each viewer received over HTTP, in join order (0: none). */
  firstSegmentBytes: number[];
}

export interface BenchReport {
  scenario: string;
  /** Where the viewers ran: `loopback`, or a network testbed profile (`home`, `mixed`, `congested-cdn`). */
  network: string;
  /** The top rendition's BANDWIDTH, kbit/s (testbed runs: what `congested-cdn` caps the origin against). */
  topBitrateKbps?: number;
  viewers: number;
  durationS: number;
  /** The misbehaving peer in the P2P run's swarm, if any. */
  adversary: string | null;
  /** The delivery policy the pages ran (`guarded` or `pml-defaults`), when the CLI set one. */
  policy?: string;
  /** Live target latency the pages were given, seconds; null when left to the default. */
  targetLatency?: number | null;
  savings: number;
  ceiling: number;
  duplication: number;
  /**
   * The duplication the first-segment rule alone forces: (http.distinctBytes + the first segment of
   * every viewer but the first to join, as the P2P run's viewers received them) / http.distinctBytes.
   */
  duplicationFloor: number;
  /**
   * Origin bytes of the P2P run beyond each viewer's first segment, divided by one copy of what was
   * watched (http.distinctBytes): how many times the origin sent each segment the swarm needed.
   */
  copiesPerSegment: number;
  p2p: RunResult;
  http: RunResult;
}

/** What a run measured before the figures are derived. */
export interface RunMeasurement {
  origin: { segmentBytes: number; distinctSegmentBytes: number };
  /** Each viewer's last stats before it left. */
  viewers: MeshcastStats[];
  peerConnections: IceSummary;
  /** Bytes of the first media segment each viewer received over HTTP, in join order (0: none). */
  firstSegmentBytes: number[];
  cpuS: number;
  peakMemMB: number;
}


const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const round = (value: number, digits = 4) => Number(value.toFixed(digits));

export function summarizeRun(run: RunMeasurement): RunResult {
  const p2pBytes = sum(run.viewers.map((v) => v.p2pBytes));
  const downloadedBytes = sum(run.viewers.map((v) => v.httpBytes + v.p2pBytes));
  const rebufferMs = sum(run.viewers.map((v) => v.rebufferMs));
  const playingMs = sum(run.viewers.map((v) => v.playingMs));
  // A viewer that never started counts as the worst start-up: its whole stay.
  const startups = run.viewers.map((v) => v.startupMs ?? Number.POSITIVE_INFINITY);
  const latencies = run.viewers.flatMap((v) => (v.liveLatencyS === null ? [] : [v.liveLatencyS]));
  return {
    originBytes: run.origin.segmentBytes,
    distinctBytes: run.origin.distinctSegmentBytes,
    downloadedBytes,
    offload: downloadedBytes === 0 ? 0 : round(p2pBytes / downloadedBytes),
    rebufferRatio: playingMs + rebufferMs === 0 ? 0 : round(rebufferMs / (playingMs + rebufferMs)),
    rebufferCount: sum(run.viewers.map((v) => v.rebufferCount)),
    startupMsMedian: percentile(startups, 50),
    startupMsP95: percentile(startups, 95),
    integrityFailures: sum(run.viewers.map((v) => v.integrityFailures)),
    p2pStalls: sum(run.viewers.map((v) => v.p2pStalls)),
    cpuS: round(run.cpuS, 1),
    peakMemMB: Math.round(run.peakMemMB),
    liveLatencyMedianS: latencies.length === 0 ? null : round(percentile(latencies, 50), 1),
    bitrateKbpsMean: run.viewers.length === 0 ? 0 : Math.round(sum(run.viewers.map((v) => v.bitrateKbps)) / run.viewers.length),
    peerConnections: run.peerConnections,
    firstSegmentBytes: run.firstSegmentBytes,
  };
}

export function buildReport(scenario: string, viewers: number, durationS: number, p2p: RunResult, http: RunResult, adversary: string | null = null, network = 'loopback'): BenchReport {
  return {
    scenario,
    network,
    viewers,
    durationS,
    adversary,
    savings: http.originBytes === 0 ? 0 : round(1 - p2p.originBytes / http.originBytes),
    ceiling: http.originBytes === 0 ? 0 : round(1 - http.distinctBytes / http.originBytes),
    duplication: http.distinctBytes === 0 ? 0 : round(p2p.originBytes / http.distinctBytes),
    duplicationFloor: http.distinctBytes === 0 ? 0 : round((http.distinctBytes + sum(p2p.firstSegmentBytes.slice(1))) / http.distinctBytes),
    copiesPerSegment: http.distinctBytes === 0 ? 0 : round(Math.max(0, p2p.originBytes - sum(p2p.firstSegmentBytes)) / http.distinctBytes, 2),
    p2p,
    http,
  };
}

/** Plain-language checks printed under the table: agreement of the two offload figures and the goals. */
export function findings(report: BenchReport): string[] {
  const lines: string[] = [];
  const { p2p, http } = report;
  const originOffload = p2p.downloadedBytes === 0 ? 0 : 1 - p2p.originBytes / p2p.downloadedBytes;
  const gap = Math.abs(originOffload - p2p.offload);
  lines.push(
    gap <= 0.02
      ? `Offload from the origin's count (${pct(originOffload)}) and the players' own P2P share (${pct(p2p.offload)}) agree within 2 points.`
      : `DISAGREE: offload from the origin's count is ${pct(originOffload)} but the players report ${pct(p2p.offload)} (${(gap * 100).toFixed(1)} points apart).`,
  );
  const goals: Array<[string, boolean]> = [];
  if (report.scenario === 'vod') {
    // Each joiner's first segment comes over HTTP at once (start-up does not wait for peers): the floor.
    const limit = report.duplicationFloor + 0.01;
    goals.push([`vod duplication ≤ duplicationFloor + 0.01 = ${limit.toFixed(2)} (is ${report.duplication.toFixed(2)})`, report.duplication <= limit]);
  }
  if (report.scenario === 'live') goals.push([`live duplication ≤ 1.15 (is ${report.duplication.toFixed(2)})`, report.duplication <= 1.15]);
  goals.push([`P2P rebuffering ratio no worse than HTTP-only (${pct(p2p.rebufferRatio, 2)} vs ${pct(http.rebufferRatio, 2)})`, p2p.rebufferRatio <= http.rebufferRatio]);
  goals.push([`P2P start-up median no worse than HTTP-only (${p2p.startupMsMedian} ms vs ${http.startupMsMedian} ms)`, p2p.startupMsMedian <= http.startupMsMedian]);
  goals.push([`no stall with a P2P request in flight (p2pStalls ${p2p.p2pStalls})`, p2p.p2pStalls === 0]);
  goals.push(...networkGoals(report));
  for (const [goal, met] of goals) lines.push(`${met ? 'Goal met' : 'GOAL MISSED'}: ${goal}`);
  return lines;
}

/** The network testbed's goals for its profiles (see docs/network-testbed.md). */
function networkGoals(report: BenchReport): Array<[string, boolean]> {
  const { p2p, http } = report;
  const share = report.ceiling > 0 ? report.savings / report.ceiling : 0;
  switch (report.network) {
    case 'home':
      return [[`home: savings at least 95 % of the ceiling (${pct(share)})`, share >= 0.95]];
    case 'congested-cdn': {
      // Binding: HTTP-only viewers rebuffer, or play below 90 % of the top rendition on average.
      const top = report.topBitrateKbps ?? Number.POSITIVE_INFINITY;
      const binding = http.rebufferRatio > 0 || http.bitrateKbpsMean < 0.9 * top;
      return [
        [`congested-cdn: the cap binds the HTTP-only run (rebuffering ${pct(http.rebufferRatio, 2)}, ${http.bitrateKbpsMean} of ${report.topBitrateKbps ?? '?'} kbit/s)`, binding],
        [`congested-cdn: P2P rebuffers at most half as much as HTTP-only (${pct(p2p.rebufferRatio, 2)} vs ${pct(http.rebufferRatio, 2)})`, p2p.rebufferRatio <= http.rebufferRatio / 2],
        [`congested-cdn: P2P plays a higher mean bitrate (${p2p.bitrateKbpsMean} vs ${http.bitrateKbpsMean} kbit/s)`, p2p.bitrateKbpsMean > http.bitrateKbpsMean],
      ];
    }
    default:
      return [];
  }
}

const pct = (ratio: number, digits = 1) => `${(ratio * 100).toFixed(digits)} %`;
const mb = (bytes: number) => (bytes / 1e6).toFixed(2);

export function markdownTable(report: BenchReport): string {
  const header = '| run | origin MB | distinct MB | downloaded MB | offload | rebuffer ratio | rebuffers | start-up median / p95 ms | P2P stalls | integrity failures | bitrate kbit/s | peer connections tried / made / relayed | CPU s | peak mem MB | live latency s |';
  const rule = '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|';
  const row = (name: string, r: RunResult) =>
    `| ${name} | ${mb(r.originBytes)} | ${mb(r.distinctBytes)} | ${mb(r.downloadedBytes)} | ${pct(r.offload)} | ${pct(r.rebufferRatio, 2)} | ${r.rebufferCount} | ${r.startupMsMedian} / ${r.startupMsP95} | ${r.p2pStalls} | ${r.integrityFailures} | ${r.bitrateKbpsMean} | ${r.peerConnections.attempted} / ${r.peerConnections.connected} / ${r.peerConnections.relayed} | ${r.cpuS} | ${r.peakMemMB} | ${r.liveLatencyMedianS ?? '–'} |`;
  const share = report.ceiling > 0 ? ` (${pct(report.savings / report.ceiling)} of the ceiling)` : '';
  return [
    `### ${report.scenario}, ${report.viewers} viewers, ${report.durationS} s each, network ${report.network}`,
    '',
    header,
    rule,
    row('P2P', report.p2p),
    row('HTTP only', report.http),
    '',
    `CDN savings ${pct(report.savings)}${share}; ceiling ${pct(report.ceiling)}; duplication ${report.duplication.toFixed(2)} (floor ${report.duplicationFloor.toFixed(2)}); copies per segment ${report.copiesPerSegment.toFixed(2)}.`,
  ].join('\n');
}
