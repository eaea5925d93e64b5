import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

// patches/p2p-media-loader-core+2.3.1.patch: a peer that cancels a request while the uploader is still
// reading the segment from storage gets nothing. Stock 2.3.1 ignores that cancel and sends the whole
// segment, which the requester drops: its downlink carries a segment it no longer wants, at the moment
// it moved that segment to HTTP because its buffer is short.
const SEGMENT_BYTES = 200_000;
const CHUNK_BYTES = 64 * 1024 - 1;

interface Uploaded { requestIds: number[]; dataBytes: number }

/**
 * One real p2p-media-loader `Peer` (the Node library) on a connection that records what it writes;
 * `script` gets `request(id)`, `cancel(id)` and `settle()` and runs commands in order.
 */
function uploadsAfter(script: string): Uploaded {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', `
    import { EventEmitter } from 'node:events';
    import { Peer } from './node_modules/p2p-media-loader-core/lib/p2p/peer.js';
    import { EventTarget } from './node_modules/p2p-media-loader-core/lib/utils/event-target.js';
    import { serializePeerCommand, deserializeCommand, isCommandChunk, PeerCommandType } from './node_modules/p2p-media-loader-core/lib/p2p/commands/index.js';
    const connection = Object.assign(new EventEmitter(), { id: Buffer.from('requester').toString('hex'), idUtf8: 'requester', writes: [], write(b) { this.writes.push(b); return true; }, destroy() {} });
    const peerConfig = { webRtcMaxMessageSize: ${CHUNK_BYTES}, p2pNotReceivingBytesTimeoutMs: 2000, p2pErrorRetries: 3 };
    // Storage answers a little later, as IndexedDB or a busy page does.
    const handlers = {
      onSegmentRequested: (peer, id, r) => setTimeout(() => peer.uploadSegmentData({ externalId: id }, r, new ArrayBuffer(${SEGMENT_BYTES})), 30),
      onSegmentsAnnouncement() {},
    };
    new Peer(connection, handlers, peerConfig, 'main', new EventTarget());
    const send = (command) => serializePeerCommand(command, ${CHUNK_BYTES}).forEach((b) => connection.emit('data', b));
    const request = (r) => send({ c: PeerCommandType.SegmentRequest, i: 7, r });
    const cancel = (r) => send({ c: PeerCommandType.CancelSegmentRequest, i: 7, r });
    const settle = () => new Promise((resolve) => setTimeout(resolve, 100));
    ${script}
    await settle();
    const requestIds = connection.writes.filter(isCommandChunk).map((b) => deserializeCommand(b.slice(4, -4))).filter((c) => c.c === PeerCommandType.SegmentData).map((c) => c.r);
    const dataBytes = connection.writes.filter((b) => !isCommandChunk(b)).reduce((n, b) => n + b.byteLength, 0);
    process.stdout.write(JSON.stringify({ requestIds, dataBytes }));
  `], { encoding: 'utf8' });
  return JSON.parse(out) as Uploaded;
}

describe('p2p-media-loader cancel-before-upload patch', () => {
  test('a requested segment is sent whole', () => {
    expect(uploadsAfter('request(11);')).toEqual({ requestIds: [11], dataBytes: SEGMENT_BYTES });
  });

  test('a request cancelled while the segment is read from storage sends nothing', () => {
    expect(uploadsAfter('request(11); cancel(11);')).toEqual({ requestIds: [], dataBytes: 0 });
  });

  test('a cancel of another request leaves the awaited one alone', () => {
    expect(uploadsAfter('request(11); cancel(12);')).toEqual({ requestIds: [11], dataBytes: SEGMENT_BYTES });
  });

  test('a request superseded while the first is read from storage sends only the second', () => {
    expect(uploadsAfter('request(11); request(12);')).toEqual({ requestIds: [12], dataBytes: SEGMENT_BYTES });
  });

  test('the bundle rollup builds the browser package from carries the same patch', () => {
    const bundle = readFileSync('node_modules/p2p-media-loader-core/dist/p2p-media-loader-core.es.js', 'utf8');
    expect(bundle).toContain('if (this.awaitedUploadRequestId === command.r) this.awaitedUploadRequestId = void 0;');
    expect(bundle).toContain('if (this.awaitedUploadRequestId !== requestId) return;');
  });
});
