import { percentile } from '../../browser/utils/percentile';
import type { SeriesPoint, Summary } from '../../dashboard/read-api-types';
import type { MinuteRow, SessionRow } from './store';

export type { SeriesPoint, Summary };

const ratio = (part: number, whole: number) => (whole > 0 ? part / whole : 0);
const sum = (rows: MinuteRow[], key: keyof MinuteRow) => rows.reduce((total, row) => total + Number(row[key]), 0);
const finiteOrNull = (value: number) => (Number.isFinite(value) ? value : null);

export function summarize(minutes: MinuteRow[], sessions: SessionRow[], window: { from: number; to: number; streamId?: string }): Summary {
  const httpBytes = sum(minutes, 'httpBytes');
  const p2pBytes = sum(minutes, 'p2pBytes');
  const rebufferMs = sum(minutes, 'rebufferMs');
  const last = minutes[minutes.length - 1];
  const startups = sessions.flatMap((s) => (s.startupMs === null ? [] : [s.startupMs]));
  return {
    from: window.from,
    to: window.to,
    streamId: window.streamId ?? null,
    offloadRatio: ratio(p2pBytes, httpBytes + p2pBytes),
    httpBytes,
    p2pBytes,
    uploadedBytes: sum(minutes, 'uploadedBytes'),
    cdnBytesSaved: p2pBytes,
    concurrentViewers: last?.viewers ?? 0,
    peersPerViewer: last ? ratio(last.peers, last.viewers) : 0,
    sessions: sessions.length,
    startupMsMedian: finiteOrNull(percentile(startups, 50)),
    startupMsP95: finiteOrNull(percentile(startups, 95)),
    rebufferingRatio: ratio(rebufferMs, rebufferMs + sum(minutes, 'playingMs')),
    rebufferCount: sum(minutes, 'rebufferCount'),
    integrityFailures: sum(minutes, 'integrityFailures'),
    p2pStalls: sum(minutes, 'p2pStalls'),
  };
}

export function series(minutes: MinuteRow[], sessions: SessionRow[]): SeriesPoint[] {
  // Start-up times by the minute their session started in, gathered once.
  const startupsByMinute = new Map<number, number[]>();
  for (const s of sessions) {
    if (s.startupMs === null) continue;
    const minute = Math.floor(s.firstSeen / 60_000) * 60_000;
    const list = startupsByMinute.get(minute);
    if (list) list.push(s.startupMs);
    else startupsByMinute.set(minute, [s.startupMs]);
  }
  return minutes.map((row) => {
    const started = startupsByMinute.get(row.minute) ?? [];
    return {
      minute: row.minute,
      offloadRatio: ratio(row.p2pBytes, row.httpBytes + row.p2pBytes),
      httpBps: (row.httpBytes * 8) / 60,
      p2pBps: (row.p2pBytes * 8) / 60,
      viewers: row.viewers,
      rebufferingRatio: ratio(row.rebufferMs, row.rebufferMs + row.playingMs),
      startupMsMedian: finiteOrNull(percentile(started, 50)),
    };
  });
}
