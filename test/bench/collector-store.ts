import Database from 'better-sqlite3';
import { BeaconStore } from '../../src/server/collector/store';

/**
 * Writes a collector store as `meshcast serve` would have it after `hours` of `sessions` concurrent
 * viewers over `streams` streams, one beacon a minute each: the sessions, their per-minute rows and the
 * per-stream minute aggregates, in bulk (the collector's own ingest path would take hours).
 * Returns the time it ended at (ms): beacons sent after it continue these sessions.
 */
export function writeRealisticStore(file: string, sessions: number, hours: number, streams = 5): number {
  new BeaconStore(file).close(); // the schema, as the collector creates it
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const minutes = hours * 60;
  const end = Math.floor(Date.now() / 60_000) * 60_000;
  const start = end - minutes * 60_000;
  const perMinute = { http: 150_000, p2p: 1_350_000, uploaded: 1_350_000 };
  const insertMinute = db.prepare(`INSERT INTO minutes (stream_id, minute, http_bytes, p2p_bytes, uploaded_bytes, rebuffer_ms, playing_ms,
    rebuffer_count, integrity_failures, p2p_stalls, viewers, peers) VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0, 0, ?, ?)`);
  const insertSessionMinute = db.prepare('INSERT INTO session_minutes (session_id, stream_id, minute, peers) VALUES (?, ?, ?, 3)');
  const insertSession = db.prepare(`INSERT INTO sessions (session_id, stream_id, seq, first_seen, last_seen, live, startup_ms, peers, counters)
    VALUES (?, ?, ?, ?, ?, 1, ?, 3, ?)`);
  const insertTotals = db.prepare('INSERT INTO stream_totals (stream_id, p2p_bytes, uploaded_bytes) VALUES (?, ?, ?)');
  const perStream = Math.ceil(sessions / streams);
  db.transaction(() => {
    for (let m = 0; m < minutes; m += 1) {
      const minute = start + m * 60_000;
      for (let s = 0; s < streams; s += 1) {
        insertMinute.run(`meshcast/1/bench.example/stream-${s}.m3u8`, minute, perMinute.http * perStream, perMinute.p2p * perStream,
          perMinute.uploaded * perStream, 0, 60_000 * perStream, perStream, 3 * perStream);
      }
      for (let i = 0; i < sessions; i += 1) insertSessionMinute.run(`bench-session-${i}`, `meshcast/1/bench.example/stream-${i % streams}.m3u8`, minute);
    }
    for (let i = 0; i < sessions; i += 1) {
      const counters = { httpBytes: perMinute.http * minutes, p2pBytes: perMinute.p2p * minutes, uploadedBytes: perMinute.uploaded * minutes,
        segmentsHttp: minutes, segmentsP2P: 9 * minutes, integrityFailures: 0, rebufferCount: 0, rebufferMs: 0, p2pStalls: 0, playingMs: 60_000 * minutes };
      insertSession.run(`bench-session-${i}`, `meshcast/1/bench.example/stream-${i % streams}.m3u8`, minutes, start, end - 60_000, 300 + (i % 700), JSON.stringify(counters));
    }
    for (let s = 0; s < streams; s += 1) insertTotals.run(`meshcast/1/bench.example/stream-${s}.m3u8`, perMinute.p2p * perStream * minutes, perMinute.uploaded * perStream * minutes);
  })();
  db.close();
  return end;
}
