import { UploadCounter } from '../../../../src/browser/stats/upload-counter';

const CHUNK = 100;

/** Sends `bytes` to a peer the way p2p-media-loader does: full chunks, then the remainder. */
function send(counter: UploadCounter, peerId: string, bytes: number, stopAfterChunks = Infinity): void {
  let left = bytes;
  for (let chunk = 0; left > 0 && chunk < stopAfterChunks; chunk += 1) {
    const size = Math.min(CHUNK, left);
    counter.chunkUploaded(peerId, size);
    left -= size;
  }
}

describe('UploadCounter', () => {
  test('counts completed uploads by their segment size', () => {
    const counter = new UploadCounter(CHUNK);
    counter.segmentHeld(250);
    counter.segmentHeld(420);
    send(counter, 'a', 250);
    send(counter, 'b', 420);
    send(counter, 'a', 420);
    expect(counter.snapshot()).toEqual({ uploadedBytes: 1090, segmentsUploaded: 3 });
  });

  test('a cancelled upload counts nothing, even when the next upload to that peer carries its chunks', () => {
    const counter = new UploadCounter(CHUNK);
    counter.segmentHeld(250);
    counter.segmentHeld(437);
    send(counter, 'a', 437, 2);
    expect(counter.snapshot()).toEqual({ uploadedBytes: 0, segmentsUploaded: 0 });
    send(counter, 'a', 250);
    expect(counter.snapshot()).toEqual({ uploadedBytes: 250, segmentsUploaded: 1 });
  });

  test('uploads to different peers interleave without mixing', () => {
    const counter = new UploadCounter(CHUNK);
    counter.segmentHeld(230);
    counter.segmentHeld(310);
    for (const [peer, size] of [['a', 100], ['b', 100], ['a', 100], ['b', 100], ['b', 100], ['a', 30], ['b', 10]] as const) {
      counter.chunkUploaded(peer, size);
    }
    expect(counter.snapshot()).toEqual({ uploadedBytes: 540, segmentsUploaded: 2 });
  });

  test('a segment of an exact multiple of the chunk size completes on a full chunk', () => {
    const counter = new UploadCounter(CHUNK);
    counter.segmentHeld(300);
    send(counter, 'a', 300);
    expect(counter.snapshot()).toEqual({ uploadedBytes: 300, segmentsUploaded: 1 });
  });

  test('a closed peer drops its partial upload', () => {
    const counter = new UploadCounter(CHUNK);
    counter.segmentHeld(250);
    send(counter, 'a', 250, 2);
    counter.peerClosed('a');
    send(counter, 'a', 250);
    expect(counter.snapshot()).toEqual({ uploadedBytes: 250, segmentsUploaded: 1 });
  });

  test('ignores nonsense sizes', () => {
    const counter = new UploadCounter(CHUNK);
    counter.chunkUploaded('a', -5);
    counter.chunkUploaded('a', Number.NaN);
    expect(counter.snapshot()).toEqual({ uploadedBytes: 0, segmentsUploaded: 0 });
  });
});
