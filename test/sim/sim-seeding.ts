/**
 * The staggered-seeding candidate (`src/browser/policy/segment-seeding.ts`) against today's seeding, as
 * docs/simulator.md reports it from `bench-results/sim/seeding-candidate.json` (a test checks the page
 * shows exactly this table).
 */
import { mean, pct } from './sim-utils';
import type { SimReport } from './simulation';

const gb = (bytes: number) => (bytes / 1e9).toFixed(2);

const CASES: Array<[string, (r: SimReport) => boolean]> = [
  ['1 000 live, 1 rendition, uncapped, 15 s (5 seeds: mean, min–max)', (r) => r.viewers === 1000 && r.renditions === 1 && r.uploadCapBps === null && r.targetLatencyS === 15],
  ['1 000 live, `live.targetLatency` 6 s', (r) => r.viewers === 1000 && r.targetLatencyS === 6],
  ['1 000 live, `live.targetLatency` 8 s', (r) => r.viewers === 1000 && r.targetLatencyS === 8],
  ['1 000 live, `live.targetLatency` 10 s', (r) => r.viewers === 1000 && r.targetLatencyS === 10],
  ['1 000 live, 3 renditions', (r) => r.viewers === 1000 && r.renditions === 3],
  ['1 000 live, uploads capped at 2 Mbit/s', (r) => r.viewers === 1000 && r.uploadCapBps !== null],
  ['10 000 live, 1 rendition, uncapped, 15 s (seed 1)', (r) => r.viewers === 10_000],
];

export function seedingTable(reports: SimReport[]): string {
  const lines = [
    '| audience | seeding | copies per segment (by rendition) | offload | origin GB | deadline / background GB | rebuffer | P2P stalls |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const [name, match] of CASES) {
    for (const seeding of ['pml', 'staggered']) {
      const runs = reports.filter((r) => match(r) && r.seeding === seeding);
      if (runs.length === 0) continue;
      const copies = runs.map((r) => r.copiesPerSegment);
      const byRendition = runs[0].renditions > 1 ? ` (${runs[0].copiesPerSegmentByRendition.join(' / ')})` : '';
      const copiesText = runs.length > 1 ? `${mean(copies).toFixed(2)} (${Math.min(...copies)}–${Math.max(...copies)})` : `${copies[0]}${byRendition}`;
      lines.push(
        `| ${name} | ${seeding} | ${copiesText} | ${pct(mean(runs.map((r) => r.offload)))} | ${gb(mean(runs.map((r) => r.originBytes)))} | ${gb(mean(runs.map((r) => r.originBytesByReason.deadline)))} / ${gb(mean(runs.map((r) => r.originBytesByReason.background)))} | ${pct(Math.max(...runs.map((r) => r.rebufferRatio)))} | ${Math.max(...runs.map((r) => r.p2pStalls))} |`,
      );
    }
  }
  return lines.join('\n');
}
