import { series, summarize } from './aggregate';
import type { SeriesPoint, Summary } from '../../dashboard/read-api-types';
import type { Beacon } from '../../browser/stats/beacon-schema';
import type { BeaconCheck, IngestResult, MinuteRow, SessionRow } from './store';

/** A read request's window: ms since epoch, and one stream or all. */
export interface ReadWindow {
  from: number;
  to: number;
  streamId?: string;
}

/** The rows the read API is computed from; synchronous (SQLite) or not (PostgreSQL). */
export interface ReadSource {
  minutes(from: number, to: number, streamId?: string): MinuteRow[] | Promise<MinuteRow[]>;
  sessions(from: number, to: number, streamId?: string): SessionRow[] | Promise<SessionRow[]>;
  /** Per-minute rows in [from, to) of every stream, ordered by stream, then minute. */
  minutesByStream(from: number, to: number): MinuteRow[] | Promise<MinuteRow[]>;
}

/** What `/v1/summary`, `/v1/series` and `/v1/streams` answer. */
export interface ReadApi {
  summary(window: ReadWindow): Promise<Summary>;
  series(window: ReadWindow): Promise<{ from: number; to: number; streamId: string | null; points: SeriesPoint[] }>;
  streams(window: ReadWindow): Promise<{ streams: Summary[] }>;
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}

/** The read API over a source of rows. */
export function readApiOver(source: ReadSource): ReadApi {
  const rows = async (w: ReadWindow) => Promise.all([source.minutes(w.from, w.to, w.streamId), source.sessions(w.from, w.to, w.streamId)]);
  return {
    summary: async (w) => summarize(...(await rows(w)), w),
    series: async (w) => ({ from: w.from, to: w.to, streamId: w.streamId ?? null, points: series(...(await rows(w))) }),
    // One pass over all streams' rows, not two queries per stream.
    streams: async (w) => {
      const [minutes, sessions] = await Promise.all([source.minutesByStream(w.from, w.to), source.sessions(w.from, w.to)]);
      const minutesOf = groupBy(minutes, (row) => row.streamId);
      const sessionsOf = groupBy(sessions, (session) => session.streamId);
      const ids = [...minutesOf.keys()].sort();
      return { streams: ids.map((streamId) => summarize(minutesOf.get(streamId)!, sessionsOf.get(streamId) ?? [], { ...w, streamId })) };
    },
  };
}

/**
 * What the collector needs from a store: the embedded SQLite file or a PostgreSQL database shared by a
 * fleet of collectors. Every beacon is one transaction (or part of one batch that commits before any of
 * it is answered), and a session's state lives only in the store, so any beacon of a session may reach
 * any collector sharing it.
 */
export interface CollectorStore extends ReadApi {
  /** Stores a beacon, unless it repeats an older one or `check` finds it implausible. */
  ingest(beacon: Beacon, receivedAt: number, check?: BeaconCheck): Promise<IngestResult>;
  /** Sessions of one stream that sent a beacon since `since` (ms); may be up to a second old. */
  audience(streamId: string, since: number): Promise<number>;
  /** Sessions per stream that sent a beacon since `since`. */
  activeViewers(since: number): Promise<Array<{ streamId: string; viewers: number }>>;
  /** Deletes what is older than `beforeMs`. */
  prune(beforeMs: number): Promise<{ minutes: number; sessions: number }>;
  close(): Promise<void>;
}
