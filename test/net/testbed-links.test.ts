import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ROOT } from '../repo-root';
import { run, testbedNamespaces } from './net-commands';
import { planNetwork } from './profiles';
import { NetworkTestbed } from './testbed';
import { CDN_ADDRESS, homeWanAddress } from './topology';

const PROBE = path.join(ROOT, 'test/net/link-probe.mjs');

interface LinkProbe { connectMs: number; downMbit: number; upMbit: number; seenFrom: string[] }

/** Starts a probe sink in `ns` on `address` and probes it from `fromNs`. */
async function probeLink(bed: NetworkTestbed, fromNs: string, ns: string, address: string, bytes: number): Promise<LinkProbe> {
  const sink = bed.spawnIn(ns, process.execPath, [PROBE, 'sink', address, '9000']);
  let output = '';
  await new Promise<void>((resolve, reject) => {
    sink.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('listening')) resolve();
    });
    sink.once('exit', (code) => reject(new Error(`probe sink exited with ${code}`)));
  });
  const result = spawnSync('ip', ['netns', 'exec', fromNs, process.execPath, PROBE, 'probe', address, '9000', String(bytes)], { encoding: 'utf8' });
  await new Promise((resolve) => setTimeout(resolve, 100));
  sink.kill('SIGKILL');
  if (result.status !== 0) throw new Error(`probe from ${fromNs} to ${address} failed: ${result.stderr}`);
  const seenFrom = [...new Set([...output.matchAll(/^from (\S+)$/gm)].map((m) => m[1]))];
  return { ...(JSON.parse(result.stdout) as Omit<LinkProbe, 'seenFrom'>), seenFrom };
}

describe('network testbed: links are what the profile says', () => {
  // Two homes of the `home` profile with the origin capped, so that every shaped link is measured.
  const plan = { ...planNetwork('home', { viewers: 2, topBitrateKbps: 0 }), cdn: { egressMbit: 30, oneWayMs: 2 } };
  let bed: NetworkTestbed;

  beforeAll(async () => {
    bed = await NetworkTestbed.create(plan);
  });
  afterAll(async () => {
    await bed?.destroy();
  });

  test('a viewer reaches the origin through its router at its own down and up rates, with the round trip of both one-way delays', async () => {
    const [home] = plan.homes;
    const probe = await probeLink(bed, bed.names.viewers[0], bed.names.cdn, CDN_ADDRESS, 4_000_000);
    const rttMs = 2 * (home.oneWayMs + plan.cdn.oneWayMs);
    console.log(`viewer 1 -> origin: ${JSON.stringify(probe)} (profile: ${home.downMbit}/${home.upMbit} Mbit/s, round trip ${rttMs} ms)`);
    expect(probe.connectMs).toBeGreaterThanOrEqual(rttMs);
    expect(probe.connectMs).toBeLessThan(rttMs + 2 * home.jitterMs + 10);
    // Down is capped by the origin's 30 Mbit/s egress before the home's 50.
    expect(probe.downMbit).toBeLessThanOrEqual(30 * 1.05);
    expect(probe.downMbit).toBeGreaterThan(30 * 0.6);
    expect(probe.upMbit).toBeLessThanOrEqual(home.upMbit * 1.05);
    expect(probe.upMbit).toBeGreaterThan(home.upMbit * 0.6);
  });

  test('two homes are the sum of their one-way delays apart, and a viewer is only reachable through its router', async () => {
    const [first, second] = plan.homes;
    // The sink listens on the second home's router (its port opened, as a home router's own service
    // would be): from the first viewer, through both routers' links.
    run('ip', ['netns', 'exec', bed.names.routers[1], 'nft', 'insert', 'rule', 'ip', 'home', 'input', 'tcp', 'dport', '9000', 'accept']);
    const probe = await probeLink(bed, bed.names.viewers[0], bed.names.routers[1], homeWanAddress(2), 1_000_000);
    const rttMs = 2 * (first.oneWayMs + second.oneWayMs);
    console.log(`viewer 1 -> router 2: ${JSON.stringify(probe)} (round trip ${rttMs} ms)`);
    expect(probe.connectMs).toBeGreaterThanOrEqual(rttMs);
    expect(probe.connectMs).toBeLessThan(rttMs + 2 * (first.jitterMs + second.jitterMs) + 10);
    // Nothing from outside reaches a viewer's private address, nor its router's public one unasked.
    const unsolicited = spawnSync('ip', ['netns', 'exec', bed.names.viewers[1], process.execPath, PROBE, 'probe', '192.168.1.2', '9000', '1'], { encoding: 'utf8', timeout: 3_000 });
    expect(unsolicited.status).not.toBe(0);
  });

  test('a path delays a flow without reordering it', async () => {
    // Reordering is not what the profiles describe, and WebRTC's SCTP takes it for loss: it halves its
    // window each time, and a data channel between homes ran at a tenth of what the path carries.
    run('ip', ['netns', 'exec', bed.names.routers[1], 'nft', 'insert', 'rule', 'ip', 'home', 'input', 'udp', 'dport', '9001', 'accept']);
    const sink = bed.spawnIn(bed.names.routers[1], process.execPath, [PROBE, 'udp-sink', homeWanAddress(2), '9001']);
    let output = '';
    const done = new Promise<void>((resolve, reject) => {
      sink.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      sink.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`udp sink exited with ${code}: ${output}`))));
    });
    while (!output.includes('listening')) await new Promise((resolve) => setTimeout(resolve, 50));
    const sent = spawnSync('ip', ['netns', 'exec', bed.names.viewers[0], process.execPath, PROBE, 'udp-send', homeWanAddress(2), '9001', '2000'], { encoding: 'utf8' });
    expect(sent.status).toBe(0);
    await done;
    const { received, outOfOrder } = JSON.parse(output.slice(output.indexOf('{'))) as { received: number; outOfOrder: number };
    console.log(`viewer 1 -> router 2, 2000 datagrams (4.8 Mbit/s, bursts of 10): ${received} received, ${outOfOrder} out of order`);
    // 4.8 Mbit/s fits the 10 Mbit/s uplink: nothing is dropped, and nothing overtakes.
    expect(received).toBe(2000);
    expect(outOfOrder).toBe(0);
  });

  test('the origin sees each viewer as its router\'s public address, never the private one', async () => {
    for (const home of [1, 2]) {
      const probe = await probeLink(bed, bed.names.viewers[home - 1], bed.names.cdn, CDN_ADDRESS, 1_000);
      expect(probe.seenFrom).toEqual([homeWanAddress(home)]);
    }
  });

  test('destroying the bed removes every namespace it made; a run whose process is gone is swept by the next', async () => {
    const names = [...bed.names.viewers, ...bed.names.routers, bed.names.core, bed.names.cdn];
    expect(testbedNamespaces().get(bed.names.runId)?.sort()).toEqual(names.sort());
    await bed.destroy();
    expect(testbedNamespaces().get(bed.names.runId)).toBeUndefined();

    // A namespace of a run whose pid is not alive (pid 1 is init: it lives; 4194305 exceeds pid_max).
    const stale = `mcn-${(4194305).toString(36)}0-core`;
    run('ip', ['netns', 'add', stale]);
    const next = await NetworkTestbed.create(planNetwork('home', { viewers: 1, topBitrateKbps: 0 }));
    try {
      expect([...testbedNamespaces().values()].flat()).not.toContain(stale);
    } finally {
      await next.destroy();
    }
  });
});
