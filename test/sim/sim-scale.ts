/** The scale matrix README reports: audience size × renditions × upload cap. */
import type { SimOptions } from './sim-options';
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
