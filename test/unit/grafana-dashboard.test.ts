import { readFileSync } from 'node:fs';
import { CollectorMetrics } from '../../src/server/collector/metrics';

// The Grafana dashboard in demo/ must only query metrics the collector exposes.
test('every PromQL expression of demo/grafana-dashboard.json uses metrics /metrics exports', async () => {
  const dashboard = JSON.parse(readFileSync('demo/grafana-dashboard.json', 'utf8')) as { panels: Array<{ targets: Array<{ expr: string }> }> };
  const exported = new Set((await new CollectorMetrics(async () => []).registry.getMetricsAsJSON()).map((m) => m.name));
  const used = dashboard.panels.flatMap((p) => p.targets.flatMap((t) => t.expr.match(/meshcast_[a-z0-9_]+/g) ?? []));
  expect(used.length).toBeGreaterThan(5);
  for (const name of used) expect(exported).toContain(name);
});
