import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { closedPort, startMeshcastServer, waitFor, type MeshcastServer } from './harness';

const PROMETHEUS = process.env.PROMETHEUS_PATH ?? '/usr/bin/prometheus';
const METRICS_TOKEN = 'prometheus-scrape-token';

// Fleet-wide metrics the way an operator runs them at scale: Debian's Prometheus scrapes two
// independent collectors; beacons are split between them; one PromQL query gives the offload of all.
describe('Prometheus over two collectors', () => {
  let collectors: MeshcastServer[] = [];
  let prometheus: ChildProcess | undefined;
  let dir: string;
  let promUrl: string;

  beforeAll(async () => {
    if (!existsSync(PROMETHEUS)) throw new Error(`Prometheus not found at ${PROMETHEUS}: apt-get install -y prometheus (.ci/run does)`);
    // Scrapes carry the bearer token the collectors require (--metrics-token), as an operator's would.
    collectors = await Promise.all([startMeshcastServer(['--metrics-token', METRICS_TOKEN]), startMeshcastServer(['--metrics-token', METRICS_TOKEN])]);
    dir = mkdtempSync(path.join(tmpdir(), 'meshcast-prom-'));
    const targets = collectors.map((c) => new URL(c.url).host);
    writeFileSync(path.join(dir, 'prometheus.yml'), [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      'scrape_configs:',
      '  - job_name: meshcast',
      `    authorization: { credentials: "${METRICS_TOKEN}" }`,
      `    static_configs: [{ targets: [${targets.map((t) => `"${t}"`).join(', ')}] }]`,
      '',
    ].join('\n'));
    const port = await closedPort();
    promUrl = `http://127.0.0.1:${port}`;
    prometheus = spawn(PROMETHEUS, [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ], { stdio: 'ignore' });
    await waitFor('Prometheus to be ready', async () => (await fetch(`${promUrl}/-/ready`).catch(() => undefined))?.ok ?? false, (ok) => ok, 30_000);
  });
  afterAll(async () => {
    prometheus?.kill('SIGTERM');
    await Promise.all(collectors.map((c) => c.stop()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const query = async (promql: string): Promise<number | undefined> => {
    const body = await (await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(promql)}`)).json() as { data: { result: Array<{ value: [number, string] }> } };
    const value = body.data.result[0]?.value[1];
    return value === undefined ? undefined : Number(value);
  };

  test('a PromQL query of offload across both collectors equals the offload of what was posted', async () => {
    let http = 0;
    let p2p = 0;
    // 40 sessions, each with 3 cumulative beacons, all to the collector its id picks (as a
    // load balancer routing by client would); byte counts differ per session.
    for (let i = 0; i < 40; i += 1) {
      const collector = collectors[i % 2];
      const sessionId = `prom-session-${String(i).padStart(3, '0')}`;
      let last = { httpBytes: 0, p2pBytes: 0 };
      for (let seq = 1; seq <= 3; seq += 1) {
        last = { httpBytes: (i + 1) * 1_000 * seq, p2pBytes: (i % 7) * 3_000 * seq };
        const response = await fetch(`${collector.url}/v1/beacons`, {
          method: 'POST',
          headers: { 'content-type': 'text/plain' },
          body: JSON.stringify({
            v: 1, sessionId, seq, streamId: `stream-${i % 3}`, live: false, ...last, uploadedBytes: 0, segmentsHttp: seq, segmentsP2P: seq,
            peers: 2, integrityFailures: 0, startupMs: 300, rebufferCount: 0, rebufferMs: 0, p2pStalls: 0, playingMs: 10_000 * seq,
            bitrateKbps: 100, liveLatencyS: null,
          }),
        });
        expect(response.status).toBe(202);
      }
      http += last.httpBytes;
      p2p += last.p2pBytes;
    }
    const expected = p2p / (http + p2p);
    const promql = 'sum(meshcast_segment_bytes_total{source="p2p"}) / sum(meshcast_segment_bytes_total)';
    const total = 'sum(meshcast_segment_bytes_total)';
    await waitFor('Prometheus to scrape both collectors\' last counts', () => query(total), (v) => v === http + p2p, 30_000);
    const offload = await query(promql);
    console.log(`offload from PromQL ${offload}, from the posted beacons ${expected}`);
    expect(offload).toBeCloseTo(expected, 10);
    expect(await query('count(up{job="meshcast"} == 1)')).toBe(2);
  });
});
