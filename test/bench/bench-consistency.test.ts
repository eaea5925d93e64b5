import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../e2e/harness';
import type { BenchReport } from './report';

const RUN_FIELDS = [
  'originBytes', 'distinctBytes', 'downloadedBytes', 'offload', 'rebufferRatio', 'rebufferCount',
  'startupMsMedian', 'startupMsP95', 'integrityFailures', 'p2pStalls', 'cpuS', 'peakMemMB',
] as const;

// A short real benchmark: the JSON must be complete and consistent. Not a speed threshold.
test('npm run bench: a short vod run with 3 viewers gives a complete, consistent report', () => {
  const json = path.join(ROOT, 'test-results/bench-vod-3-viewers.json');
  const result = spawnSync(process.execPath, [path.join(ROOT, 'build/bench.js'), '--scenario', 'vod', '--viewers', '3', '--duration', '24', '--json', json], {
    encoding: 'utf8',
    timeout: 170_000,
  });
  expect(result.stderr).not.toMatch(/fatal errors/);
  expect(result.status).toBe(0);
  const report = JSON.parse(readFileSync(json, 'utf8')) as BenchReport;

  expect(Object.keys(report).sort()).toEqual(['ceiling', 'duplication', 'durationS', 'http', 'p2p', 'savings', 'scenario', 'viewers']);
  expect(report).toMatchObject({ scenario: 'vod', viewers: 3, durationS: 24 });
  for (const run of [report.p2p, report.http]) {
    expect(Object.keys(run).sort()).toEqual([...RUN_FIELDS].sort());
    for (const field of RUN_FIELDS) expect(Number.isFinite(run[field])).toBe(true);
    expect(run.downloadedBytes).toBeGreaterThan(0);
    expect(run.originBytes).toBeGreaterThanOrEqual(run.distinctBytes);
    expect(run.cpuS).toBeGreaterThan(0);
    expect(run.peakMemMB).toBeGreaterThan(0);
  }
  for (const field of ['savings', 'ceiling', 'duplication'] as const) expect(Number.isFinite(report[field])).toBe(true);
  expect(report.savings).toBeLessThanOrEqual(report.ceiling + 0.01);
  expect(report.http.offload).toBe(0);
  // The HTTP-only run's players downloaded what the origin sent them.
  expect(Math.abs(report.http.originBytes - report.http.downloadedBytes) / report.http.downloadedBytes).toBeLessThan(0.01);

  expect(result.stdout).toMatch(/^\| P2P \|/m);
  expect(result.stdout).toMatch(/^\| HTTP only \|/m);
  expect(result.stdout).toMatch(/CDN savings .* ceiling .* duplication/);
  expect(result.stdout).toMatch(/Offload from the origin's count .* agree within 2 points|DISAGREE/);
});
