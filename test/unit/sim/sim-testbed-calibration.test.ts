import { readFileSync } from 'node:fs';
import { planNetwork } from '../../net/profiles';
import { calibrateTestbed, TESTBED_CASES, testbedCalibrationTable, testbedNetwork } from '../../sim/sim-testbed-calibration';
import { simulate } from '../../sim/simulation';

describe('the simulator on the network testbed\'s profiles', () => {
  test('a home plan becomes the links the testbed shapes: 50 Mbit/s down, 10 up, 20 to 40 ms between homes', () => {
    const network = testbedNetwork(planNetwork('home', { viewers: 4, topBitrateKbps: 4870 }));
    expect(network.downlinkBytesPerS).toBe(6_250_000);
    expect(network.uplinkBytesPerS).toBe(1_250_000);
    expect(network.p2pBytesPerS).toBeLessThanOrEqual(network.uplinkBytesPerS);
    expect(network.p2pRttS).toBeGreaterThanOrEqual(0.02);
    expect(network.p2pRttS).toBeLessThanOrEqual(0.04);
    expect(network.originBytesPerS).toBeUndefined();
  });

  test('congested-cdn caps the origin at 60 % of what the audience needs at the top rendition', () => {
    const network = testbedNetwork(planNetwork('congested-cdn', { viewers: 4, topBitrateKbps: 5000 }));
    expect(network.originBytesPerS).toBe((12 * 1e6) / 8);
  });

  test('a capped origin sends no more than its cap, and HTTP-only viewers then rebuffer', () => {
    const base = { viewers: 4, scenario: 'vod' as const, durationS: 60, joinSpreadS: 10, segmentS: 4, bitrate: 4_000_000 };
    const capBytesPerS = (0.6 * 4 * 4_000_000) / 8;
    // Without peers to turn to (uploads of 1 byte/s), every segment comes from the origin.
    const noPeers = { p2pBytesPerS: 1, uplinkBytesPerS: 1 };
    const capped = simulate({ ...base, network: { ...noPeers, originBytesPerS: capBytesPerS } as never });
    const uncapped = simulate({ ...base, network: noPeers as never });
    expect(capped.originBytes).toBeLessThanOrEqual(capBytesPerS * capped.simulatedS);
    expect(capped.rebufferRatio).toBeGreaterThan(0);
    expect(uncapped.rebufferRatio).toBe(0);
  });

  test('docs/simulator.md shows the testbed calibration the simulator gives now', () => {
    const page = readFileSync('docs/simulator.md', 'utf8');
    expect(page).toContain(testbedCalibrationTable(TESTBED_CASES.map(calibrateTestbed)));
  });
});
