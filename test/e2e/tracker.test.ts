import { spawnSync } from 'node:child_process';
import WebSocket from 'ws';
import { CLI, startMeshcastServer, type MeshcastServer } from './harness';

const infoHash = 'a'.repeat(20);
const announce = (peerId: string) => JSON.stringify({
  action: 'announce', info_hash: infoHash, peer_id: peerId, numwant: 0, uploaded: 0, downloaded: 0, left: 0, event: 'started', offers: [],
});

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

const nextMessage = (ws: WebSocket) => new Promise<Record<string, unknown>>((resolve) => ws.once('message', (data) => resolve(JSON.parse(String(data)))));
const closed = (ws: WebSocket) => new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));

// The WebTorrent tracker of `meshcast serve`: a misbehaving client harms no one else.
describe('tracker', () => {
  let server: MeshcastServer;
  beforeAll(async () => {
    server = await startMeshcastServer();
  });
  afterAll(() => server?.stop());

  test('answers announces; malformed and oversized messages close only the sender', async () => {
    const good = await open(server.trackerUrl);
    good.send(announce('good-peer-0000000000'));
    expect(await nextMessage(good)).toMatchObject({ action: 'announce', interval: expect.any(Number), complete: expect.any(Number) });

    const garbage = await open(server.trackerUrl);
    garbage.send('this is not json {');
    garbage.send(JSON.stringify({ action: 'announce', info_hash: 42 }));
    const oversized = await open(server.trackerUrl);
    const oversizedClosed = closed(oversized);
    oversized.send('x'.repeat(300 * 1024));
    expect(await oversizedClosed).toBe(1009); // "message too big"

    good.send(announce('good-peer-0000000000'));
    expect(await nextMessage(good)).toMatchObject({ action: 'announce' });
    const later = await open(server.trackerUrl);
    later.send(announce('late-peer-0000000000'));
    expect(await nextMessage(later)).toMatchObject({ action: 'announce', complete: 2 });
    for (const ws of [good, garbage, later]) ws.close();
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});

describe('tracker with a secret', () => {
  const secret = 'tracker-secret-for-tests';
  let server: MeshcastServer;
  beforeAll(async () => {
    server = await startMeshcastServer(['--tracker-secret', secret]);
  });
  afterAll(() => server?.stop());

  const rejected = (url: string) => new Promise<number>((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('open', () => reject(new Error(`${url} was accepted`)));
  });

  test('serves only pages with a valid, unexpired token', async () => {
    const { signTrackerToken } = await import('../../src/server/tracker-token');
    expect(await rejected(server.trackerUrl)).toBe(401);
    expect(await rejected(`${server.trackerUrl}/?token=${signTrackerToken('another-secret', Date.now() / 1000 + 60)}`)).toBe(401);
    expect(await rejected(`${server.trackerUrl}/?token=${signTrackerToken(secret, Date.now() / 1000 - 1)}`)).toBe(401);

    const minted = spawnSync(process.execPath, [CLI, 'tracker-token', '--secret', secret, '--ttl', '60'], { encoding: 'utf8' });
    expect(minted.stdout).toMatch(/^\d+\.[0-9a-f]{64}\n$/);
    const good = await open(`${server.trackerUrl}/?token=${minted.stdout.trim()}`);
    good.send(announce('token-peer-000000000'));
    expect(await nextMessage(good)).toMatchObject({ action: 'announce' });
    good.close();
  });
});
