import { readFileSync } from 'node:fs';
import { committedNetworkResults, committedResults, networkTable, resultsTable } from '../bench/results-table';
import { calibrationTable } from '../sim/sim-calibration';
import { scaleTable } from '../sim/sim-scale';
import { committedDownlinkResults, downlinkTable } from '../sim/sim-downlink';
import { seedingTable } from '../sim/sim-seeding';

// The figures in docs/ are the committed results (bench-results/), not numbers typed by hand.
const doc = (name: string) => readFileSync(`docs/${name}`, 'utf8');

test('docs/benchmark.md shows every committed benchmark report, as written', () => {
  expect(doc('benchmark.md')).toContain(resultsTable(committedResults('bench-results')));
});

test('docs/network-testbed.md shows every committed testbed report, as written', () => {
  const results = committedNetworkResults('bench-results');
  expect(results.length).toBeGreaterThan(0);
  expect(doc('network-testbed.md')).toContain(networkTable(results));
});

test("docs/simulator.md shows the simulator's committed scale and calibration results", () => {
  const page = doc('simulator.md');
  for (const scenario of ['live', 'vod']) {
    expect(page).toContain(scaleTable(JSON.parse(readFileSync(`bench-results/sim/scale-${scenario}.json`, 'utf8'))));
  }
  expect(page).toContain(calibrationTable(JSON.parse(readFileSync('bench-results/sim/calibration.json', 'utf8'))));
  expect(page).toContain(seedingTable(JSON.parse(readFileSync('bench-results/sim/seeding-candidate.json', 'utf8'))));
  expect(committedDownlinkResults()).toHaveLength(12);
  expect(page).toContain(downlinkTable(committedDownlinkResults()));
});

test('README links every page in docs/', () => {
  const readme = readFileSync('README.md', 'utf8');
  for (const page of ['delivery-policy', 'benchmark', 'simulator', 'deployment', 'threat-model', 'network-testbed']) {
    expect(readme).toContain(`(docs/${page}.md)`);
  }
});
