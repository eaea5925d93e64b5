import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Agent, request } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import WebSocket from 'ws';
import { percentile } from '../../src/browser/utils/percentile';
import { startMeshcastServer, TEST_TOKEN } from '../e2e/harness';
import { writeRealisticStore } from './collector-store';

// `npm run bench:collector -- --store 1h|24h [--json FILE]`: a store holding SESSIONS (10 000) viewers over
// the last hour or day; then those viewers' beacons keep arriving (one per session every 10 s, open loop),
// DASHBOARDS (3) operators' dashboards poll the read API every 5 s over the store's whole window, and
// TRACKER_PEERS (500) WebSocket peers re-announce. The first WARMUP_S (5 s) warm the server (and this load
// generator: its first thousand connections) and are reported apart; then STAGE_S (30 s) are measured.
// Reports the latency of each, measured here, and this generator's own event-loop delay, which they include.

const SESSIONS = Number(process.env.SESSIONS ?? 10_000);
const STAGE_S = Number(process.env.STAGE_S ?? 30);
const WARMUP_S = Number(process.env.WARMUP_S ?? 5);
const DASHBOARDS = Number(process.env.DASHBOARDS ?? 3);
const TRACKER_PEERS = Number(process.env.TRACKER_PEERS ?? 500);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const round = (ms: number) => Math.round(ms * 10) / 10;
/**
 * Beacons go over keep-alive connections (at most `BEACON_CONNECTIONS`, 200), as from a load balancer in
 * front of the collector: fetch() costs this generator several times as much CPU per request.
 */
const beaconAgent = new Agent({ keepAlive: true, maxSockets: Number(process.env.BEACON_CONNECTIONS ?? 200) });
const postBeacon = (url: URL, body: string) => new Promise<number>((resolve, reject) => {
  const req = request(url, { method: 'POST', agent: beaconAgent, headers: { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) } }, (res) => {
    res.resume();
    res.on('end', () => resolve(res.statusCode ?? 0));
  });
  req.on('error', reject);
  req.end(body);
});
const stats = (values: number[]) => ({ count: values.length, p50Ms: round(percentile(values, 50)), p99Ms: round(percentile(values, 99)), maxMs: round(Math.max(0, ...values)) });

export async function realisticStoreBench(hours: number, jsonFile?: string): Promise<void> {
  if (!(hours > 0)) throw new Error('--store takes 1h or 24h');
  const dir = mkdtempSync(path.join(tmpdir(), 'meshcast-collector-store-'));
  const file = path.join(dir, 'store.db');
  const built = performance.now();
  const end = writeRealisticStore(file, SESSIONS, hours);
  process.stderr.write(`store: ${SESSIONS} sessions x ${hours} h written in ${Math.round((performance.now() - built) / 1000)} s\n`);
  const server = await startMeshcastServer(['--db', file, '--beacons-per-minute', '100000000', '--announce-interval', '120']);
  const beaconMs: number[] = [];
  const trackerMs: number[] = [];
  const readMs: Record<string, number[]> = { summary: [], series: [], streams: [] };
  const warmupBeaconMs: number[] = [];
  let beaconFailures = 0;
  let measuring = false;
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  const peers: WebSocket[] = [];
  try {
    // Tracker peers, connected before the stage.
    const pendingAnswer = new Map<WebSocket, number[]>();
    await Promise.all(Array.from({ length: TRACKER_PEERS }, (_, i) => new Promise<void>((resolve) => {
      const ws = new WebSocket(server.trackerUrl);
      peers.push(ws);
      pendingAnswer.set(ws, []);
      ws.on('message', (data) => {
        const message = JSON.parse(String(data)) as { action?: string; interval?: number };
        if (message.action === 'announce' && message.interval !== undefined) {
          const sent = pendingAnswer.get(ws)!.shift();
          if (sent !== undefined) trackerMs.push(performance.now() - sent);
        }
      });
      ws.on('open', () => resolve());
      ws.on('error', () => resolve());
      void i;
    })));
    const announce = (ws: WebSocket, i: number) => {
      pendingAnswer.get(ws)!.push(performance.now());
      ws.send(JSON.stringify({ action: 'announce', info_hash: `bench-swarm-${String(i % 5).padStart(8, '0')}`, peer_id: `-MC0001-${String(i).padStart(12, '0')}`, numwant: 5, uploaded: 0, downloaded: 0, left: 0, offers: [] }));
    };
    peers.forEach((ws, i) => announce(ws, i));
    await sleep(1000);
    trackerMs.length = 0;

    const to = end + 60_000;
    const from = to - hours * 3_600_000;
    const auth = { authorization: `Bearer ${TEST_TOKEN}` };
    let running = true;
    const dashboards = Array.from({ length: DASHBOARDS }, async (_, d) => {
      await sleep((d * 5000) / DASHBOARDS);
      while (running) {
        await Promise.all(Object.keys(readMs).map(async (endpoint) => {
          const started = performance.now();
          const counted = measuring;
          const response = await fetch(`${server.url}/v1/${endpoint}?from=${from}&to=${to}`, { headers: auth });
          await response.arrayBuffer();
          if (response.ok && counted) readMs[endpoint].push(performance.now() - started);
        }));
        await sleep(5000);
      }
    });

    const beaconUrl = new URL(`${server.url}/v1/beacons`);
    const seq = new Array<number>(SESSIONS).fill(hours * 60);
    const perSecond = SESSIONS / 10;
    const started = performance.now();
    const pending: Array<Promise<void>> = [];
    let sent = 0;
    let announced = 0;
    while (performance.now() - started < (WARMUP_S + STAGE_S) * 1000) {
      if (!measuring && performance.now() - started >= WARMUP_S * 1000) {
        measuring = true;
        trackerMs.length = 0;
        loopDelay.enable();
      }
      const elapsedS = (performance.now() - started) / 1000;
      for (; sent < Math.floor(elapsedS * perSecond); sent += 1) {
        const i = sent % SESSIONS;
        seq[i] += 1;
        const minutes = seq[i];
        const body = JSON.stringify({
          v: 1, sessionId: `bench-session-${i}`, seq: minutes, streamId: `meshcast/1/bench.example/stream-${i % 5}.m3u8`, live: true,
          httpBytes: 150_000 * minutes, p2pBytes: 1_350_000 * minutes, uploadedBytes: 1_350_000 * minutes, segmentsHttp: minutes, segmentsP2P: 9 * minutes,
          peers: 3, integrityFailures: 0, startupMs: 300 + (i % 700), rebufferCount: 0, rebufferMs: 0, p2pStalls: 0, playingMs: 60_000 * minutes,
          bitrateKbps: 2000, liveLatencyS: 10,
        });
        const sentAt = performance.now();
        const into = measuring ? beaconMs : warmupBeaconMs;
        pending.push(postBeacon(beaconUrl, body).then((status) => {
          if (status === 202) into.push(performance.now() - sentAt);
          else if (into === beaconMs) beaconFailures += 1;
        }, () => { if (into === beaconMs) beaconFailures += 1; }));
      }
      // Each tracker peer re-announces about every 10 s during the stage.
      for (; announced < Math.floor(elapsedS * (TRACKER_PEERS / 10)); announced += 1) announce(peers[announced % peers.length], announced % peers.length);
      await sleep(5);
    }
    await Promise.all(pending);
    loopDelay.disable();
    running = false;
    await Promise.all(dashboards);
    const report = {
      date: new Date().toISOString().slice(0, 10),
      store: `${SESSIONS} sessions x ${hours} h`,
      stageS: STAGE_S,
      warmupS: WARMUP_S,
      beaconsPerS: perSecond,
      dashboards: DASHBOARDS,
      trackerPeers: TRACKER_PEERS,
      beacons: { ...stats(beaconMs), failures: beaconFailures },
      warmupBeacons: stats(warmupBeaconMs),
      generatorLoopDelayMs: { p50: round(loopDelay.percentile(50) / 1e6), p99: round(loopDelay.percentile(99) / 1e6), max: round(loopDelay.max / 1e6) },
      trackerAnswers: stats(trackerMs),
      reads: Object.fromEntries(Object.entries(readMs).map(([endpoint, values]) => [endpoint, stats(values)])),
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    if (jsonFile) writeFileSync(jsonFile, `${JSON.stringify(report, null, 2)}\n`);
  } finally {
    for (const ws of peers) ws.terminate();
    beaconAgent.destroy();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
