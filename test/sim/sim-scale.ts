/** The scale matrix README reports: audience size × renditions × upload cap. */
import type { SimOptions } from './sim-options';
import { pct } from './sim-utils';
import { simulate, type SimReport } from './simulation';

export const SCALE_VIEWERS = [10, 100, 1000, 10_000];
export const SCALE_RENDITIONS = [1, 3];
/** 2 Mbit/s: below the 2.5 Mbit/s middle rendition, so a capped swarm cannot carry everyone. */
export const SCALE_UPLOAD_CAP = 250_000;

export function runScaleMatrix(scenario: SimOptions['scenario'], onReport: (report: SimReport) => void = () => {}): SimReport[] {
  const reports: SimReport[] = [];
  for (const renditions of SCALE_RENDITIONS) {
    for (const uploadCapBps of [undefined, SCALE_UPLOAD_CAP]) {
      for (const viewers of SCALE_VIEWERS) {
        const report = simulate({ scenario, viewers, renditions, uploadCapBps });
        onReport(report);
        reports.push(report);
      }
    }
  }
  return reports;
}


/** README's table for one scenario's matrix (the README test checks README shows exactly this). */
export function scaleTable(reports: SimReport[]): string {
  const lines = [
    '| viewers | renditions | upload cap | offload | origin egress GB | copies per segment | HTTP-only GB | first segments / deadline / background GB | mean peers | rebuffer | sim time s |',
    '|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of reports) {
    const gb = (bytes: number) => (bytes / 1e9).toFixed(1);
    const reasons = r.originBytesByReason;
    lines.push(
      `| ${r.viewers.toLocaleString('en-US')} | ${r.renditions} | ${r.uploadCapBps === null ? 'none' : `${(r.uploadCapBps * 8) / 1e6} Mbit/s`} | ${pct(r.offload)} | ${gb(r.originBytes)} | ${r.copiesPerSegment} | ${gb(r.downloadedBytes)} | ${gb(reasons.start)} / ${gb(reasons.deadline)} / ${gb(reasons.background)} | ${r.meanPeers} | ${pct(r.rebufferRatio)} | ${r.wallS} |`,
    );
  }
  return lines.join('\n');
}
