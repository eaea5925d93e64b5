import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import WebSocket from 'ws';
import { CLI, launchChromium, openViewer, startMeshcastServer, waitFor, type MeshcastServer } from './harness';

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

/** An info hash as Meshcast's patched p2p-media-loader makes it: 9 bytes of SHA-1(swarm id), 6 of the stream's. */
function swarmInfoHash(swarm: string, stream = 'main-0'): string {
  const swarmId = `meshcast/1/${swarm}`;
  const sha1 = (text: string) => createHash('sha1').update(text).digest();
  return Buffer.concat([sha1(swarmId).subarray(0, 9), sha1(`v2-${swarmId}-${stream}`).subarray(0, 6)]).toString('base64');
}
const announceTo = (hash: string, peerId: string) => JSON.stringify({
  action: 'announce', info_hash: hash, peer_id: peerId, numwant: 0, uploaded: 0, downloaded: 0, left: 0, event: 'started', offers: [],
});

describe('tracker with secrets', () => {
  const secrets = ['tracker-secret-old-00', 'tracker-secret-new-01'];
  let server: MeshcastServer;
  beforeAll(async () => {
    server = await startMeshcastServer(secrets.flatMap((s) => ['--tracker-secret', s]));
  });
  afterAll(() => server?.stop());

  const rejected = (url: string) => new Promise<number>((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('open', () => reject(new Error(`${url} was accepted`)));
  });
  const mint = (secret: string, swarm: string, ttl = '60') =>
    spawnSync(process.execPath, [CLI, 'tracker-token', '--secret', secret, '--swarm', swarm, '--ttl', ttl], { encoding: 'utf8' });

  test('serves only pages with a valid, unexpired token of bounded lifetime, from either secret in rotation', async () => {
    const { signTrackerToken } = await import('../../src/server/tracker-token');
    const now = Date.now() / 1000;
    expect(await rejected(server.trackerUrl)).toBe(401);
    expect(await rejected(`${server.trackerUrl}/?token=${signTrackerToken('another-secret', 'event', 60)}`)).toBe(401);
    expect(await rejected(`${server.trackerUrl}/?token=${signTrackerToken(secrets[0], 'event', 60, now - 120)}`)).toBe(401);
    expect(await rejected(`${server.trackerUrl}/?token=${signTrackerToken(secrets[0], 'event', 2 * 86_400)}`)).toBe(401);
    // The unbound token format of earlier versions is refused.
    expect(await rejected(`${server.trackerUrl}/?token=${Math.floor(now + 60)}.${'0'.repeat(64)}`)).toBe(401);

    for (const secret of secrets) {
      const minted = mint(secret, 'event');
      expect(minted.stdout).toMatch(/^t1\.[A-Za-z0-9_-]+\.\d+\.\d+\.[0-9a-f]{64}\n$/);
      const good = await open(`${server.trackerUrl}/?token=${minted.stdout.trim()}`);
      good.send(announceTo(swarmInfoHash('event'), 'token-peer-000000000'));
      expect(await nextMessage(good)).toMatchObject({ action: 'announce' });
      good.close();
    }
    expect(mint(secrets[0], 'event', '100000').status).toBe(2);
  });

  test('every announce must be for the token\'s swarm: another swarm closes the connection', async () => {
    const token = mint(secrets[1], 'event').stdout.trim();
    const ws = await open(`${server.trackerUrl}/?token=${token}`);
    ws.send(announceTo(swarmInfoHash('event', 'main-1'), 'swarm-peer-000000000'));
    expect(await nextMessage(ws)).toMatchObject({ action: 'announce' });
    const closing = closed(ws);
    ws.send(announceTo(swarmInfoHash('another-event'), 'swarm-peer-000000000'));
    expect(await closing).toBe(4403);
    // A token for any swarm ("*") admits any.
    const any = await open(`${server.trackerUrl}/?token=${mint(secrets[1], '*').stdout.trim()}`);
    any.send(announceTo(swarmInfoHash('another-event'), 'star-peer-0000000000'));
    expect(await nextMessage(any)).toMatchObject({ action: 'announce' });
    any.close();
  });

  test('a connection lasts no longer than its token', async () => {
    const { signTrackerToken } = await import('../../src/server/tracker-token');
    const ws = await open(`${server.trackerUrl}/?token=${signTrackerToken(secrets[0], 'event', 2)}`);
    const started = Date.now();
    ws.send(announceTo(swarmInfoHash('event'), 'brief-peer-000000000'));
    expect(await nextMessage(ws)).toMatchObject({ action: 'announce' });
    expect(await closed(ws)).toBe(4403);
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  test('real viewers with a token for their stream meet and share; with another stream\'s token they are cut off', async () => {
    const browser = await launchChromium();
    try {
      const stream = `${new URL(server.url).host}/media/vod/master.m3u8`;
      const page = (swarm: string) => `${server.url}/demo/hlsjs.html?src=vod&beacons=0&trackers=${encodeURIComponent(`${server.trackerUrl}/?token=${mint(secrets[1], swarm, '600').stdout.trim()}`)}`;
      const first = await openViewer(browser, page(stream));
      await waitFor('the first viewer to play 4 s', first.currentTime, (t) => t > 4, 30_000);
      const second = await openViewer(browser, page(stream));
      await waitFor('P2P bytes at the second viewer', second.stats, (s) => s.p2pBytes > 0, 60_000);
      const stranger = await openViewer(browser, page('some-other-event'));
      await waitFor('the stranger to play 4 s', stranger.currentTime, (t) => t > 4, 30_000);
      // Its announces name its own swarm's info hashes: the tracker closes its connection, and it plays over HTTP.
      await waitFor('the stranger\'s tracker socket to be closed', stranger.network, (n) => n.sockets.length > 0 && n.openSockets === 0, 20_000);
      expect((await stranger.stats()).p2pBytes).toBe(0);
      for (const viewer of [first, second, stranger]) await viewer.close();
    } finally {
      await browser.close();
    }
  }, 120_000);
});
