// The tracker's own thread (`startTracker` runs it): WebSocket signalling never waits for the collector's
// store, however long a dashboard read takes on the main thread.
import { parentPort, workerData } from 'node:worker_threads';
import { runTracker, type TrackerOptions } from './tracker';

const port = parentPort!;
const options = workerData as Omit<TrackerOptions, 'log'>;
runTracker({ ...options, log: (msg) => port.postMessage({ type: 'log', msg }) }).then(
  (tracker) => {
    port.postMessage({ type: 'listening', port: tracker.port });
    port.on('message', (message: { type: string }) => {
      if (message.type === 'close') void tracker.close().then(() => port.postMessage({ type: 'closed' }));
    });
  },
  (error: Error) => port.postMessage({ type: 'error', message: error.message }),
);
