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
const READ_THREADS = 2;

type Waiting = PendingBeacon & { resolve(result: IngestResult): void; reject(error: Error): void };

/** One read thread (`collector-read-worker.js` beside this bundle) and the reads it has not answered yet. */
class ReadThread {
  private readonly worker: Worker;
  private readonly calls = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  private nextId = 0;
  alive = true;

  get waiting(): number {
    return this.calls.size;
  }

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
  /** Two, so that a dashboard's reads (it asks for three at once) do not queue behind each other. */
  private readonly readThreads: ReadThread[] = [];
  private queue: Waiting[] = [];

  constructor(file: string) {
    this.db = new BeaconStore(file);
    this.local = readApiOver(this.db);
    const worker = new URL('./collector-read-worker.js', import.meta.url);
    // Not from the sources (tests run them unbundled), and not for a store only this connection sees.
    if (file !== ':memory:' && worker.protocol === 'file:' && existsSync(fileURLToPath(worker))) {
      for (let i = 0; i < READ_THREADS; i += 1) this.readThreads.push(new ReadThread(worker, file));
    }
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

  /** The live read thread with the fewest reads waiting; none where reads run on this thread. */
  private readThread(): ReadThread | undefined {
    let best: ReadThread | undefined;
    for (const thread of this.readThreads) if (thread.alive && (!best || thread.waiting < best.waiting)) best = thread;
    return best;
  }

  private read<K extends keyof ReadApi>(method: K, window: ReadWindow): ReturnType<ReadApi[K]> {
    const thread = this.readThread();
    if (thread) return thread.call({ method, window }) as ReturnType<ReadApi[K]>;
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
    const thread = this.readThread();
    if (thread) return thread.call({ method: 'activeViewers', since });
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
    await Promise.all(this.readThreads.map((thread) => thread.close()));
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
