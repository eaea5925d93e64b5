import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { calibrationTable, runCalibration } from './sim-calibration';
import { runScaleMatrix, scaleTable } from './sim-scale';
import { simulate, type SimReport } from './simulation';
import type { SimOptions } from './sim-options';

const USAGE = `Usage: npm run sim -- --viewers N [options] --json FILE
       npm run sim -- --calibrate [--json FILE]
       npm run sim -- --scale [--scenario vod|live] [--json FILE]

Simulates a swarm of viewers running Meshcast (p2p-media-loader 2.3.1's scheduling, Meshcast's policy).
  --viewers N         concurrent viewers
  --scenario S        vod (each viewer plays the VOD from its start) or live (default vod)
  --renditions R      renditions, each its own swarm; most viewers on the middle one (default 1)
  --upload-cap BPS    bytes/s each viewer may upload in all (default: no cap but the per-transfer speed)
  --churn RATE        fraction of the audience leaving per minute, each replaced by a newcomer (default 0)
  --duration S        seconds each viewer watches; the VOD's length (default 600)
  --segment S         seconds per segment (default 2)
  --bitrate BPS       bits/s of the single or middle rendition (default 2500000)
  --join-spread S     joins spread evenly over S seconds (default 60)
  --target-latency S  live: seconds behind the live edge (default 15)
  --policy P          guarded (Meshcast) or pml-defaults (p2p-media-loader's own windows) (default guarded)
  --seeding S         live: who fetches new segments from the origin where a viewer does not see its
                      rendition's whole audience: staggered (the player's default, live.seeding) or pml
                      (p2p-media-loader's random fetch, live.seeding 'random') (default staggered; pml
                      with --policy pml-defaults)
  --downlink BPS      bits/s of each viewer's downlink, shared by its HTTP and P2P downloads (default 25000000)
  --origin-cap BPS    bits/s the origin sends in all, shared by every viewer's HTTP downloads (default: no cap)
  --seed N            random seed (default 1)
  --json FILE         where to write the report
  --calibrate         run the benchmark's 6-viewer vod and live setups and compare with bench-results/
  --scale             run 10, 100, 1000 and 10000 viewers, 1 and 3 renditions, with and without an upload cap
`;

function fail(message: string): never {
  process.stderr.write(`sim: ${message}\n\n${USAGE}`);
  process.exit(2);
}

function numberOption(values: Record<string, unknown>, name: string): number | undefined {
  const text = values[name];
  if (text === undefined) return undefined;
  const value = Number(text);
  if (typeof text !== 'string' || text.trim() === '' || !Number.isFinite(value)) fail(`--${name} must be a number, got "${String(text)}"`);
  return value;
}

function write(file: string | undefined, data: unknown): void {
  if (!file) return;
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
}

function summary(r: SimReport): string {
  return `${r.viewers} viewers (${r.sessions} sessions), ${r.renditions} rendition(s), ${r.scenario}: offload ${(r.offload * 100).toFixed(1)} %, origin ${r.originEgressGB} GB, duplication ${r.duplication}, copies per segment ${r.copiesPerSegment} (${r.copiesPerSegmentByRendition.join(' / ')} by rendition), rebuffer ${(r.rebufferRatio * 100).toFixed(2)} %, p2pStalls ${r.p2pStalls}, ${r.wallS} s`;
}

function main(): void {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        viewers: { type: 'string' },
        scenario: { type: 'string' },
        renditions: { type: 'string' },
        'upload-cap': { type: 'string' },
        churn: { type: 'string' },
        duration: { type: 'string' },
        segment: { type: 'string' },
        bitrate: { type: 'string' },
        'join-spread': { type: 'string' },
        'target-latency': { type: 'string' },
        policy: { type: 'string' },
        seeding: { type: 'string' },
        seed: { type: 'string' },
        downlink: { type: 'string' },
        'origin-cap': { type: 'string' },
        json: { type: 'string' },
        calibrate: { type: 'boolean' },
        scale: { type: 'boolean' },
        help: { type: 'boolean' },
      },
    }));
  } catch (err) {
    fail((err as Error).message);
  }
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const json = values.json as string | undefined;
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (values.calibrate) {
    const calibration = runCalibration(log);
    write(json, calibration);
    process.stdout.write(`${calibrationTable(calibration)}\n`);
    if (!calibration.every((c) => c.withinTolerance)) process.exitCode = 1;
    return;
  }
  if (values.scale) {
    const scenario = (values.scenario ?? 'live') as SimOptions['scenario'];
    if (scenario !== 'vod' && scenario !== 'live') fail(`--scenario must be vod or live, got "${scenario}"`);
    const reports = runScaleMatrix(scenario, (r) => log(summary(r)));
    write(json, reports);
    process.stdout.write(`${scaleTable(reports)}\n`);
    return;
  }
  if (values.viewers === undefined) fail('--viewers is required');
  if (!json) fail('--json FILE is required');
  const options: Partial<SimOptions> & { viewers: number } = {
    viewers: numberOption(values, 'viewers')!,
    ...(values.scenario !== undefined && { scenario: values.scenario as SimOptions['scenario'] }),
    ...(values.policy !== undefined && { policy: values.policy as SimOptions['policy'] }),
    ...(values.seeding !== undefined && { seeding: values.seeding as SimOptions['seeding'] }),
  };
  const numeric: Array<[string, keyof SimOptions]> = [
    ['renditions', 'renditions'], ['upload-cap', 'uploadCapBps'], ['churn', 'churnPerMin'], ['duration', 'durationS'],
    ['segment', 'segmentS'], ['bitrate', 'bitrate'], ['join-spread', 'joinSpreadS'], ['target-latency', 'targetLatencyS'], ['seed', 'seed'],
  ];
  for (const [flag, key] of numeric) {
    const value = numberOption(values, flag);
    if (value !== undefined) (options as Record<string, unknown>)[key] = value;
  }
  const downlinkBps = numberOption(values, 'downlink');
  if (downlinkBps !== undefined && !(downlinkBps > 0)) fail(`--downlink must be bits per second above 0, got ${downlinkBps}`);
  const originCapBps = numberOption(values, 'origin-cap');
  if (originCapBps !== undefined && !(originCapBps > 0)) fail(`--origin-cap must be bits per second above 0, got ${originCapBps}`);
  if (downlinkBps !== undefined || originCapBps !== undefined) {
    options.network = {
      ...(downlinkBps !== undefined && { downlinkBytesPerS: downlinkBps / 8 }),
      ...(originCapBps !== undefined && { originBytesPerS: originCapBps / 8 }),
    } as SimOptions['network'];
  }
  let report: SimReport;
  try {
    report = simulate(options);
  } catch (err) {
    fail((err as Error).message);
  }
  log(summary(report));
  write(json, report);
}

main();
