import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../e2e/harness';
import type { BenchReport } from './report';

const RUN_FIELDS = [
  'originBytes', 'distinctBytes', 'downloadedBytes', 'offload', 'rebufferRatio', 'rebufferCount',
  'startupMsMedian', 'startupMsP95', 'integrityFailures', 'p2pStalls', 'cpuS', 'peakMemMB', 'bitrateKbpsMean',
] as const;

// A short real benchmark: the JSON must be complete and consistent. Not a speed threshold.
test('npm run bench: a short vod run with 3 viewers gives a complete, consistent report', () => {
  const json = path.join(ROOT, 'test-results/bench-vod-3-viewers.json');
  const result = spawnSync(process.execPath, [path.join(ROOT, 'build/bench.js'), '--scenario', 'vod', '--viewers', '3', '--duration', '24', '--json', json], {
    encoding: 'utf8',
    timeout: 170_000,
  });
  expect(result.stderr).not.toMatch(/fatal errors/);
  expect(result.status).toBe(0);
  const report = JSON.parse(readFileSync(json, 'utf8')) as BenchReport;

  expect(Object.keys(report).sort()).toEqual(['adversary', 'ceiling', 'copiesPerSegment', 'duplication', 'duplicationFloor', 'durationS', 'http', 'media', 'network', 'networkPlan', 'p2p', 'policy', 'savings', 'scenario', 'targetLatency', 'viewers', 'waitForPeersMs']);
  expect(report).toMatchObject({ scenario: 'vod', viewers: 3, durationS: 24, adversary: null, policy: 'guarded', targetLatency: null, waitForPeersMs: 0, media: 'vod', network: 'loopback', networkPlan: null });
  for (const run of [report.p2p, report.http]) {
    expect(Object.keys(run).sort()).toEqual([...RUN_FIELDS, 'firstSegmentBytes', 'liveLatencyMedianS', 'peerConnections'].sort());
    // Every viewer received a first media segment (MPEG-TS here) over HTTP, and the origin sent at least those.
    expect(run.firstSegmentBytes).toHaveLength(3);
    for (const bytes of run.firstSegmentBytes) expect(bytes).toBeGreaterThan(1000);
    expect(run.originBytes).toBeGreaterThanOrEqual(run.firstSegmentBytes.reduce((a, b) => a + b, 0));
    // VOD has no live edge.
    expect(run.liveLatencyMedianS).toBeNull();
    for (const field of RUN_FIELDS) expect(Number.isFinite(run[field])).toBe(true);
    expect(run.downloadedBytes).toBeGreaterThan(0);
    expect(run.originBytes).toBeGreaterThanOrEqual(run.distinctBytes);
    expect(run.cpuS).toBeGreaterThan(0);
    expect(run.peakMemMB).toBeGreaterThan(0);
    // The 360p rendition (96 kbit/s in its playlist) played.
    expect(run.bitrateKbpsMean).toBeGreaterThan(0);
  }
  // Three viewers of one swarm connect to each other; the HTTP-only run makes no peer connection.
  expect(report.p2p.peerConnections.connected).toBeGreaterThanOrEqual(2);
  expect(report.p2p.peerConnections.attempted).toBeGreaterThanOrEqual(report.p2p.peerConnections.connected);
  expect(report.p2p.peerConnections.relayed).toBe(0);
  expect(report.http.peerConnections).toEqual({ attempted: 0, connected: 0, relayed: 0 });
  for (const field of ['savings', 'ceiling', 'duplication', 'duplicationFloor', 'copiesPerSegment'] as const) expect(Number.isFinite(report[field])).toBe(true);
  // The floor counts two joiners' first segments beyond one copy.
  expect(report.duplicationFloor).toBeGreaterThan(1);
  // The origin sends each segment the P2P run needed at least once. (DESIGN's `ceiling` assumes both
  // runs need the same segments; the guard's P2P players prefetch less than hls.js alone, so in a
  // short run savings can pass it.)
  expect(report.p2p.originBytes).toBeGreaterThanOrEqual(report.p2p.distinctBytes);
  expect(report.savings).toBeLessThanOrEqual(1 - report.p2p.distinctBytes / report.http.originBytes + 0.0001);
  expect(report.http.offload).toBe(0);
  // The HTTP-only run's players downloaded what the origin sent them.
  expect(Math.abs(report.http.originBytes - report.http.downloadedBytes) / report.http.downloadedBytes).toBeLessThan(0.01);

  expect(result.stdout).toMatch(/^\| P2P \|/m);
  expect(result.stdout).toMatch(/^\| HTTP only \|/m);
  expect(result.stdout).toMatch(/CDN savings .* ceiling .* duplication .* \(floor .*\); copies per segment/);
  expect(result.stdout).toMatch(/Offload from the origin's count .* agree within 2 points|DISAGREE/);
});
