import type { Beacon } from '../../browser/stats/beacon-schema';
import { PostgresStore } from './postgres-store';
import { BeaconStore, type BeaconCheck, type CollectorStore, type IngestResult, type MinuteRow, type SessionRow } from './store';

export type { CollectorStore };

/** The embedded SQLite store behind the collector's asynchronous interface. */
export class SqliteCollectorStore implements CollectorStore {
  private readonly db: BeaconStore;

  constructor(file: string) {
    this.db = new BeaconStore(file);
  }

  async ingest(beacon: Beacon, receivedAt: number, check?: BeaconCheck): Promise<IngestResult> {
    return this.db.ingest(beacon, receivedAt, check);
  }

  async minutes(from: number, to: number, streamId?: string): Promise<MinuteRow[]> {
    return this.db.minutes(from, to, streamId);
  }

  async sessions(from: number, to: number, streamId?: string): Promise<SessionRow[]> {
    return this.db.sessions(from, to, streamId);
  }

  async audience(streamId: string, since: number): Promise<number> {
    return this.db.audience(streamId, since);
  }

  async activeViewers(since: number): Promise<Array<{ streamId: string; viewers: number }>> {
    return this.db.activeViewers(since);
  }

  async streams(from: number, to: number): Promise<string[]> {
    return this.db.streams(from, to);
  }

  async prune(beforeMs: number): Promise<{ minutes: number; sessions: number }> {
    return this.db.prune(beforeMs);
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

/** Whether a `--store` value names a PostgreSQL database rather than a SQLite file. */
export const isPostgresUrl = (spec: string): boolean => /^postgres(ql)?:\/\//i.test(spec);

/** Opens the store a `--store`/`--db` value names: a `postgres://` URL, or a SQLite file (`:memory:` keeps nothing). */
export async function openCollectorStore(spec: string): Promise<CollectorStore> {
  if (!isPostgresUrl(spec)) return new SqliteCollectorStore(spec);
  return PostgresStore.connect(spec);
}
