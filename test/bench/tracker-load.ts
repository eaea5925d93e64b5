import { readFileSync, writeFileSync } from 'node:fs';
import WebSocket from 'ws';
import { percentile } from '../../src/browser/utils/percentile';
import { startMeshcastServer } from '../e2e/harness';

// `npm run bench:tracker`: PEERS simulated WebSocket peers (default 10 000, in swarms of SWARM_SIZE) hold
// connections to `meshcast serve`'s tracker (another process) and announce as p2p-media-loader does: a
// `started` announce with numwant 5 and 5 WebRTC offers, then one every INTERVAL_S (the tracker's
// interval) for MEASURE_S. Reports the tracker process's memory per connected peer and the latency of the
// tracker's answer to each announce (send to reply, on loopback, measured in the load generator, which
// shares the machine's cores with the tracker). `--json FILE` writes the report.

const PEERS = Number(process.env.PEERS ?? 10_000);
const SWARM_SIZE = Number(process.env.SWARM_SIZE ?? 100);
const INTERVAL_S = Number(process.env.INTERVAL_S ?? 120);
const MEASURE_S = Number(process.env.MEASURE_S ?? 60);
const CONNECT_BATCH = 250;
/** The size of one of p2p-media-loader's offers (an SDP with a data channel and a few ICE candidates). */
const OFFER_SDP = `v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n${'a=candidate:1 1 udp 2122260223 192.0.2.1 54321 typ host\r\n'.repeat(8)}`.padEnd(900, 'x');

interface Peer { ws: WebSocket; peerId: string; infoHash: string; pending: number[] }

const rssKiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
const id20 = (prefix: string, n: number) => `${prefix}${String(n).padStart(20 - prefix.length, '0')}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function announce(peer: Peer, event?: string): void {
  const offers = Array.from({ length: 5 }, (_, i) => ({ offer: { type: 'offer', sdp: OFFER_SDP }, offer_id: id20(`o${i}`, Math.floor(Math.random() * 1e9)) }));
  peer.pending.push(performance.now());
  peer.ws.send(JSON.stringify({
    action: 'announce', info_hash: peer.infoHash, peer_id: peer.peerId, numwant: 5, uploaded: 0, downloaded: 0, left: 0,
    ...(event && { event }), offers,
  }));
}

async function main(): Promise<void> {
  const jsonAt = process.argv.indexOf('--json');
  const jsonFile = jsonAt > 0 ? process.argv[jsonAt + 1] : undefined;
  const server = await startMeshcastServer(['--announce-interval', String(INTERVAL_S)]);
  const pid = server.process.pid!;
  const peers: Peer[] = [];
  const latencies: number[] = [];
  let measuring = false;
  let errors = 0;
  let offersRelayed = 0;
  try {
    await sleep(1000);
    const baseKiB = rssKiB(pid);
    for (let start = 0; start < PEERS; start += CONNECT_BATCH) {
      await Promise.all(Array.from({ length: Math.min(CONNECT_BATCH, PEERS - start) }, (_, k) => new Promise<void>((resolve) => {
        const n = start + k;
        const peer: Peer = { ws: new WebSocket(server.trackerUrl), peerId: id20('-MC0001-', n), infoHash: id20('swarm', Math.floor(n / SWARM_SIZE)), pending: [] };
        peers.push(peer);
        peer.ws.on('message', (data) => {
          const message = JSON.parse(String(data)) as { action?: string; offer?: unknown; interval?: number };
          if (message.offer) offersRelayed += 1;
          else if (message.action === 'announce' && message.interval !== undefined) {
            const sent = peer.pending.shift();
            if (sent !== undefined && measuring) latencies.push(performance.now() - sent);
          }
        });
        peer.ws.on('error', () => { errors += 1; resolve(); });
        peer.ws.on('open', () => { announce(peer, 'started'); resolve(); });
      })));
    }
    await sleep(3000);
    const connected = peers.filter((p) => p.ws.readyState === WebSocket.OPEN).length;
    const heldKiB = rssKiB(pid);
    process.stderr.write(`tracker: ${connected} of ${PEERS} peers connected, RSS ${Math.round(baseKiB / 1024)} -> ${Math.round(heldKiB / 1024)} MiB\n`);

    // Steady state: every peer re-announces once per interval, spread evenly.
    measuring = true;
    const started = performance.now();
    const perSecond = connected / INTERVAL_S;
    let sent = 0;
    while (performance.now() - started < MEASURE_S * 1000) {
      const due = Math.floor(((performance.now() - started) / 1000) * perSecond);
      for (; sent < due; sent += 1) {
        const peer = peers[sent % peers.length];
        if (peer.ws.readyState === WebSocket.OPEN) announce(peer);
      }
      await sleep(20);
    }
    await sleep(2000);
    measuring = false;
    const report = {
      date: new Date().toISOString().slice(0, 10),
      peers: PEERS,
      connected,
      swarmSize: SWARM_SIZE,
      intervalS: INTERVAL_S,
      measureS: MEASURE_S,
      announcesPerS: Math.round(perSecond * 10) / 10,
      answered: latencies.length,
      errors,
      offersRelayed,
      trackerRssMiB: Math.round(heldKiB / 1024),
      kibPerPeer: Math.round(((heldKiB - baseKiB) / connected) * 10) / 10,
      answerP50Ms: Math.round(percentile(latencies, 50) * 10) / 10,
      answerP99Ms: Math.round(percentile(latencies, 99) * 10) / 10,
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    if (jsonFile) writeFileSync(jsonFile, `${JSON.stringify(report, null, 2)}\n`);
  } finally {
    for (const peer of peers) peer.ws.terminate();
    await server.stop();
  }
}

main().catch((error: Error) => {
  process.stderr.write(`bench:tracker: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
