import pg from 'pg';
import { CUMULATIVE_FIELDS, type Beacon } from '../../browser/stats/beacon-schema';
import { readApiOver, type CollectorStore, type ReadApi, type ReadWindow } from './store-contract';
import type { BeaconCheck, BeaconDelta, IngestResult, MinuteRow, SessionRow } from './store';

const MINUTE_MS = 60_000;
/** PostgreSQL's codes for a transaction it gave up on and that may simply run again. */
const RETRYABLE = new Set(['40P01', '40001']);
const ATTEMPTS = 3;

// Counters are bytes and milliseconds: BIGINT and SUM(BIGINT) (NUMERIC) stay below 2^53 in practice,
// and the read API speaks JSON numbers.
const types = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 || oid === pg.types.builtins.NUMERIC ? Number : pg.types.getTypeParser(oid, format),
};

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS sessions (
    session_id TEXT PRIMARY KEY,
    stream_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    first_seen BIGINT NOT NULL,
    last_seen BIGINT NOT NULL,
    live BOOLEAN NOT NULL,
    startup_ms BIGINT,
    peers INTEGER NOT NULL,
    counters TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS minutes (
    stream_id TEXT NOT NULL,
    minute BIGINT NOT NULL,
    http_bytes BIGINT NOT NULL DEFAULT 0,
    p2p_bytes BIGINT NOT NULL DEFAULT 0,
    uploaded_bytes BIGINT NOT NULL DEFAULT 0,
    rebuffer_ms BIGINT NOT NULL DEFAULT 0,
    playing_ms BIGINT NOT NULL DEFAULT 0,
    rebuffer_count BIGINT NOT NULL DEFAULT 0,
    integrity_failures BIGINT NOT NULL DEFAULT 0,
    p2p_stalls BIGINT NOT NULL DEFAULT 0,
    viewers BIGINT NOT NULL DEFAULT 0,
    peers BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (stream_id, minute)
  );
  CREATE TABLE IF NOT EXISTS session_minutes (
    session_id TEXT NOT NULL,
    stream_id TEXT NOT NULL,
    minute BIGINT NOT NULL,
    peers INTEGER NOT NULL,
    PRIMARY KEY (session_id, minute)
  );
  CREATE TABLE IF NOT EXISTS stream_totals (
    stream_id TEXT PRIMARY KEY,
    p2p_bytes BIGINT NOT NULL DEFAULT 0,
    uploaded_bytes BIGINT NOT NULL DEFAULT 0
  );
  CREATE INDEX IF NOT EXISTS sessions_seen ON sessions (stream_id, last_seen);
  CREATE INDEX IF NOT EXISTS sessions_last_seen ON sessions (last_seen);
  CREATE INDEX IF NOT EXISTS session_minutes_minute ON session_minutes (minute);
  CREATE INDEX IF NOT EXISTS minutes_minute ON minutes (minute);
`;

const MINUTE_SUMS = `
  SUM(m.http_bytes) AS "httpBytes", SUM(m.p2p_bytes) AS "p2pBytes", SUM(m.uploaded_bytes) AS "uploadedBytes",
  SUM(m.rebuffer_ms) AS "rebufferMs", SUM(m.playing_ms) AS "playingMs", SUM(m.rebuffer_count) AS "rebufferCount",
  SUM(m.integrity_failures) AS "integrityFailures", SUM(m.p2p_stalls) AS "p2pStalls",
  SUM(m.viewers) AS viewers, SUM(m.peers) AS peers`;

/**
 * The collector's store on PostgreSQL, shared by any number of collectors: the same tables and the same
 * rules as the embedded SQLite store. Each beacon is one transaction holding its session's advisory
 * lock, so two collectors given beacons of one session at once apply them one after the other, and
 * an older or repeated beacon is ignored whichever collector it reached.
 */
export class PostgresStore implements CollectorStore {
  private readonly reads: ReadApi = readApiOver(this);

  private constructor(private readonly pool: pg.Pool) {}

  summary(window: ReadWindow): ReturnType<ReadApi['summary']> {
    return this.reads.summary(window);
  }

  series(window: ReadWindow): ReturnType<ReadApi['series']> {
    return this.reads.series(window);
  }

  streams(window: ReadWindow): ReturnType<ReadApi['streams']> {
    return this.reads.streams(window);
  }

  /** Connects, and creates the tables the first time (several collectors may start at once). */
  static async connect(url: string): Promise<PostgresStore> {
    const pool = new pg.Pool({ connectionString: url, max: 10, types });
    // An idle connection the server dropped must not take the process with it.
    pool.on('error', () => undefined);
    const client = await pool.connect();
    try {
      await client.query("SELECT pg_advisory_lock(hashtext('meshcast-schema'))");
      await client.query(SCHEMA);
      await client.query("SELECT pg_advisory_unlock(hashtext('meshcast-schema'))");
    } catch (error) {
      client.release();
      await pool.end();
      throw new Error(`--store: cannot prepare the PostgreSQL store: ${(error as Error).message}`);
    }
    client.release();
    return new PostgresStore(pool);
  }

  async ingest(beacon: Beacon, receivedAt: number, check?: BeaconCheck): Promise<IngestResult> {
    for (let attempt = 1; ; attempt += 1) {
      const client = await this.pool.connect();
      try {
        await client.query('BEGIN');
        const result = await this.ingestIn(client, beacon, receivedAt, check);
        await client.query(result.result === 'accepted' ? 'COMMIT' : 'ROLLBACK');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        if (attempt >= ATTEMPTS || !RETRYABLE.has((error as { code?: string }).code ?? '')) throw error;
      } finally {
        client.release();
      }
    }
  }

  private async ingestIn(client: pg.PoolClient, beacon: Beacon, receivedAt: number, check: BeaconCheck | undefined): Promise<IngestResult> {
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [beacon.sessionId]);
    const previous = (await client.query<{ seq: number; counters: string; firstSeen: number }>(
      'SELECT seq, counters, first_seen AS "firstSeen" FROM sessions WHERE session_id = $1', [beacon.sessionId])).rows[0];
    if (previous && beacon.seq <= previous.seq) return { result: 'duplicate' };
    const before = previous ? (JSON.parse(previous.counters) as Record<string, number>) : {};
    if (check) {
      const totals = (await client.query<{ p2pBytes: number; uploadedBytes: number }>(
        'SELECT p2p_bytes AS "p2pBytes", uploaded_bytes AS "uploadedBytes" FROM stream_totals WHERE stream_id = $1', [beacon.streamId])).rows[0]
        ?? { p2pBytes: 0, uploadedBytes: 0 };
      const audience = await this.countAudience(client, beacon.streamId, receivedAt - 60_000);
      const reason = check(previous && { counters: before, firstSeen: previous.firstSeen }, { ...totals, audience });
      if (reason) return { result: 'implausible', reason };
    }
    const delta = Object.fromEntries(CUMULATIVE_FIELDS.map((field) => [field, Math.max(0, beacon[field] - (before[field] ?? 0))])) as BeaconDelta;
    const counters = JSON.stringify(Object.fromEntries(CUMULATIVE_FIELDS.map((field) => [field, Math.max(beacon[field], before[field] ?? 0)])));
    const minute = Math.floor(receivedAt / MINUTE_MS) * MINUTE_MS;
    await client.query(`
      INSERT INTO sessions (session_id, stream_id, seq, first_seen, last_seen, live, startup_ms, peers, counters)
      VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8)
      ON CONFLICT (session_id) DO UPDATE SET stream_id = $2, seq = $3, last_seen = $4, live = $5, startup_ms = $6, peers = $7, counters = $8`,
    [beacon.sessionId, beacon.streamId, beacon.seq, receivedAt, beacon.live, beacon.startupMs, beacon.peers, counters]);
    // The minute row first, then the totals, in every transaction: the same order of row locks, no deadlock.
    await client.query(`
      INSERT INTO minutes (stream_id, minute, http_bytes, p2p_bytes, uploaded_bytes, rebuffer_ms, playing_ms, rebuffer_count, integrity_failures, p2p_stalls)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
      ON CONFLICT (stream_id, minute) DO UPDATE SET
        http_bytes = minutes.http_bytes + $3, p2p_bytes = minutes.p2p_bytes + $4, uploaded_bytes = minutes.uploaded_bytes + $5,
        rebuffer_ms = minutes.rebuffer_ms + $6, playing_ms = minutes.playing_ms + $7, rebuffer_count = minutes.rebuffer_count + $8,
        integrity_failures = minutes.integrity_failures + $9, p2p_stalls = minutes.p2p_stalls + $10`,
    [beacon.streamId, minute, delta.httpBytes, delta.p2pBytes, delta.uploadedBytes, delta.rebufferMs, delta.playingMs, delta.rebufferCount, delta.integrityFailures, delta.p2pStalls]);
    await this.countViewer(client, beacon, minute);
    await client.query(`
      INSERT INTO stream_totals (stream_id, p2p_bytes, uploaded_bytes) VALUES ($1, $2, $3)
      ON CONFLICT (stream_id) DO UPDATE SET p2p_bytes = stream_totals.p2p_bytes + $2, uploaded_bytes = stream_totals.uploaded_bytes + $3`,
    [beacon.streamId, delta.p2pBytes, delta.uploadedBytes]);
    return { result: 'accepted', delta };
  }

  /** Viewers and peers per stream and minute, kept as beacons arrive (as the SQLite store does). */
  private async countViewer(client: pg.PoolClient, beacon: Beacon, minute: number): Promise<void> {
    const counted = (await client.query<{ streamId: string; peers: number }>(
      'SELECT stream_id AS "streamId", peers FROM session_minutes WHERE session_id = $1 AND minute = $2', [beacon.sessionId, minute])).rows[0];
    await client.query(`
      INSERT INTO session_minutes (session_id, stream_id, minute, peers) VALUES ($1, $2, $3, $4)
      ON CONFLICT (session_id, minute) DO UPDATE SET peers = $4`, [beacon.sessionId, beacon.streamId, minute, beacon.peers]);
    if (counted) {
      await client.query('UPDATE minutes SET peers = peers + $3 WHERE stream_id = $1 AND minute = $2', [counted.streamId, minute, beacon.peers - counted.peers]);
    } else {
      await client.query('UPDATE minutes SET viewers = viewers + 1, peers = peers + $3 WHERE stream_id = $1 AND minute = $2', [beacon.streamId, minute, beacon.peers]);
    }
  }

  private async countAudience(client: pg.Pool | pg.PoolClient, streamId: string, since: number): Promise<number> {
    return (await client.query<{ n: number }>('SELECT COUNT(*) AS n FROM sessions WHERE stream_id = $1 AND last_seen >= $2', [streamId, since])).rows[0].n;
  }

  async minutes(from: number, to: number, streamId?: string): Promise<MinuteRow[]> {
    const params: Array<number | string> = [from, to];
    if (streamId !== undefined) params.push(streamId);
    const { rows } = await this.pool.query<MinuteRow>(`
      SELECT ${streamId === undefined ? "'*'" : '$3::text'} AS "streamId", m.minute AS minute, ${MINUTE_SUMS}
      FROM minutes m WHERE m.minute >= $1 AND m.minute < $2 ${streamId === undefined ? '' : 'AND m.stream_id = $3'}
      GROUP BY m.minute ORDER BY m.minute`, params);
    return rows;
  }

  async minutesByStream(from: number, to: number): Promise<MinuteRow[]> {
    const { rows } = await this.pool.query<MinuteRow>(`
      SELECT m.stream_id AS "streamId", m.minute AS minute, ${MINUTE_SUMS}
      FROM minutes m WHERE m.minute >= $1 AND m.minute < $2 GROUP BY m.stream_id, m.minute ORDER BY m.stream_id, m.minute`, [from, to]);
    return rows;
  }

  async sessions(from: number, to: number, streamId?: string): Promise<SessionRow[]> {
    const params: Array<number | string> = [from, to];
    if (streamId !== undefined) params.push(streamId);
    const { rows } = await this.pool.query<SessionRow>(`
      SELECT session_id AS "sessionId", stream_id AS "streamId", startup_ms AS "startupMs", first_seen AS "firstSeen", last_seen AS "lastSeen"
      FROM sessions WHERE last_seen >= $1 AND first_seen < $2 ${streamId === undefined ? '' : 'AND stream_id = $3'}`, params);
    return rows;
  }

  async audience(streamId: string, since: number): Promise<number> {
    return this.countAudience(this.pool, streamId, since);
  }

  async activeViewers(since: number): Promise<Array<{ streamId: string; viewers: number }>> {
    const { rows } = await this.pool.query<{ streamId: string; viewers: number }>(
      'SELECT stream_id AS "streamId", COUNT(*) AS viewers FROM sessions WHERE last_seen >= $1 GROUP BY stream_id', [since]);
    return rows;
  }

  async prune(beforeMs: number): Promise<{ minutes: number; sessions: number }> {
    const cutoff = Math.floor(beforeMs / MINUTE_MS) * MINUTE_MS;
    const minutes = (await this.pool.query('DELETE FROM minutes WHERE minute < $1', [cutoff])).rowCount ?? 0;
    await this.pool.query('DELETE FROM session_minutes WHERE minute < $1', [cutoff]);
    const sessions = (await this.pool.query('DELETE FROM sessions WHERE last_seen < $1', [beforeMs])).rowCount ?? 0;
    return { minutes, sessions };
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
