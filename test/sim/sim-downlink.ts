/**
 * The downlink comparison docs/simulator.md reports from `bench-results/sim/downlink/` (one report per
 * `npm run sim -- --viewers N --scenario S --downlink BPS` run; a test checks the page shows exactly
 * this table, and simulates the runs again).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { SimReport } from './simulation';

export const DOWNLINK_RESULTS = 'bench-results/sim/downlink';

export function committedDownlinkResults(dir = DOWNLINK_RESULTS): SimReport[] {
  const reports: SimReport[] = readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .map((name) => JSON.parse(readFileSync(path.join(dir, name), 'utf8')));
  const scenarioOrder = (r: SimReport) => (r.scenario === 'vod' ? 0 : 1);
  return reports.sort((a, b) => scenarioOrder(a) - scenarioOrder(b) || a.network.downlinkBytesPerS - b.network.downlinkBytesPerS || a.viewers - b.viewers);
}

export function downlinkTable(reports: SimReport[]): string {
  const lines = [
    '| scenario | downlink | viewers | offload | copies per segment | deadline GB | rebuffer | stalls | P2P stalls | start-up median ms |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of reports) {
    const mbps = (r.network.downlinkBytesPerS * 8) / 1e6;
    lines.push(
      `| ${r.scenario} | ${mbps} Mbit/s | ${r.viewers} | ${(r.offload * 100).toFixed(1)} % | ${r.copiesPerSegment} | ${(r.originBytesByReason.deadline / 1e9).toFixed(2)} | ${(r.rebufferRatio * 100).toFixed(2)} % | ${r.stalls} | ${r.p2pStalls} | ${r.startupMsMedian} |`,
    );
  }
  return lines.join('\n');
}
