import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Beacon } from '../../browser/stats/beacon-schema';
import { PostgresStore } from './postgres-store';
import type { ReadCall } from './read-worker';
import { readApiOver, type CollectorStore, type ReadApi, type ReadWindow } from './store-contract';
import { BeaconStore, type BeaconCheck, type IngestResult, type PendingBeacon } from './store';

export type { CollectorStore };

/** Rows of each table one pruning step deletes: a few milliseconds of the main thread. */
const PRUNE_STEP_ROWS = 5_000;

type Waiting = PendingBeacon & { resolve(result: IngestResult): void; reject(error: Error): void };

/** Reads on the read thread (`collector-read-worker.js` beside this bundle); undefined where it cannot run. */
class ReadThread {
  private readonly worker: Worker;
  private readonly calls = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  private nextId = 0;
  alive = true;

  constructor(url: URL, file: string) {
    this.worker = new Worker(url, { workerData: { file } });
    this.worker.on('message', ({ id, result, error }: { id: number; result?: unknown; error?: string }) => {
      const call = this.calls.get(id);
      this.calls.delete(id);
      if (error === undefined) call?.resolve(result);
      else call?.reject(new Error(error));
    });
    const fail = (error: Error) => {
      this.alive = false;
      for (const call of this.calls.values()) call.reject(error);
      this.calls.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', () => fail(new Error('the read thread stopped')));
  }

  call<T>(request: ReadCall): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.calls.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.worker.postMessage({ ...request, id });
    });
  }

  async close(): Promise<void> {
    this.alive = false;
    await this.worker.terminate();
  }
}

/**
 * The embedded SQLite store behind the collector's asynchronous interface. Beacons that arrive
 * together are written in one transaction (one commit, answered after it); reads of a file store run on
 * a thread of their own, so neither waits for the other.
 */
export class SqliteCollectorStore implements CollectorStore {
  private readonly db: BeaconStore;
  private readonly local: ReadApi;
  private readonly reads: ReadThread | undefined;
  private queue: Waiting[] = [];

  constructor(file: string) {
    this.db = new BeaconStore(file);
    this.local = readApiOver(this.db);
    const worker = new URL('./collector-read-worker.js', import.meta.url);
    // Not from the sources (tests run them unbundled), and not for a store only this connection sees.
    if (file !== ':memory:' && worker.protocol === 'file:' && existsSync(fileURLToPath(worker))) this.reads = new ReadThread(worker, file);
  }

  ingest(beacon: Beacon, receivedAt: number, check?: BeaconCheck): Promise<IngestResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ beacon, receivedAt, check, resolve, reject });
      // After this turn's other requests are parsed: they join the same transaction.
      if (this.queue.length === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const batch = this.queue;
    this.queue = [];
    let results: Array<IngestResult | Error>;
    try {
      results = this.db.ingestBatch(batch);
    } catch (error) {
      for (const item of batch) item.reject(error as Error);
      return;
    }
    batch.forEach((item, i) => {
      const result = results[i];
      if (result instanceof Error) item.reject(result);
      else item.resolve(result);
    });
  }

  private read<K extends keyof ReadApi>(method: K, window: ReadWindow): ReturnType<ReadApi[K]> {
    if (this.reads?.alive) return this.reads.call({ method, window }) as ReturnType<ReadApi[K]>;
    return this.local[method](window) as ReturnType<ReadApi[K]>;
  }

  summary(window: ReadWindow): ReturnType<ReadApi['summary']> {
    return this.read('summary', window);
  }

  series(window: ReadWindow): ReturnType<ReadApi['series']> {
    return this.read('series', window);
  }

  streams(window: ReadWindow): ReturnType<ReadApi['streams']> {
    return this.read('streams', window);
  }

  async audience(streamId: string, since: number): Promise<number> {
    return this.db.audience(streamId, since);
  }

  async activeViewers(since: number): Promise<Array<{ streamId: string; viewers: number }>> {
    if (this.reads?.alive) return this.reads.call({ method: 'activeViewers', since });
    return this.db.activeViewers(since);
  }

  /** In steps of a few thousand rows, yielding between them: beacons keep being written meanwhile. */
  async prune(beforeMs: number): Promise<{ minutes: number; sessions: number }> {
    const total = { minutes: 0, sessions: 0 };
    for (;;) {
      const step = this.db.pruneStep(beforeMs, PRUNE_STEP_ROWS);
      total.minutes += step.minutes;
      total.sessions += step.sessions;
      if (step.done) return total;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  async close(): Promise<void> {
    if (this.queue.length > 0) this.flush();
    await this.reads?.close();
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
