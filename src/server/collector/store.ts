import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { CUMULATIVE_FIELDS, type Beacon } from '../../browser/stats/beacon-schema';
import type { SessionHistory, StreamTotals } from './plausibility';
import { StoreReader, type MinuteRow, type SessionRow } from './store-reader';

export type { MinuteRow, SessionRow };

/** The increases an accepted beacon added to its stream's counters. */
export type BeaconDelta = Record<(typeof CUMULATIVE_FIELDS)[number], number>;

export type IngestResult = { result: 'accepted'; delta: BeaconDelta } | { result: 'duplicate' } | { result: 'implausible'; reason: string };

/** Judges a new beacon against what the store knows; returns why it cannot be true, or undefined. */
export type BeaconCheck = (previous: SessionHistory | undefined, stream: StreamTotals) => string | undefined;

const MINUTE_MS = 60_000;
const AUDIENCE_REFRESH_MS = 1_000;
const MAX_CACHED_AUDIENCES = 10_000;

/** A beacon waiting for the next batch. */
export interface PendingBeacon {
  beacon: Beacon;
  receivedAt: number;
  check?: BeaconCheck;
}

/**
 * The collector's embedded store (SQLite, WAL). Sessions keep the last cumulative counters and
 * sequence number, and the stream of their last beacon (a player that switches source counts for the
 * new stream from then on); minutes keep per-stream sums of the increases. Each beacon is one transaction,
 * so a crash or restart loses no accepted beacon, and a repeated or out-of-order one is ignored.
 */
export class BeaconStore {
  private readonly db: Database.Database;
  private readonly ingestTx: (beacon: Beacon, receivedAt: number, check: BeaconCheck | undefined) => IngestResult;
  private readonly batchTx: (items: PendingBeacon[]) => Array<IngestResult | Error>;
  private readonly countAudience: Database.Statement;
  private readonly reader: StoreReader;
  /** Audience per stream as last counted: counting at every beacon would scan the stream's sessions each time. */
  private readonly audiences = new Map<string, { at: number; since: number; viewers: number }>();

  constructor(file: string) {
    if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    // Each beacon touches its session's rows and index pages at random: keep a live audience's in memory
    // (SQLite's default cache is 2 MB).
    this.db.pragma('cache_size = -131072');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS sessions (
        session_id TEXT PRIMARY KEY,
        stream_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        first_seen INTEGER NOT NULL,
        last_seen INTEGER NOT NULL,
        live INTEGER NOT NULL,
        startup_ms INTEGER,
        peers INTEGER NOT NULL,
        counters TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS minutes (
        stream_id TEXT NOT NULL,
        minute INTEGER NOT NULL,
        http_bytes INTEGER NOT NULL DEFAULT 0,
        p2p_bytes INTEGER NOT NULL DEFAULT 0,
        uploaded_bytes INTEGER NOT NULL DEFAULT 0,
        rebuffer_ms INTEGER NOT NULL DEFAULT 0,
        playing_ms INTEGER NOT NULL DEFAULT 0,
        rebuffer_count INTEGER NOT NULL DEFAULT 0,
        integrity_failures INTEGER NOT NULL DEFAULT 0,
        p2p_stalls INTEGER NOT NULL DEFAULT 0,
        viewers INTEGER NOT NULL DEFAULT 0,
        peers INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (stream_id, minute)
      );
      CREATE TABLE IF NOT EXISTS session_minutes (
        session_id TEXT NOT NULL,
        stream_id TEXT NOT NULL,
        minute INTEGER NOT NULL,
        peers INTEGER NOT NULL,
        PRIMARY KEY (session_id, minute)
      );
      CREATE INDEX IF NOT EXISTS sessions_seen ON sessions (stream_id, last_seen);
      CREATE TABLE IF NOT EXISTS stream_totals (
        stream_id TEXT PRIMARY KEY,
        p2p_bytes INTEGER NOT NULL DEFAULT 0,
        uploaded_bytes INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX IF NOT EXISTS session_minutes_stream ON session_minutes (stream_id, minute);
      CREATE INDEX IF NOT EXISTS session_minutes_minute ON session_minutes (minute);
      CREATE INDEX IF NOT EXISTS sessions_last_seen ON sessions (last_seen);
    `);
    // Stores written before uploads were reported lack the column; their uploads count as 0.
    const minuteColumns = this.db.prepare('PRAGMA table_info(minutes)').all() as Array<{ name: string }>;
    if (!minuteColumns.some((column) => column.name === 'uploaded_bytes')) {
      this.db.exec('ALTER TABLE minutes ADD COLUMN uploaded_bytes INTEGER NOT NULL DEFAULT 0');
    }
    // Stores written before viewers were kept per minute get them from their per-session rows, once.
    if (!minuteColumns.some((column) => column.name === 'viewers')) {
      this.db.exec(`
        ALTER TABLE minutes ADD COLUMN viewers INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE minutes ADD COLUMN peers INTEGER NOT NULL DEFAULT 0;
        UPDATE minutes SET
          viewers = (SELECT COUNT(*) FROM session_minutes s WHERE s.stream_id = minutes.stream_id AND s.minute = minutes.minute),
          peers = (SELECT COALESCE(SUM(s.peers), 0) FROM session_minutes s WHERE s.stream_id = minutes.stream_id AND s.minute = minutes.minute);
      `);
    }

    // Stores written before stream totals were kept get them from their minutes, once.
    const totalsEmpty = (this.db.prepare('SELECT COUNT(*) AS n FROM stream_totals').get() as { n: number }).n === 0;
    if (totalsEmpty) {
      this.db.exec('INSERT INTO stream_totals (stream_id, p2p_bytes, uploaded_bytes) SELECT stream_id, SUM(p2p_bytes), SUM(uploaded_bytes) FROM minutes GROUP BY stream_id');
    }
    const getTotals = this.db.prepare('SELECT p2p_bytes AS p2pBytes, uploaded_bytes AS uploadedBytes FROM stream_totals WHERE stream_id = ?');
    const addTotals = this.db.prepare(`
      INSERT INTO stream_totals (stream_id, p2p_bytes, uploaded_bytes) VALUES (?, ?, ?)
      ON CONFLICT (stream_id) DO UPDATE SET p2p_bytes = p2p_bytes + excluded.p2p_bytes, uploaded_bytes = uploaded_bytes + excluded.uploaded_bytes
    `);
    this.countAudience = this.db.prepare('SELECT COUNT(*) AS n FROM sessions WHERE stream_id = ? AND last_seen >= ?');
    const getSession = this.db.prepare('SELECT seq, counters, first_seen AS firstSeen, last_seen AS lastSeen, stream_id AS streamId FROM sessions WHERE session_id = ?');
    const upsertSession = this.db.prepare(`
      INSERT INTO sessions (session_id, stream_id, seq, first_seen, last_seen, live, startup_ms, peers, counters)
      VALUES (@sessionId, @streamId, @seq, @now, @now, @live, @startupMs, @peers, @counters)
      ON CONFLICT (session_id) DO UPDATE SET stream_id = @streamId, seq = @seq, last_seen = @now, live = @live, startup_ms = @startupMs, peers = @peers, counters = @counters
    `);
    const addMinute = this.db.prepare(`
      INSERT INTO minutes (stream_id, minute, http_bytes, p2p_bytes, uploaded_bytes, rebuffer_ms, playing_ms, rebuffer_count, integrity_failures, p2p_stalls)
      VALUES (@streamId, @minute, @httpBytes, @p2pBytes, @uploadedBytes, @rebufferMs, @playingMs, @rebufferCount, @integrityFailures, @p2pStalls)
      ON CONFLICT (stream_id, minute) DO UPDATE SET
        http_bytes = http_bytes + @httpBytes, p2p_bytes = p2p_bytes + @p2pBytes, uploaded_bytes = uploaded_bytes + @uploadedBytes,
        rebuffer_ms = rebuffer_ms + @rebufferMs, playing_ms = playing_ms + @playingMs,
        rebuffer_count = rebuffer_count + @rebufferCount, integrity_failures = integrity_failures + @integrityFailures,
        p2p_stalls = p2p_stalls + @p2pStalls
    `);
    const getSessionMinute = this.db.prepare('SELECT stream_id AS streamId, peers FROM session_minutes WHERE session_id = ? AND minute = ?');
    const countViewer = this.db.prepare('UPDATE minutes SET viewers = viewers + 1, peers = peers + @peers WHERE stream_id = @streamId AND minute = @minute');
    const movePeers = this.db.prepare('UPDATE minutes SET peers = peers + @peers WHERE stream_id = @streamId AND minute = @minute');
    const markViewer = this.db.prepare(`
      INSERT INTO session_minutes (session_id, stream_id, minute, peers) VALUES (?, ?, ?, ?)
      ON CONFLICT (session_id, minute) DO UPDATE SET peers = excluded.peers
    `);

    this.ingestTx = this.db.transaction((beacon: Beacon, receivedAt: number, check: BeaconCheck | undefined): IngestResult => {
      const previous = getSession.get(beacon.sessionId) as { seq: number; counters: string; firstSeen: number; lastSeen: number; streamId: string } | undefined;
      if (previous && beacon.seq <= previous.seq) return { result: 'duplicate' };
      const before = previous ? (JSON.parse(previous.counters) as Record<string, number>) : {};
      if (check) {
        const totals = (getTotals.get(beacon.streamId) as { p2pBytes: number; uploadedBytes: number } | undefined) ?? { p2pBytes: 0, uploadedBytes: 0 };
        const audience = this.audience(beacon.streamId, receivedAt - 60_000, receivedAt);
        const reason = check(previous && { counters: before, firstSeen: previous.firstSeen }, { ...totals, audience });
        if (reason) return { result: 'implausible', reason };
      }
      const delta = Object.fromEntries(
        CUMULATIVE_FIELDS.map((field) => [field, Math.max(0, beacon[field] - (before[field] ?? 0))]),
      ) as BeaconDelta;
      const counters = JSON.stringify(Object.fromEntries(CUMULATIVE_FIELDS.map((field) => [field, Math.max(beacon[field], before[field] ?? 0)])));
      const minute = Math.floor(receivedAt / MINUTE_MS) * MINUTE_MS;
      this.countInAudience(previous, beacon.streamId);
      upsertSession.run({
        sessionId: beacon.sessionId,
        streamId: beacon.streamId,
        seq: beacon.seq,
        now: receivedAt,
        live: beacon.live ? 1 : 0,
        startupMs: beacon.startupMs,
        peers: beacon.peers,
        counters,
      });
      addMinute.run({ streamId: beacon.streamId, minute, ...delta });
      addTotals.run(beacon.streamId, delta.p2pBytes, delta.uploadedBytes);
      // Viewers and peers per stream and minute are kept as beacons arrive, so reads need no per-session rows.
      const counted = getSessionMinute.get(beacon.sessionId, minute) as { streamId: string; peers: number } | undefined;
      markViewer.run(beacon.sessionId, beacon.streamId, minute, beacon.peers);
      if (counted) movePeers.run({ streamId: counted.streamId, minute, peers: beacon.peers - counted.peers });
      else countViewer.run({ streamId: beacon.streamId, minute, peers: beacon.peers });
      return { result: 'accepted', delta };
    });
    this.batchTx = this.db.transaction((items: PendingBeacon[]) => items.map((item) => {
      try {
        return this.ingestTx(item.beacon, item.receivedAt, item.check);
      } catch (error) {
        return error as Error;
      }
    }));
    this.reader = new StoreReader(this.db);
  }

  /** Stores a beacon (one transaction), unless it repeats an older one or `check` finds it implausible. */
  ingest(beacon: Beacon, receivedAt = Date.now(), check?: BeaconCheck): IngestResult {
    return this.ingestTx(beacon, receivedAt, check);
  }

  /**
   * Stores beacons in order in one transaction (each in a savepoint of its own): one commit for many
   * beacons. A beacon whose statements fail gets its error and leaves the others alone.
   */
  ingestBatch(items: PendingBeacon[]): Array<IngestResult | Error> {
    return this.batchTx(items);
  }

  /** Per-minute rows in [from, to), for one stream or all (summed per minute). */
  minutes(from: number, to: number, streamId?: string): MinuteRow[] {
    return this.reader.minutes(from, to, streamId);
  }

  /** Sessions seen in [from, to), for start-up times and current viewers. */
  sessions(from: number, to: number, streamId?: string): SessionRow[] {
    return this.reader.sessions(from, to, streamId);
  }

  /**
   * Sessions of one stream that sent a beacon since `since` (ms): asked at every beacon, so counted at
   * most once a second per stream.
   */
  audience(streamId: string, since: number, now = Date.now()): number {
    const cached = this.audiences.get(streamId);
    if (cached && now - cached.at < AUDIENCE_REFRESH_MS && Math.abs(since - cached.since) < AUDIENCE_REFRESH_MS) return cached.viewers;
    const viewers = (this.countAudience.get(streamId, since) as { n: number }).n;
    if (this.audiences.size >= MAX_CACHED_AUDIENCES) this.audiences.clear();
    this.audiences.set(streamId, { at: now, since, viewers });
    return viewers;
  }

  /** Keeps the cached audiences true as a session joins a stream's, or leaves one for another. */
  private countInAudience(previous: { lastSeen: number; streamId: string } | undefined, streamId: string): void {
    const counted = (stream: string) => {
      const cached = this.audiences.get(stream);
      return cached !== undefined && previous !== undefined && previous.streamId === stream && previous.lastSeen >= cached.since;
    };
    if (previous && previous.streamId !== streamId && counted(previous.streamId)) this.audiences.get(previous.streamId)!.viewers -= 1;
    const cached = this.audiences.get(streamId);
    if (cached && !counted(streamId)) cached.viewers += 1;
  }

  /** Sessions per stream that sent a beacon since `since`. */
  activeViewers(since: number): Array<{ streamId: string; viewers: number }> {
    return this.reader.activeViewers(since);
  }

  /** Streams with data in [from, to). */
  streamIds(from: number, to: number): string[] {
    return this.reader.streamIds(from, to);
  }

  /** Per-minute rows in [from, to) of every stream, ordered by stream, then minute. */
  minutesByStream(from: number, to: number): MinuteRow[] {
    return this.reader.minutesByStream(from, to);
  }

  /** Deletes what is older than `beforeMs`: minutes, per-session minutes, and sessions last seen before it. */
  prune(beforeMs: number): { minutes: number; sessions: number } {
    const total = { minutes: 0, sessions: 0 };
    for (let step = this.pruneStep(beforeMs, Infinity); ; step = this.pruneStep(beforeMs, Infinity)) {
      total.minutes += step.minutes;
      total.sessions += step.sessions;
      if (step.done) return total;
    }
  }

  /**
   * Deletes up to `limit` rows of each table older than `beforeMs`, in one short transaction; `done` when
   * nothing older is left. A collector prunes step by step so that beacons are written in between.
   */
  pruneStep(beforeMs: number, limit: number): { minutes: number; sessions: number; done: boolean } {
    const cutoff = Math.floor(beforeMs / MINUTE_MS) * MINUTE_MS;
    const rows = Number.isFinite(limit) ? limit : -1;
    return this.db.transaction(() => {
      const minutes = this.db.prepare('DELETE FROM minutes WHERE rowid IN (SELECT rowid FROM minutes WHERE minute < ? LIMIT ?)').run(cutoff, rows).changes;
      const sessionMinutes = this.db.prepare('DELETE FROM session_minutes WHERE rowid IN (SELECT rowid FROM session_minutes WHERE minute < ? LIMIT ?)').run(cutoff, rows).changes;
      const sessions = this.db.prepare('DELETE FROM sessions WHERE rowid IN (SELECT rowid FROM sessions WHERE last_seen < ? LIMIT ?)').run(beforeMs, rows).changes;
      const done = !Number.isFinite(limit) || (minutes < limit && sessionMinutes < limit && sessions < limit);
      return { minutes, sessions, done };
    })();
  }

  close(): void {
    this.db.close();
  }
}
