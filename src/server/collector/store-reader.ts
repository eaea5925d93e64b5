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
  SUM(m.http_bytes) AS httpBytes, SUM(m.p2p_bytes) AS p2pBytes, SUM(m.uploaded_bytes) AS uploadedBytes, SUM(m.rebuffer_ms) AS rebufferMs,
  SUM(m.playing_ms) AS playingMs, SUM(m.rebuffer_count) AS rebufferCount,
  SUM(m.integrity_failures) AS integrityFailures, SUM(m.p2p_stalls) AS p2pStalls,
  SUM(m.viewers) AS viewers, SUM(m.peers) AS peers`;

/** The collector's read queries on a SQLite store: the writer's own connection, or a read-only one on another thread. */
export class StoreReader {
  private readonly activeStatement: Database.Statement;
  private readonly streamsStatement: Database.Statement;
  private readonly byStreamStatement: Database.Statement;

  constructor(private readonly db: Database.Database) {
    this.activeStatement = db.prepare('SELECT stream_id AS streamId, COUNT(*) AS viewers FROM sessions WHERE last_seen >= ? GROUP BY stream_id');
    this.streamsStatement = db.prepare('SELECT DISTINCT stream_id AS s FROM minutes WHERE minute >= ? AND minute < ? ORDER BY s');
    this.byStreamStatement = db.prepare(`
      SELECT m.stream_id AS streamId, m.minute AS minute, ${MINUTE_SUMS}
      FROM minutes m WHERE m.minute >= ? AND m.minute < ? GROUP BY m.stream_id, m.minute ORDER BY m.stream_id, m.minute`);
  }

  /** Per-minute rows in [from, to), for one stream or all (summed per minute). */
  minutes(from: number, to: number, streamId?: string): MinuteRow[] {
    return this.db.prepare(`
      SELECT ${streamId === undefined ? "'*'" : 'm.stream_id'} AS streamId, m.minute AS minute, ${MINUTE_SUMS}
      FROM minutes m
      WHERE m.minute >= @from AND m.minute < @to ${streamId === undefined ? '' : 'AND m.stream_id = @streamId'}
      GROUP BY m.minute ORDER BY m.minute
    `).all({ from, to, streamId }) as MinuteRow[];
  }

  /** Per-minute rows in [from, to) of every stream, ordered by stream, then minute. */
  minutesByStream(from: number, to: number): MinuteRow[] {
    return this.byStreamStatement.all(from, to) as MinuteRow[];
  }

  /** Sessions seen in [from, to), for start-up times and current viewers. */
  sessions(from: number, to: number, streamId?: string): SessionRow[] {
    return this.db.prepare(`
      SELECT session_id AS sessionId, stream_id AS streamId, startup_ms AS startupMs, first_seen AS firstSeen, last_seen AS lastSeen
      FROM sessions WHERE last_seen >= @from AND first_seen < @to ${streamId === undefined ? '' : 'AND stream_id = @streamId'}
    `).all({ from, to, streamId }) as SessionRow[];
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
