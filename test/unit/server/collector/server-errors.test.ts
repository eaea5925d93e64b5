import Fastify, { type FastifyInstance } from 'fastify';
import { registerCollector } from '../../../../src/server/collector/collector';
import type { CollectorStore } from '../../../../src/server/collector/collector-store';
import type { CollectorMetrics } from '../../../../src/server/collector/metrics';

const TOKEN = 'operator-token-1';
const beacon = {
  v: 1, sessionId: 'session-err-1', seq: 1, streamId: 'stream-1', live: false,
  httpBytes: 1000, p2pBytes: 3000, uploadedBytes: 0, segmentsHttp: 1, segmentsP2P: 3, peers: 1, integrityFailures: 0,
  startupMs: 250, rebufferCount: 0, rebufferMs: 0, p2pStalls: 0, playingMs: 8000, bitrateKbps: 106, liveLatencyS: null,
};

// The collector on a real fastify app and SQLite store whose connection is gone: what a failing disk
// or database does to it. Clients get a bare 500; the log gets the cause; metrics count it.
describe('a failure inside the server', () => {
  let app: FastifyInstance;
  let store: CollectorStore;
  let metrics: CollectorMetrics;
  let base: string;
  const logged: string[] = [];

  beforeAll(async () => {
    app = Fastify({ logger: false });
    ({ store, metrics } = await registerCollector(app, { dbFile: ':memory:', token: TOKEN, log: (msg) => logged.push(msg) }));
    base = await app.listen({ port: 0, host: '127.0.0.1' });
    await store.close();
  });
  afterAll(async () => {
    await app.close().catch(() => undefined);
  });
  const request = async (method: string, url: string, headers: Record<string, string>, body?: string) => {
    const response = await fetch(`${base}${url}`, { method, headers, body });
    const text = await response.text();
    return { statusCode: response.status, body: text, json: () => JSON.parse(text) };
  };

  const metric = async (line: string) => {
    const text = await metrics.registry.metrics();
    return Number(new RegExp(`^${line.replace(/[{}"=]/g, (c) => `\\${c}`)} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  };

  test('a beacon gets 500 without the cause, which is logged and counted', async () => {
    const response = await request('POST', '/v1/beacons', { 'content-type': 'text/plain' }, JSON.stringify(beacon));
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({ error: 'internal server error' });
    expect(response.body).not.toMatch(/database|sqlite|connection/i);
    expect(logged.some((line) => /POST \/v1\/beacons failed: .*database connection is not open/i.test(line))).toBe(true);
    expect(await metric('meshcast_server_errors_total{route="/v1/beacons"}')).toBe(1);
    expect(await metric('meshcast_beacons_total{result="server_error"}')).toBe(1);
  });

  test('a read gets 500 without the cause; a bad beacon is still a 400 with its reason', async () => {
    const read = await request('GET', '/v1/summary', { authorization: `Bearer ${TOKEN}` });
    expect(read.statusCode).toBe(500);
    expect(read.json()).toEqual({ error: 'internal server error' });
    expect(await metric('meshcast_server_errors_total{route="/v1/summary"}')).toBe(1);
    const bad = await request('POST', '/v1/beacons', { 'content-type': 'text/plain' }, JSON.stringify({ ...beacon, httpBytes: 'lots' }));
    expect(bad.statusCode).toBe(400);
    expect(bad.json().reason).toMatch(/httpBytes/);
  });
});
