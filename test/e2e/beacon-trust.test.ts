import { execFileSync } from 'node:child_process';
import { CLI, launchChromium, openViewer, startMeshcastServer, TEST_TOKEN, waitFor, type MeshcastServer } from './harness';

const auth = { authorization: `Bearer ${TEST_TOKEN}` };
const SECRETS = ['beacon-secret-old-0001', 'beacon-secret-new-0002'];
let n = 0;
const beacon = (over: Record<string, unknown> = {}) => ({
  v: 1, sessionId: `trust-${(n += 1).toString().padStart(5, '0')}`, seq: 1, streamId: 'meshcast/1/event.example/live/master.m3u8', live: true,
  httpBytes: 1_000_000, p2pBytes: 3_000_000, uploadedBytes: 3_000_000, segmentsHttp: 1, segmentsP2P: 3, peers: 2, integrityFailures: 0,
  startupMs: 250, rebufferCount: 0, rebufferMs: 0, p2pStalls: 0, playingMs: 9_000, bitrateKbps: 2500, liveLatencyS: 12,
  ...over,
});
const post = (server: MeshcastServer, body: unknown) =>
  fetch(`${server.url}/v1/beacons`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(body) });
const summary = async (server: MeshcastServer, stream?: string) =>
  (await fetch(`${server.url}/v1/summary${stream ? `?stream=${encodeURIComponent(stream)}` : ''}`, { headers: auth })).json() as Promise<Record<string, number>>;
const metricsText = async (server: MeshcastServer) => (await fetch(`${server.url}/metrics`)).text();
/** The CLI an operator's backend would call (or `signViewerToken` from meshcast-server). */
const viewerToken = (secret: string, stream: string, ttl = '3600') =>
  execFileSync(process.execPath, [CLI, 'viewer-token', '--secret', secret, '--stream', stream, '--ttl', ttl], { encoding: 'utf8' }).trim();

// Beacons the operator can trust: `meshcast serve --beacon-secret`, viewer tokens from `meshcast viewer-token`,
// and the plausibility bounds every beacon is held to.
describe('beacons with viewer tokens', () => {
  let server: MeshcastServer;
  beforeAll(async () => {
    server = await startMeshcastServer([...SECRETS.flatMap((s) => ['--beacon-secret', s]), '--sessions-per-address', '20', '--max-bitrate', '4', '--beacons-per-minute', '100000']);
  });
  afterAll(() => server?.stop());

  test('1 000 forged beacons without a valid token count nothing, take no metric label, and are counted as refused', async () => {
    const stream = 'event.example/live/master.m3u8';
    const wrongSecret = viewerToken('not-the-operators-secret', stream);
    const otherStream = viewerToken(SECRETS[1], 'event.example/other.m3u8');
    const forgeries = [undefined, 'v1.forged', wrongSecret, otherStream];
    const statuses = new Set<number>();
    for (let i = 0; i < 1000; i += 1) {
      const token = forgeries[i % forgeries.length];
      const response = await post(server, beacon({ streamId: `meshcast/1/forged-${i % 100}.example/x.m3u8`, httpBytes: 1e12, p2pBytes: 1e14, ...(token && { token }) }));
      statuses.add(response.status);
    }
    // Those aimed at the real stream, with a token for another or signed with another secret, too.
    for (const token of [wrongSecret, otherStream]) statuses.add((await post(server, beacon({ token }))).status);
    expect([...statuses]).toEqual([401]);
    expect(await summary(server)).toMatchObject({ httpBytes: 0, p2pBytes: 0, sessions: 0 });
    const text = await metricsText(server);
    expect(text).toMatch(/^meshcast_beacons_total\{result="unauthorized"\} 1002$/m);
    expect(text).not.toMatch(/forged-/);
  });

  test('a real viewer with a token its page was given is counted; tokens from either secret in rotation work', async () => {
    const browser = await launchChromium();
    try {
      const stream = `${new URL(server.url).host}/media/vod/master.m3u8`;
      const options = { statsToken: viewerToken(SECRETS[0], stream), statsIntervalS: 2 };
      const viewer = await openViewer(browser, `${server.url}/demo/hlsjs.html?src=vod&options=${encodeURIComponent(JSON.stringify(options))}`);
      await waitFor('the viewer\'s beacons to be counted', () => summary(server, `meshcast/1/${stream}`), (s) => s.sessions === 1 && s.httpBytes > 0, 30_000);
      await viewer.close();
      expect((await post(server, beacon({ token: viewerToken(SECRETS[1], 'event.example/live/master.m3u8') }))).status).toBe(202);
    } finally {
      await browser.close();
    }
  }, 90_000);

  test('with one stolen token, what a forger adds is bounded by the plausibility rules', async () => {
    const streamId = 'meshcast/1/stolen.example/live/master.m3u8';
    const token = viewerToken(SECRETS[1], 'stolen.example/live/master.m3u8');
    const before = await summary(server, streamId);
    const results: Record<number, number> = {};
    const count = (status: number) => { results[status] = (results[status] ?? 0) + 1; };
    // Petabytes at once, from 200 new sessions; then sessions that grow faster than time passes.
    for (let i = 0; i < 200; i += 1) count((await post(server, beacon({ streamId, token, httpBytes: 1e15, p2pBytes: 1e15, uploadedBytes: 1e15 }))).status);
    const started = Date.now();
    // The most a first beacon can claim: an hour played, at the top bitrate, with 300 s fetched ahead.
    const sessions = Array.from({ length: 30 }, () => beacon({ streamId, token, httpBytes: (4e6 / 8) * 3900, p2pBytes: 0, uploadedBytes: 0, playingMs: 3_600_000 }));
    for (const s of sessions) count((await post(server, s)).status);
    for (let seq = 2; seq <= 20; seq += 1) {
      for (const s of sessions) {
        Object.assign(s, { seq, playingMs: s.playingMs + 600_000, httpBytes: s.httpBytes + 300e6, p2pBytes: s.p2pBytes + 300e6, uploadedBytes: s.uploadedBytes + 300e6 });
        count((await post(server, s)).status);
      }
    }
    const elapsedS = (Date.now() - started) / 1000;
    const after = await summary(server, streamId);
    const added = after.httpBytes + after.p2pBytes - before.httpBytes - before.p2pBytes;
    // The bound: at most 20 new sessions from this address in an hour; each at most 4 Mbit/s for what it
    // played, which is at most the session's age by the collector's clock plus the hour (and 30 s) a first
    // beacon may cover, plus 300 s of media fetched ahead.
    const bytesPerS = 4e6 / 8;
    const bound = 20 * bytesPerS * (3600 + 30 + elapsedS + 300);
    console.log(`stolen token: ${JSON.stringify(results)}; added ${added} B (bound ${Math.round(bound)} B), ${after.sessions - before.sessions} sessions`);
    expect(results[422]).toBeGreaterThan(0);
    expect(after.sessions - before.sessions).toBeLessThanOrEqual(20);
    expect(added).toBeLessThanOrEqual(bound);
    expect(added).toBeLessThan(1e12);
    expect(added).toBeGreaterThan(0); // the forger got the most the rules allow, and no more
    const text = await metricsText(server);
    expect(Number(/^meshcast_beacons_total\{result="implausible"\} (\d+)$/m.exec(text)?.[1])).toBe(results[422]);
  }, 60_000);
});
