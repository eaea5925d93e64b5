import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

// patches/p2p-media-loader-core+2.3.1.patch: p2p-media-loader resumes a segment a peer did not finish over
// HTTP (a Range request from where the peer stopped), and the other way round, and then reports the whole
// segment under the last attempt's source. Its patch reports the bytes each source delivered
// (`httpBytes`, `p2pBytes` in onSegmentLoaded), so Meshcast's stats count every byte where it came from.

interface Loaded { bytesLength: number; downloadSource: string; httpBytes?: number; p2pBytes?: number }

/** One real p2p-media-loader `Request` (the Node library); `script` drives it with `attempt(source)`. */
function loadedAfter(script: string): Loaded {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', `
    globalThis.window = globalThis;
    import('./node_modules/p2p-media-loader-core/lib/requests/request.js').then(async ({ Request }) => {
      const { BandwidthCalculator } = await import('./node_modules/p2p-media-loader-core/lib/bandwidth-calculator.js');
      const { EventTarget } = await import('./node_modules/p2p-media-loader-core/lib/utils/event-target.js');
      const events = new EventTarget();
      let loaded;
      events.addEventListener('onSegmentLoaded', (details) => { loaded = details; });
      const segment = { runtimeId: 'seg', externalId: 7, url: 'http://origin/seg.m4s', startTime: 0, endTime: 4, stream: { type: 'main' } };
      const request = new Request(segment, () => {}, { all: new BandwidthCalculator(), http: new BandwidthCalculator() }, {}, {}, events);
      const attempt = (downloadSource) => request.start({ downloadSource, peerId: downloadSource === 'p2p' ? 'peer-1' : undefined }, { abort() {} });
      const chunk = (bytes) => new Uint8Array(bytes);
      ${script}
      const { bytesLength, downloadSource, httpBytes, p2pBytes } = loaded;
      process.stdout.write(JSON.stringify({ bytesLength, downloadSource, httpBytes, p2pBytes }));
    });
  `], { encoding: 'utf8' });
  return JSON.parse(out) as Loaded;
}

describe('p2p-media-loader bytes-by-source patch', () => {
  test('a segment from one peer is all P2P bytes', () => {
    expect(loadedAfter(`
      const p2p = attempt('p2p'); p2p.addLoadedChunk(chunk(600)); p2p.addLoadedChunk(chunk(400)); p2p.completeOnSuccess();
    `)).toEqual({ bytesLength: 1000, downloadSource: 'p2p', httpBytes: 0, p2pBytes: 1000 });
  });

  test('a segment a peer stopped sending, finished over HTTP, reports the bytes of each', () => {
    expect(loadedAfter(`
      const p2p = attempt('p2p'); p2p.addLoadedChunk(chunk(600)); p2p.abortOnError({ type: 'peer-closed' });
      const http = attempt('http'); http.addLoadedChunk(chunk(400)); http.completeOnSuccess();
    `)).toEqual({ bytesLength: 1000, downloadSource: 'http', httpBytes: 400, p2pBytes: 600 });
  });

  test('bytes dropped before the segment completed (wrong size, failed check) count for neither', () => {
    expect(loadedAfter(`
      const p2p = attempt('p2p'); p2p.addLoadedChunk(chunk(600)); p2p.abortOnError({ type: 'p2p-segment-validation-failed' });
      request.clearLoadedBytes();
      const http = attempt('http'); http.addLoadedChunk(chunk(1000)); http.completeOnSuccess();
    `)).toEqual({ bytesLength: 1000, downloadSource: 'http', httpBytes: 1000, p2pBytes: 0 });
  });

  test('the bundle rollup builds the browser package from carries the same patch', () => {
    const bundle = readFileSync('node_modules/p2p-media-loader-core/dist/p2p-media-loader-core.es.js', 'utf8');
    expect(bundle).toContain('this.meshcastBytesBySource[this.currentAttempt.downloadSource] += byteLength;');
    expect(bundle).toContain('httpBytes: this.meshcastBytesBySource?.http ?? 0,');
    expect(bundle).toContain('this.meshcastBytesBySource = void 0;');
  });
});
