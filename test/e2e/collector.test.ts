import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startMeshcastServer, TEST_TOKEN, type MeshcastServer } from './harness';

const auth = { authorization: `Bearer ${TEST_TOKEN}` };
let n = 0;
const beacon = (over: Record<string, unknown> = {}) => ({
  v: 1, sessionId: `session-${(n += 1).toString().padStart(4, '0')}`, seq: 1, streamId: 'stream-1', live: false,
  httpBytes: 1000, p2pBytes: 3000, uploadedBytes: 2000, segmentsHttp: 1, segmentsP2P: 3, peers: 2, integrityFailures: 0,
  startupMs: 250, rebufferCount: 0, rebufferMs: 0, p2pStalls: 0, playingMs: 8000, bitrateKbps: 106, liveLatencyS: null,
  ...over,
});
const post = (server: MeshcastServer, body: unknown, contentType = 'text/plain') =>
  fetch(`${server.url}/v1/beacons`, { method: 'POST', headers: { 'content-type': contentType }, body: typeof body === 'string' ? body : JSON.stringify(body) });
const summary = async (server: MeshcastServer, query = '') => (await fetch(`${server.url}/v1/summary${query}`, { headers: auth })).json() as Promise<Record<string, number>>;
const metric = async (server: MeshcastServer, line: string) => {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return Number(new RegExp(`^${line.replace(/[{}"=]/g, (c) => `\\${c}`)} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
};

// The collector in the real `meshcast serve` process: validation, idempotency, auth, persistence.
describe('collector', () => {
  let server: MeshcastServer;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'meshcast-db-'));
    server = await startMeshcastServer(['--db', path.join(dir, 'stats.db')]);
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('accepts a valid beacon; a repeat or an older one counts nothing', async () => {
    const first = beacon({ streamId: 'idempotency' });
    expect((await post(server, first)).status).toBe(202);
    expect(await (await post(server, first)).json()).toEqual({ result: 'duplicate', audience: 1 });
    const later = { ...first, seq: 3, httpBytes: 2000, p2pBytes: 6000 };
    expect(await (await post(server, later)).json()).toEqual({ result: 'accepted', audience: 1 });
    expect(await (await post(server, { ...first, seq: 2, httpBytes: 1500 })).json()).toEqual({ result: 'duplicate', audience: 1 });
    expect(await summary(server, '?stream=idempotency')).toMatchObject({ httpBytes: 2000, p2pBytes: 6000, offloadRatio: 0.75, sessions: 1 });
    // application/json works too (fetch without keepalive restrictions).
    expect((await post(server, beacon({ streamId: 'idempotency' }), 'application/json')).status).toBe(202);
  });

  test('the reply counts the stream\'s audience: sessions of that stream heard from in the last minute', async () => {
    const a = beacon({ streamId: 'audience' });
    const b = beacon({ streamId: 'audience' });
    expect(await (await post(server, a)).json()).toEqual({ result: 'accepted', audience: 1 });
    expect(await (await post(server, b)).json()).toEqual({ result: 'accepted', audience: 2 });
    expect(await (await post(server, beacon({ streamId: 'another-audience' }))).json()).toEqual({ result: 'accepted', audience: 1 });
    expect(await (await post(server, { ...a, seq: 2 })).json()).toEqual({ result: 'accepted', audience: 2 });
  });

  test('a beacon naming its rendition gets that rendition\'s audience too: the stream\'s, times the rendition\'s share of its sessions', async () => {
    const reply = async (body: unknown) => (await post(server, body)).json();
    const streamId = 'renditions';
    expect(await reply(beacon({ streamId, rendition: 0 }))).toEqual({ result: 'accepted', audience: 1, renditionAudience: 1 });
    expect(await reply(beacon({ streamId, rendition: 0 }))).toEqual({ result: 'accepted', audience: 2, renditionAudience: 2 });
    expect(await reply(beacon({ streamId, rendition: 2 }))).toEqual({ result: 'accepted', audience: 3, renditionAudience: 1 });
    // A player that does not say (P2P off, or an older one) counts in the stream, not in a rendition.
    expect(await reply(beacon({ streamId }))).toEqual({ result: 'accepted', audience: 4 });
    const switching = beacon({ streamId, rendition: 2 });
    expect(await reply(switching)).toEqual({ result: 'accepted', audience: 5, renditionAudience: 2 });
    // The same session on another rendition now: it moves, and is not counted twice.
    expect(await reply({ ...switching, seq: 2, rendition: 0 })).toEqual({ result: 'accepted', audience: 5, renditionAudience: 3 });
    expect(await reply(beacon({ streamId, rendition: 1 }))).toEqual({ result: 'accepted', audience: 6, renditionAudience: 1 });
    expect((await post(server, beacon({ streamId, rendition: -1 }))).status).toBe(400);
    expect((await post(server, beacon({ streamId, rendition: 1.5 }))).status).toBe(400);
  });

  test.each([
    ['a wrong type', beacon({ httpBytes: 'lots' }), 400, /httpBytes/],
    ['a negative count', beacon({ rebufferMs: -5 }), 400, /rebufferMs/],
    ['an overlong stream id', beacon({ streamId: 'x'.repeat(600) }), 400, /streamId/],
    ['an unknown field', beacon({ userId: 'alice' }), 400, /additional/],
    ['a number sent as a string', beacon({ playingMs: '8000' }), 400, /playingMs/],
    ['no JSON at all', 'hello', 400, /not JSON/],
    ['a huge body', JSON.stringify(beacon({ streamId: 'y'.repeat(5000) })), 413, /./],
  ])('rejects %s with a 4xx and a reason, and counts it', async (_what, body, status, reason) => {
    const before = await metric(server, 'meshcast_beacons_total{result="invalid"}');
    const response = await post(server, body);
    expect(response.status).toBe(status);
    expect((await response.json()).reason).toMatch(reason);
    expect(await metric(server, 'meshcast_beacons_total{result="invalid"}')).toBe(before + 1);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  test('the read API needs the operator token and leaks nothing without it', async () => {
    for (const route of ['/v1/summary', '/v1/series', '/v1/streams']) {
      for (const headers of [{}, { authorization: 'Bearer wrong-token-xyz' }, { authorization: TEST_TOKEN }] as Array<Record<string, string>>) {
        const response = await fetch(`${server.url}${route}`, { headers });
        expect(response.status).toBe(401);
        expect(await response.json()).toEqual({ error: 'unauthorized' });
      }
      expect((await fetch(`${server.url}${route}`, { headers: auth })).status).toBe(200);
    }
    expect((await fetch(`${server.url}/v1/summary?from=5&to=1`, { headers: auth })).status).toBe(400);
  });

  test('per-stream aggregates and a series, with viewers and start-up', async () => {
    await post(server, beacon({ streamId: 'series', startupMs: 100 }));
    await post(server, beacon({ streamId: 'series', startupMs: 300, httpBytes: 3000, p2pBytes: 1000 }));
    const streams = (await (await fetch(`${server.url}/v1/streams`, { headers: auth })).json()) as { streams: Array<Record<string, unknown>> };
    expect(streams.streams.find((s) => s.streamId === 'series')).toMatchObject({
      httpBytes: 4000, p2pBytes: 4000, offloadRatio: 0.5, sessions: 2, concurrentViewers: 2, startupMsMedian: 100, startupMsP95: 300,
    });
    const series = (await (await fetch(`${server.url}/v1/series?stream=series`, { headers: auth })).json()) as { points: Array<Record<string, number>> };
    expect(series.points.at(-1)).toMatchObject({ offloadRatio: 0.5, viewers: 2 });
  });

  test('Prometheus metrics keep the stream label bounded', async () => {
    for (let i = 0; i < 60; i += 1) await post(server, beacon({ streamId: `many-${i}` }));
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const streams = new Set([...text.matchAll(/^meshcast_segment_bytes_total\{stream="([^"]*)"/gm)].map((m) => m[1]));
    expect(streams.size).toBeLessThanOrEqual(51);
    expect(streams.has('other')).toBe(true);
    expect(text).not.toMatch(/session-\d+/);
  });

  test('a session that switches source counts for the new stream from its next beacon; the old one stops counting it', async () => {
    const first = beacon({ streamId: 'switch-from', httpBytes: 1000, p2pBytes: 1000 });
    await post(server, first);
    expect(await (await post(server, { ...first, seq: 2, streamId: 'switch-to', httpBytes: 1500, p2pBytes: 3000 })).json())
      .toEqual({ result: 'accepted', audience: 1 });
    // Bytes stay with the stream they were received for; the session now belongs to the new one.
    expect(await summary(server, '?stream=switch-from')).toMatchObject({ httpBytes: 1000, p2pBytes: 1000, sessions: 0 });
    expect(await summary(server, '?stream=switch-to')).toMatchObject({ httpBytes: 500, p2pBytes: 2000, sessions: 1 });
    // The old stream's audience no longer includes it.
    expect(await (await post(server, beacon({ streamId: 'switch-from' }))).json()).toEqual({ result: 'accepted', audience: 1 });
  });

  test('a restart loses no accepted beacon', async () => {
    await post(server, beacon({ streamId: 'durable', httpBytes: 111, p2pBytes: 222 }));
    await server.stop();
    server = await startMeshcastServer(['--db', path.join(dir, 'stats.db')]);
    expect(await summary(server, '?stream=durable')).toMatchObject({ httpBytes: 111, p2pBytes: 222 });
  });
});

describe('collector rate limit', () => {
  let server: MeshcastServer;
  beforeAll(async () => {
    server = await startMeshcastServer(['--beacons-per-minute', '5']);
  });
  afterAll(() => server?.stop());

  test('a client over its beacon rate gets 429, and it is counted', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i += 1) statuses.push((await post(server, beacon())).status);
    expect(statuses).toEqual([202, 202, 202, 202, 202, 429, 429]);
    expect(await metric(server, 'meshcast_beacons_total{result="rate_limited"}')).toBe(2);
  });
});

describe('collector metrics token', () => {
  let server: MeshcastServer;
  beforeAll(async () => {
    server = await startMeshcastServer(['--metrics-token', 'scrape-secret-1']);
  });
  afterAll(() => server?.stop());

  test('/metrics answers only the bearer of --metrics-token', async () => {
    const open = await fetch(`${server.url}/metrics`);
    expect(open.status).toBe(401);
    expect(await open.text()).not.toContain('meshcast_');
    expect((await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer wrong-secret' } })).status).toBe(401);
    const scraped = await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer scrape-secret-1' } });
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toContain('meshcast_beacons_total');
  });
});

describe('collector behind a proxy', () => {
  let server: MeshcastServer;
  beforeAll(async () => {
    server = await startMeshcastServer(['--beacons-per-minute', '2', '--trust-proxy', '127.0.0.1']);
  });
  afterAll(() => server?.stop());

  const from = (client: string) => fetch(`${server.url}/v1/beacons`, {
    method: 'POST', headers: { 'content-type': 'text/plain', 'x-forwarded-for': client }, body: JSON.stringify(beacon()),
  });

  test('with --trust-proxy, per-client limits apply to the forwarded client address, not the proxy\'s', async () => {
    const statuses: number[] = [];
    for (const client of ['198.51.100.1', '198.51.100.2', '198.51.100.3']) {
      statuses.push((await from(client)).status, (await from(client)).status);
    }
    expect(statuses).toEqual([202, 202, 202, 202, 202, 202]);
    expect((await from('198.51.100.1')).status).toBe(429);
  });
});

describe('collector retention', () => {
  let server: MeshcastServer;
  let dir: string;
  const DAY = 86_400_000;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'meshcast-retain-'));
    // A store with a beacon from three days ago and one from yesterday, as a running collector would have.
    const { BeaconStore } = await import('../../src/server/collector/store');
    const store = new BeaconStore(path.join(dir, 'stats.db'));
    store.ingest(beacon({ streamId: 'retained', httpBytes: 3000, p2pBytes: 0 }) as never, Date.now() - 3 * DAY);
    store.ingest(beacon({ streamId: 'retained', httpBytes: 1000, p2pBytes: 0 }) as never, Date.now() - DAY);
    store.close();
    server = await startMeshcastServer(['--db', path.join(dir, 'stats.db'), '--retain-days', '2']);
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('--retain-days deletes what is older at start: a five-day window has yesterday only', async () => {
    const to = Date.now();
    expect(await summary(server, `?stream=retained&from=${to - 5 * DAY}&to=${to}`)).toMatchObject({ httpBytes: 1000, sessions: 1 });
  });
});
