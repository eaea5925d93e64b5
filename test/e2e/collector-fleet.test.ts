import { startMeshcastServer, TEST_TOKEN, type MeshcastServer } from './harness';
import { startPostgres, type TestPostgres } from './postgres';

/** Cumulative counters a beacon carries, as a player's would grow. */
interface Counters { httpBytes: number; p2pBytes: number; uploadedBytes: number; segmentsHttp: number; segmentsP2P: number; rebufferCount: number; rebufferMs: number; playingMs: number }

const SESSIONS = 40;
const BEACONS_PER_SESSION = 16;
const STREAMS = ['fleet-stream-a', 'fleet-stream-b'];

/** A session's beacons 1..n: growing counters, each session receiving from peers what it uploads. */
function beaconsOf(index: number): Array<Record<string, unknown>> {
  const counters: Counters = { httpBytes: 0, p2pBytes: 0, uploadedBytes: 0, segmentsHttp: 0, segmentsP2P: 0, rebufferCount: 0, rebufferMs: 0, playingMs: 0 };
  const beacons = [];
  for (let seq = 1; seq <= BEACONS_PER_SESSION; seq += 1) {
    const http = 40_000 + ((index * 7919 + seq * 104_729) % 250_000);
    const p2p = (index * 31 + seq * 997) % 400_000;
    counters.httpBytes += http;
    counters.p2pBytes += p2p;
    counters.uploadedBytes += p2p + (seq % 3) * 1_000;
    counters.segmentsHttp += 1;
    counters.segmentsP2P += p2p > 0 ? 1 : 0;
    counters.rebufferCount += seq % 7 === 0 ? 1 : 0;
    counters.rebufferMs += seq % 7 === 0 ? 350 : 0;
    counters.playingMs += 10_000;
    beacons.push({
      v: 1, sessionId: `fleet-session-${index}`, seq, streamId: STREAMS[index % STREAMS.length], live: true, peers: 3, integrityFailures: 0,
      startupMs: 400 + index, p2pStalls: 0, bitrateKbps: 800, liveLatencyS: 12, ...counters,
    });
  }
  return beacons;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Two `meshcast serve` collectors on one PostgreSQL (Debian's, started here), no stickiness: each
// beacon goes to either at random, two of a session's beacons at once to different collectors. One
// collector is SIGKILLed mid-stream and restarted on its port. A beacon whose collector died is sent
// again to the other, as a load balancer's retry would: the store answers "duplicate" when the dead one
// had committed it. The read API must then hold each session's last counters, to the byte.
describe('collectors sharing a PostgreSQL store', () => {
  let postgres: TestPostgres;
  const collectors: MeshcastServer[] = [];

  beforeAll(async () => {
    postgres = await startPostgres();
    for (let i = 0; i < 2; i += 1) collectors.push(await startMeshcastServer(['--store', postgres.url, '--beacons-per-minute', '100000']));
  }, 60_000);
  afterAll(async () => {
    await Promise.all(collectors.map((c) => c.stop()));
    postgres?.stop();
  });

  test('any beacon to any collector, one killed and restarted mid-stream: totals equal each session\'s last counters', async () => {
    const urls = collectors.map((c) => c.url);
    const acknowledged = [0, 0];
    let retried = 0;
    /** Sends until a collector acknowledges the beacon (accepted, or a duplicate of one it holds). */
    const deliver = async (beacon: Record<string, unknown>, first: number) => {
      for (let attempt = 0; ; attempt += 1) {
        const target = (first + attempt) % 2;
        try {
          const response = await fetch(`${urls[target]}/v1/beacons`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(beacon) });
          const body = (await response.json()) as { result?: string; reason?: string };
          if (response.status !== 202) throw new Error(`collector ${target} answered ${response.status}: ${JSON.stringify(body)}`);
          expect(['accepted', 'duplicate']).toContain(body.result);
          acknowledged[target] += 1;
          return;
        } catch (error) {
          if (error instanceof Error && /answered/.test(error.message)) throw error;
          retried += 1;
          if (attempt > 50) throw new Error(`no collector took beacon ${beacon.sessionId}#${beacon.seq}`);
          await sleep(50);
        }
      }
    };
    const sessions = Array.from({ length: SESSIONS }, (_, i) => beaconsOf(i));
    const run = async (from: number, to: number) => {
      await Promise.all(sessions.map(async (beacons) => {
        for (let seq = from; seq < to; seq += 2) {
          // Two of this session's beacons at once, to different collectors: they may arrive in either order.
          const first = Math.floor(Math.random() * 2);
          await Promise.all([deliver(beacons[seq], first), ...(seq + 1 < to ? [deliver(beacons[seq + 1], 1 - first)] : [])]);
        }
      }));
    };

    await run(0, 6);
    const killedPort = new URL(urls[0]).port;
    const before = acknowledged[0] + acknowledged[1];
    const midStream = run(6, 12);
    while (acknowledged[0] + acknowledged[1] < before + SESSIONS) await sleep(5);
    collectors[0].process.kill('SIGKILL');
    await new Promise((resolve) => collectors[0].process.once('exit', resolve));
    const acknowledgedBeforeRestart = acknowledged[0];
    await midStream;
    collectors[0] = await startMeshcastServer(['--store', postgres.url, '--beacons-per-minute', '100000', '--port', killedPort]);
    expect(collectors[0].url).toBe(urls[0]);
    await run(12, BEACONS_PER_SESSION);
    expect(retried).toBeGreaterThan(0);
    expect(acknowledged[0]).toBeGreaterThan(acknowledgedBeforeRestart);

    const last = sessions.map((beacons) => beacons[beacons.length - 1]);
    const expected = (streamId?: string) => {
      const of = last.filter((b) => streamId === undefined || b.streamId === streamId);
      const total = (key: keyof Counters) => of.reduce((n, b) => n + (b[key] as number), 0);
      return { httpBytes: total('httpBytes'), p2pBytes: total('p2pBytes'), uploadedBytes: total('uploadedBytes'), rebufferCount: total('rebufferCount'), sessions: of.length };
    };
    const read = async (url: string, query = '') => {
      const response = await fetch(`${url}/v1/summary${query}`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } });
      expect(response.status).toBe(200);
      const s = (await response.json()) as Record<string, number>;
      return { httpBytes: s.httpBytes, p2pBytes: s.p2pBytes, uploadedBytes: s.uploadedBytes, rebufferCount: s.rebufferCount, sessions: s.sessions };
    };
    console.log(`fleet: ${SESSIONS} sessions × ${BEACONS_PER_SESSION} beacons, ${retried} sends retried after the kill; acknowledged by collector A ${acknowledged[0]}, B ${acknowledged[1]}`);
    for (const url of urls) {
      expect(await read(url)).toEqual(expected());
      for (const stream of STREAMS) expect(await read(url, `?stream=${stream}`)).toEqual(expected(stream));
      const response = await fetch(`${url}/v1/streams`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } });
      const { streams } = (await response.json()) as { streams: Array<Record<string, number> & { streamId: string }> };
      expect(streams.map((s) => ({ streamId: s.streamId, httpBytes: s.httpBytes, p2pBytes: s.p2pBytes, uploadedBytes: s.uploadedBytes, rebufferCount: s.rebufferCount, sessions: s.sessions })))
        .toEqual(STREAMS.map((streamId) => ({ streamId, ...expected(streamId) })));
    }
  }, 180_000);
});
