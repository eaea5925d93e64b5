// The collector's read thread (`SqliteCollectorStore` runs it on a file store): dashboard reads run on
// a read-only connection of their own (SQLite's WAL lets it read while the main thread writes), so a
// read over a day of data never holds up a beacon.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { readApiOver, type ReadWindow } from './store-contract';
import { StoreReader } from './store-reader';

/** A read the main thread asks of this one. */
export type ReadCall = { method: 'summary' | 'series' | 'streams'; window: ReadWindow } | { method: 'activeViewers'; since: number };
export type ReadRequest = ReadCall & { id: number };

const port = parentPort!;
const db = new Database((workerData as { file: string }).file, { readonly: true, fileMustExist: true });
db.pragma('cache_size = -65536');
const reader = new StoreReader(db);
const api = readApiOver(reader);
port.on('message', (request: ReadRequest) => {
  const answer = request.method === 'activeViewers' ? Promise.resolve(reader.activeViewers(request.since)) : api[request.method](request.window);
  answer.then(
    (result) => port.postMessage({ id: request.id, result }),
    (error: Error) => port.postMessage({ id: request.id, error: error.message }),
  );
});
