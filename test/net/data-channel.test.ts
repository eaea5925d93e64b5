import type { Browser } from 'playwright-core';
import { bulkRateMbit, openDataChannel } from './data-channel-probe';
import { planNetwork } from './profiles';
import { NetworkTestbed } from './testbed';

/**
 * A WebRTC data channel between two `home` homes (round trip 2 x (5 + 6.7) ms, 10 Mbit/s up) carries
 * most of the sender's uplink. This is the path every P2P segment takes on the testbed: if the testbed
 * distorted it (reordering, which SCTP takes for loss), offload measured on it would be the testbed's.
 */
describe('network testbed: a data channel between two homes', () => {
  const plan = planNetwork('home', { viewers: 2, topBitrateKbps: 0 });
  let bed: NetworkTestbed;
  const browsers: Browser[] = [];

  beforeAll(async () => {
    bed = await NetworkTestbed.create(plan);
  });
  afterAll(async () => {
    await bed?.destroy();
  });

  test('carries more than half the sender\'s uplink', async () => {
    for (const i of [0, 1]) browsers.push((await bed.launchBrowser(i, 'http://localhost')).browser);
    const [sender, receiver] = await Promise.all(browsers.map(async (b) => (await b.newContext()).newPage()));
    await openDataChannel(sender, receiver, bed.iceServers());
    const mbit = await bulkRateMbit(sender, receiver, 8 * 1024 * 1024);
    const rttMs = 2 * (plan.homes[0].oneWayMs + plan.homes[1].oneWayMs);
    console.log(`data channel, home 1 -> home 2 (round trip ${rttMs} ms, uplink ${plan.homes[0].upMbit} Mbit/s): ${mbit.toFixed(1)} Mbit/s`);
    expect(mbit).toBeGreaterThan(plan.homes[0].upMbit * 0.5);
    expect(mbit).toBeLessThanOrEqual(plan.homes[0].upMbit * 1.05);
  });
});
