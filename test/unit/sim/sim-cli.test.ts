import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// `npm run sim` runs build/sim.js; `npm test` builds before it runs the tests.
const SIM = 'build/sim.js';
const run = (...args: string[]) => spawnSync(process.execPath, [SIM, ...args], { encoding: 'utf8', timeout: 60_000 });

test('npm run sim writes the report it was asked for', () => {
  expect(existsSync(SIM)).toBe(true);
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'meshcast-sim-')), 'run.json');
  const result = run('--viewers', '20', '--scenario', 'live', '--renditions', '3', '--upload-cap', '300000', '--churn', '0.2', '--duration', '60', '--downlink', '40000000', '--origin-cap', '30000000', '--json', file);
  expect(result.status).toBe(0);
  const report = JSON.parse(readFileSync(file, 'utf8'));
  expect(report).toMatchObject({ scenario: 'live', viewers: 20, renditions: 3, uploadCapBps: 300000, churnPerMin: 0.2, durationS: 60 });
  expect(report.network.downlinkBytesPerS).toBe(5_000_000);
  expect(report.network.originBytesPerS).toBe(3_750_000);
  expect(report.offload).toBeGreaterThan(0);
  expect(report.offload).toBeLessThan(1);
  expect(report.originBytes + report.p2pBytes).toBe(report.downloadedBytes);
  expect(result.stderr).toContain('20 viewers');
});

test.each([
  [['--viewers', 'ten', '--json', 'x.json'], '--viewers must be a number'],
  [['--viewers', '5', '--renditions', '0', '--json', 'x.json'], '--renditions must be'],
  [['--viewers', '5', '--upload-cap', '100000', '--policy', 'pml-defaults', '--json', 'x.json'], '--upload-cap must be used with --policy guarded'],
  [['--viewers', '5'], '--json FILE is required'],
  [['--viewers', '5', '--downlink', '0', '--json', 'x.json'], '--downlink must be bits per second above 0'],
  [['--viewers', '5', '--origin-cap', '0', '--json', 'x.json'], '--origin-cap must be bits per second above 0'],
  [['--viewers', '5', '--json', 'x.json', '--speed', '2'], "Unknown option '--speed'"],
])('sim %j exits 2 naming what is wrong', (args, message) => {
  const result = run(...args);
  expect(result.status).toBe(2);
  expect(result.stderr).toContain(message);
  expect(existsSync('x.json')).toBe(false);
});
