import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { percentile } from '../../src/browser/utils/percentile';
import { startMeshcastServer } from '../e2e/harness';
import { realisticStoreBench } from './collector-realistic';

// `npm run bench:collector`: beacons at rising rates from this process to `meshcast serve` (another
// process) on loopback, each rate held for a few seconds, open loop (requests leave on schedule
// whether or not earlier ones were answered). Reports accepted beacons/s and latency per rate.
// With `--store 1h|24h`: a realistic store with dashboards polling and tracker peers (collector-realistic.ts).

const RATES = (process.env.RATES ?? '250,500,1000,2000,4000,6000,8000').split(',').map(Number);
const STAGE_S = Number(process.env.STAGE_S ?? 5);
const SESSIONS = 2000;

interface Stage { offered: number; accepted: number; failed: number; p50: number; p99: number }

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'meshcast-collector-bench-'));
  const server = await startMeshcastServer(['--db', path.join(dir, 'bench.db'), '--beacons-per-minute', '100000000']);
  const seqs = new Array<number>(SESSIONS).fill(0);
  let next = 0;
  const body = () => {
    const i = next++ % SESSIONS;
    seqs[i] += 1;
    return JSON.stringify({
      v: 1, sessionId: `bench-session-${i}`, seq: seqs[i], streamId: `stream-${i % 20}`, live: false,
      httpBytes: seqs[i] * 40_000, p2pBytes: seqs[i] * 90_000, uploadedBytes: seqs[i] * 80_000, segmentsHttp: seqs[i], segmentsP2P: seqs[i] * 2, peers: 3,
      integrityFailures: 0, startupMs: 300, rebufferCount: 0, rebufferMs: 0, p2pStalls: 0, playingMs: seqs[i] * 10_000,
      bitrateKbps: 106, liveLatencyS: null,
    });
  };
  const stages: Stage[] = [];
  try {
    for (const rate of RATES) {
      const latencies: number[] = [];
      let accepted = 0;
      let failed = 0;
      const total = rate * STAGE_S;
      const started = performance.now();
      const pending: Array<Promise<void>> = [];
      for (let k = 0; k < total; k += 1) {
        const due = started + (k * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 1) await new Promise((r) => setTimeout(r, wait));
        const sentAt = performance.now();
        pending.push(fetch(`${server.url}/v1/beacons`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: body() })
          .then(async (response) => {
            await response.arrayBuffer();
            latencies.push(performance.now() - sentAt);
            if (response.status === 202) accepted += 1;
            else failed += 1;
          }, () => { failed += 1; }));
      }
      await Promise.all(pending);
      const elapsedS = (performance.now() - started) / 1000;
      const stage = { offered: rate, accepted: Math.round(accepted / elapsedS), failed, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
      stages.push(stage);
      process.stderr.write(`offered ${rate}/s: accepted ${stage.accepted}/s, failed ${failed}, p50 ${stage.p50.toFixed(1)} ms, p99 ${stage.p99.toFixed(1)} ms\n`);
    }
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  // Sustained: the highest rate the collector kept up with (≥ 98 % accepted, p99 under 100 ms).
  const sustained = stages.filter((s) => s.failed === 0 && s.accepted >= 0.98 * s.offered && s.p99 < 100).at(-1);
  const lines = [
    '| offered beacons/s | accepted beacons/s | failed | p50 ms | p99 ms |',
    '|---:|---:|---:|---:|---:|',
    ...stages.map((s) => `| ${s.offered} | ${s.accepted} | ${s.failed} | ${s.p50.toFixed(1)} | ${s.p99.toFixed(1)} |`),
    '',
    sustained ? `Sustained: ${sustained.accepted} accepted beacons/s with p99 ${sustained.p99.toFixed(1)} ms.` : 'No rate was sustained (≥ 98 % accepted with p99 < 100 ms).',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

const storeAt = process.argv.indexOf('--store');
const jsonAt = process.argv.indexOf('--json');
const run = storeAt > 0
  ? realisticStoreBench({ '1h': 1, '24h': 24 }[process.argv[storeAt + 1]] ?? Number.NaN, jsonAt > 0 ? process.argv[jsonAt + 1] : undefined)
  : main();
run.catch((error: Error) => {
  process.stderr.write(`bench:collector: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
