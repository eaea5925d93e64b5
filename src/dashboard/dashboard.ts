// The operator dashboard (served at /dashboard): headline offload and CDN bytes saved, charts over
// time, a per-stream table, for the window and the stream it says it reads. Reads the collector's token-protected API of the same server; loads
// nothing from any other host.
import uPlot from 'uplot';
import type { SeriesPoint, Summary } from './read-api-types';

const TOKEN_KEY = 'meshcast-dashboard-token';
const REFRESH_MS = 5_000;
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const format = {
  percent: (ratio: number, digits = 1) => `${(ratio * 100).toFixed(digits)} %`,
  bytes: (bytes: number) => {
    const units = ['B', 'KB', 'MB', 'GB', 'TB'];
    let value = bytes;
    let unit = 0;
    while (value >= 1000 && unit < units.length - 1) {
      value /= 1000;
      unit += 1;
    }
    return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
  },
  ms: (ms: number | null) => (ms === null ? '–' : `${Math.round(ms)} ms`),
};

class Unauthorized extends Error {}

async function api<T>(path: string, token: string): Promise<T> {
  const response = await fetch(path, { headers: { authorization: `Bearer ${token}` } });
  if (response.status === 401) throw new Unauthorized();
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

/** The window the charts span (seconds since epoch), whatever data falls in it. */
const shown = { from: 0, to: 1 };

/** One chart per figure; uPlot takes columns: x (seconds) then each series. */
function chart(container: HTMLElement, title: string, series: uPlot.Series[], yFormat: (v: number) => string, minYMax = 1): uPlot {
  return new uPlot(
    {
      title,
      width: container.clientWidth || 560,
      height: 220,
      series: [{}, ...series],
      axes: [{}, { values: (_u, values) => values.map(yFormat), size: 70 }],
      // From zero, and never a flat range around a constant value (0 % rebuffering stays readable).
      scales: { x: { time: true, range: () => [shown.from, shown.to] }, y: { range: (_u, _min, max) => [0, Math.max(max ?? 0, minYMax) * 1.05] } },
    },
    [[], ...series.map(() => [])],
    container,
  );
}

/** The windows the dashboard offers, by the name the URL carries. */
const WINDOWS: Record<string, { ms: number; label: string }> = {
  '15m': { ms: 15 * 60_000, label: 'last 15 minutes' },
  '1h': { ms: 60 * 60_000, label: 'last hour' },
  '6h': { ms: 6 * 60 * 60_000, label: 'last 6 hours' },
  '24h': { ms: 24 * 60 * 60_000, label: 'last 24 hours' },
  '7d': { ms: 7 * 24 * 60 * 60_000, label: 'last 7 days' },
};

/** What the dashboard reads: a window ending now and one stream or all, kept in the page's URL. */
interface Scope {
  window: string;
  stream: string;
}

function scopeFromUrl(): Scope {
  const params = new URLSearchParams(location.search);
  const window = params.get('window') ?? '1h';
  return { window: window in WINDOWS ? window : '1h', stream: params.get('stream') ?? '' };
}

function saveScope(scope: Scope): void {
  const params = new URLSearchParams(location.search);
  params.set('window', scope.window);
  if (scope.stream) params.set('stream', scope.stream);
  else params.delete('stream');
  history.replaceState(null, '', `${location.pathname}?${params}`);
}

const time = (ms: number) => new Date(ms).toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });

function start(token: string): void {
  $('token-form').hidden = true;
  $('board').hidden = false;
  const scope = scopeFromUrl();
  const windowSelect = $<HTMLSelectElement>('window');
  const streamSelect = $<HTMLSelectElement>('stream');
  windowSelect.value = scope.window;
  const charts = {
    offload: chart($('chart-offload'), 'P2P offload', [{ label: 'offload', stroke: '#16a34a', width: 2 }], (v) => format.percent(v, 0), 1),
    throughput: chart($('chart-throughput'), 'Throughput', [
      { label: 'HTTP (CDN)', stroke: '#dc2626', width: 2 },
      { label: 'P2P', stroke: '#16a34a', width: 2 },
    ], (v) => `${(v / 1e6).toFixed(1)} Mb/s`, 1e5),
    viewers: chart($('chart-viewers'), 'Concurrent viewers', [{ label: 'viewers', stroke: '#2563eb', width: 2 }], (v) => v.toFixed(0), 2),
    rebuffer: chart($('chart-rebuffer'), 'Rebuffering ratio', [{ label: 'rebuffering', stroke: '#ea580c', width: 2 }], (v) => format.percent(v, 1), 0.02),
    startup: chart($('chart-startup'), 'Video start time (median)', [{ label: 'start time', stroke: '#7c3aed', width: 2, spanGaps: true }], (v) => `${v.toFixed(0)} ms`, 500),
  };

  const refresh = async (): Promise<void> => {
    try {
      const to = Date.now();
      const from = to - WINDOWS[scope.window].ms;
      const windowQuery = `from=${from}&to=${to}`;
      const query = `${windowQuery}${scope.stream ? `&stream=${encodeURIComponent(scope.stream)}` : ''}`;
      const [summary, { points }, { streams }] = await Promise.all([
        api<Summary>(`/v1/summary?${query}`, token),
        api<{ points: SeriesPoint[] }>(`/v1/series?${query}`, token),
        api<{ streams: Summary[] }>(`/v1/streams?${windowQuery}`, token),
      ]);
      $('scope').textContent = `${scope.stream ? `stream ${scope.stream}` : 'all streams'}, ${WINDOWS[scope.window].label} (${time(from)} to ${time(to)})`;
      const known = new Set([...streamSelect.options].map((option) => option.value));
      for (const s of streams) {
        if (s.streamId && !known.has(s.streamId)) streamSelect.append(new Option(s.streamId, s.streamId));
      }
      if (scope.stream && !known.has(scope.stream) && !streams.some((s) => s.streamId === scope.stream)) streamSelect.append(new Option(scope.stream, scope.stream));
      streamSelect.value = scope.stream;
      $('offload').textContent = format.percent(summary.offloadRatio);
      $('saved').textContent = format.bytes(summary.cdnBytesSaved);
      $('http').textContent = format.bytes(summary.httpBytes);
      $('uploaded').textContent = format.bytes(summary.uploadedBytes);
      $('viewers').textContent = String(summary.concurrentViewers);
      $('startup').textContent = `${format.ms(summary.startupMsMedian)} / ${format.ms(summary.startupMsP95)}`;
      $('rebuffer').textContent = format.percent(summary.rebufferingRatio, 2);
      $('integrity').textContent = String(summary.integrityFailures);

      shown.from = from / 1000;
      shown.to = to / 1000;
      const x = points.map((p) => p.minute / 1000);
      charts.offload.setData([x, points.map((p) => p.offloadRatio)]);
      charts.throughput.setData([x, points.map((p) => p.httpBps), points.map((p) => p.p2pBps)]);
      charts.viewers.setData([x, points.map((p) => p.viewers)]);
      charts.rebuffer.setData([x, points.map((p) => p.rebufferingRatio)]);
      charts.startup.setData([x, points.map((p) => p.startupMsMedian)]);

      $('streams').replaceChildren(...streams.map((s) => {
        const row = document.createElement('tr');
        row.classList.toggle('selected', s.streamId === scope.stream);
        row.title = 'Show this stream';
        row.addEventListener('click', () => select({ stream: s.streamId === scope.stream ? '' : s.streamId ?? '' }));
        for (const text of [s.streamId ?? '', format.percent(s.offloadRatio), format.bytes(s.cdnBytesSaved), format.bytes(s.httpBytes), format.bytes(s.uploadedBytes), String(s.concurrentViewers), format.ms(s.startupMsMedian), format.percent(s.rebufferingRatio, 2), String(s.integrityFailures)]) {
          const cell = document.createElement('td');
          cell.textContent = text;
          row.append(cell);
        }
        return row;
      }));
      $('updated').textContent = `updated ${new Date().toLocaleTimeString()}`;
      $('error').textContent = '';
    } catch (error) {
      if (error instanceof Unauthorized) {
        sessionStorage.removeItem(TOKEN_KEY);
        location.reload();
        return;
      }
      $('error').textContent = (error as Error).message;
    }
  };
  const select = (change: Partial<Scope>): void => {
    Object.assign(scope, change);
    saveScope(scope);
    void refresh();
  };
  windowSelect.addEventListener('change', () => select({ window: windowSelect.value }));
  streamSelect.addEventListener('change', () => select({ stream: streamSelect.value }));
  void refresh();
  setInterval(() => void refresh(), REFRESH_MS);
}

function main(): void {
  const saved = sessionStorage.getItem(TOKEN_KEY);
  if (saved) {
    start(saved);
    return;
  }
  $('token-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const token = ($('token') as HTMLInputElement).value.trim();
    try {
      await api('/v1/summary', token);
      sessionStorage.setItem(TOKEN_KEY, token);
      start(token);
    } catch (error) {
      $('token-error').textContent = error instanceof Unauthorized ? 'That token is not valid.' : (error as Error).message;
    }
  });
}

main();
