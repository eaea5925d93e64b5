import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { BenchReport } from './report';

/** A committed benchmark result: its file under bench-results/ and what `npm run bench` wrote into it. */
export interface CommittedResult {
  file: string;
  /** Reports written before the duplication floor and copies per segment existed lack them. */
  report: Omit<BenchReport, 'duplicationFloor' | 'copiesPerSegment'> & {
    duplicationFloor?: number;
    copiesPerSegment?: number;
    waitForPeersMs?: number;
    media?: string;
    networkPlan?: { turn: boolean } | null;
    p2p: { liveLatencyMedianS?: number | null };
    http: { liveLatencyMedianS?: number | null };
  };
}

const readResults = (dir: string, files: string[]): CommittedResult[] =>
  files.sort().map((file) => ({ file: `bench-results/${file}`, report: JSON.parse(readFileSync(path.join(dir, file), 'utf8')) }));

/** Every loopback `npm run bench` report committed under `dir` (other tools' reports excluded). */
export function committedResults(dir: string): CommittedResult[] {
  // sim/, tracker/ and collector/ hold other tools' reports; network/ the testbed's (docs/network-testbed.md).
  return readResults(dir, readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json') && !/^(sim|tracker|collector|network)\//.test(f)));
}

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const pct2 = (x: number) => `${(x * 100).toFixed(2)} %`;
const ms = (x: number | null | undefined) => (x === null || x === undefined ? '–' : `${Math.round(x)}`);
const latency = (x: number | null | undefined) => (x === null || x === undefined ? '–' : `${x.toFixed(1)}`);

/** The command line that reproduces a report (the flags it recorded). */
export function commandFor({ file, report }: CommittedResult): string {
  const flags = [`--scenario ${report.scenario}`, `--viewers ${report.viewers}`];
  if (report.policy === 'pml-defaults' || file.includes('/pml-defaults/')) flags.push('--policy pml-defaults');
  if (report.targetLatency) flags.push(`--target-latency ${report.targetLatency}`);
  if (report.waitForPeersMs) flags.push(`--wait-for-peers ${report.waitForPeersMs}`);
  if (report.adversary) flags.push(`--adversary ${report.adversary}`);
  if (report.media && report.media !== 'vod') flags.push(`--media ${report.media}`);
  if (report.network && report.network !== 'loopback') flags.push(`--network ${report.network}`);
  if (report.networkPlan?.turn) flags.push('--turn');
  return flags.join(' ');
}

/** docs/benchmark.md's results table, one row per committed report (a test checks the page shows exactly this). */
export function resultsTable(results: CommittedResult[]): string {
  const header = [
    '| file | `npm run bench --` | CDN savings | ceiling | duplication (floor) | copies per segment | start-up median P2P / HTTP-only ms | rebuffering P2P / HTTP-only | P2P stalls | live latency P2P / HTTP-only s |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const rows = results.map((result) => {
    const { report } = result;
    return `| ${result.file.replace('bench-results/', '')} | \`${commandFor(result)}\` | ${pct(report.savings)} | ${pct(report.ceiling)} | ${report.duplication.toFixed(2)}${report.duplicationFloor === undefined ? '' : ` (${report.duplicationFloor.toFixed(2)})`} | ${report.copiesPerSegment === undefined ? '–' : report.copiesPerSegment.toFixed(2)} | ${ms(report.p2p.startupMsMedian)} / ${ms(report.http.startupMsMedian)} | ${pct(report.p2p.rebufferRatio)} / ${pct(report.http.rebufferRatio)} | ${report.p2p.p2pStalls} | ${latency(report.p2p.liveLatencyMedianS)} / ${latency(report.http.liveLatencyMedianS)} |`;
  });
  return [...header, ...rows].join('\n');
}

/** The network testbed's reports (bench-results/network/). */
export function committedNetworkResults(dir: string): CommittedResult[] {
  return readResults(dir, readdirSync(path.join(dir, 'network')).filter((f) => f.endsWith('.json')).map((f) => `network/${f}`));
}

/** docs/network-testbed.md's results table (a test checks the page shows exactly this). */
export function networkTable(results: CommittedResult[]): string {
  const header = [
    '| file | `npm run bench --` | CDN savings (of the ceiling) | rebuffering P2P / HTTP-only | start-up median P2P / HTTP-only ms | mean bitrate P2P / HTTP-only kbit/s | P2P stalls | peer connections tried / made / relayed |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
  ];
  const rows = results.map((result) => {
    const { report } = result;
    const share = report.ceiling > 0 ? ` (${pct(report.savings / report.ceiling)})` : '';
    const peers = report.p2p.peerConnections;
    return `| ${result.file.replace('bench-results/network/', '')} | \`${commandFor(result)}\` | ${pct(report.savings)}${share} | ${pct2(report.p2p.rebufferRatio)} / ${pct2(report.http.rebufferRatio)} | ${ms(report.p2p.startupMsMedian)} / ${ms(report.http.startupMsMedian)} | ${report.p2p.bitrateKbpsMean} / ${report.http.bitrateKbpsMean} | ${report.p2p.p2pStalls} | ${peers.attempted} / ${peers.connected} / ${peers.relayed} |`;
  });
  return [...header, ...rows].join('\n');
}
