import { segmentParts } from '../../../../src/browser/engine/segment-parts';

const details = { segmentUrl: 'http://origin/seg.m4s', peerId: undefined, streamType: 'main' as const };

describe('segmentParts', () => {
  test('a segment begun from a peer and finished over HTTP splits as the patched loader counted it', () => {
    expect(segmentParts({ ...details, bytesLength: 1000, downloadSource: 'http', httpBytes: 400, p2pBytes: 600 })).toEqual({ http: 400, p2p: 600 });
  });

  test('without the counts, or with counts that do not add up, every byte goes to the last source', () => {
    expect(segmentParts({ ...details, bytesLength: 1000, downloadSource: 'p2p' })).toEqual({ http: 0, p2p: 1000 });
    expect(segmentParts({ ...details, bytesLength: 1000, downloadSource: 'http', httpBytes: 400, p2pBytes: 500 })).toEqual({ http: 1000, p2p: 0 });
    expect(segmentParts({ ...details, bytesLength: 1000, downloadSource: 'http', httpBytes: -1, p2pBytes: 1001 })).toEqual({ http: 1000, p2p: 0 });
  });
});
