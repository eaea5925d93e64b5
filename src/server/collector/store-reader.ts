import type Database from 'better-sqlite3';

/** One minute of one stream: sums of what its sessions reported during that minute. */
export interface MinuteRow {
  streamId: string;
  minute: number;
  httpBytes: number;
  p2pBytes: number;
  uploadedBytes: number;
  rebufferMs: number;
  playingMs: number;
  rebufferCount: number;
  integrityFailures: number;
  p2pStalls: number;
  viewers: number;
  peers: number;
}

export interface SessionRow {
  sessionId: string;
  streamId: string;
  startupMs: number | null;
  firstSeen: number;
  lastSeen: number;
}

const MINUTE_SUMS = `
  SUM(m.http_bytes), SUM(m.p2p_bytes), SUM(m.uploaded_bytes), SUM(m.rebuffer_ms), SUM(m.playing_ms), SUM(m.rebuffer_count),
  SUM(m.integrity_failures), SUM(m.p2p_stalls), SUM(m.viewers), SUM(m.peers)`;
const MINUTE_COLUMNS = `
  m.http_bytes, m.p2p_bytes, m.uploaded_bytes, m.rebuffer_ms, m.playing_ms, m.rebuffer_count,
  m.integrity_failures, m.p2p_stalls, m.viewers, m.peers`;

// Rows are read as arrays and made into objects here: better-sqlite3 builds row objects several times
// slower, and a day of minutes or ten thousand sessions is most of a dashboard read's time.
type Raw = Array<number | string | null>;
const minuteRow = (r: Raw): MinuteRow => ({
  streamId: r[0] as string, minute: r[1] as number, httpBytes: r[2] as number, p2pBytes: r[3] as number, uploadedBytes: r[4] as number,
  rebufferMs: r[5] as number, playingMs: r[6] as number, rebufferCount: r[7] as number, integrityFailures: r[8] as number,
  p2pStalls: r[9] as number, viewers: r[10] as number, peers: r[11] as number,
});
const sessionRow = (r: Raw): SessionRow => ({
  sessionId: r[0] as string, streamId: r[1] as string, startupMs: r[2] as number | null, firstSeen: r[3] as number, lastSeen: r[4] as number,
});

/** The collector's read queries on a SQLite store: the writer's own connection, or a read-only one on another thread. */
export class StoreReader {
  private readonly activeStatement: Database.Statement;
  private readonly streamsStatement: Database.Statement;
  private readonly byStreamStatement: Database.Statement;

  constructor(private readonly db: Database.Database) {
    this.activeStatement = db.prepare('SELECT stream_id AS streamId, COUNT(*) AS viewers FROM sessions WHERE last_seen >= ? GROUP BY stream_id');
    this.streamsStatement = db.prepare('SELECT DISTINCT stream_id AS s FROM minutes WHERE minute >= ? AND minute < ? ORDER BY s');
    // One row per stream and minute already: no grouping.
    this.byStreamStatement = db.prepare(`
      SELECT m.stream_id, m.minute, ${MINUTE_COLUMNS}
      FROM minutes m WHERE m.minute >= ? AND m.minute < ? ORDER BY m.stream_id, m.minute`).raw();
  }

  /** Per-minute rows in [from, to), for one stream or all (summed per minute). */
  minutes(from: number, to: number, streamId?: string): MinuteRow[] {
    const rows = this.db.prepare(`
      SELECT ${streamId === undefined ? "'*'" : 'm.stream_id'}, m.minute, ${streamId === undefined ? MINUTE_SUMS : MINUTE_COLUMNS}
      FROM minutes m
      WHERE m.minute >= @from AND m.minute < @to ${streamId === undefined ? 'GROUP BY m.minute' : 'AND m.stream_id = @streamId'}
      ORDER BY m.minute
    `).raw().all({ from, to, streamId }) as Raw[];
    return rows.map(minuteRow);
  }

  /** Per-minute rows in [from, to) of every stream, ordered by stream, then minute. */
  minutesByStream(from: number, to: number): MinuteRow[] {
    return (this.byStreamStatement.all(from, to) as Raw[]).map(minuteRow);
  }

  /** Sessions seen in [from, to), for start-up times and current viewers. */
  sessions(from: number, to: number, streamId?: string): SessionRow[] {
    const rows = this.db.prepare(`
      SELECT session_id, stream_id, startup_ms, first_seen, last_seen
      FROM sessions WHERE last_seen >= @from AND first_seen < @to ${streamId === undefined ? '' : 'AND stream_id = @streamId'}
    `).raw().all({ from, to, streamId }) as Raw[];
    return rows.map(sessionRow);
  }

  /** Sessions per stream that sent a beacon since `since`. */
  activeViewers(since: number): Array<{ streamId: string; viewers: number }> {
    return this.activeStatement.all(since) as Array<{ streamId: string; viewers: number }>;
  }

  /** Streams with data in [from, to). */
  streamIds(from: number, to: number): string[] {
    return (this.streamsStatement.all(from, to) as Array<{ s: string }>).map((r) => r.s);
  }
}
