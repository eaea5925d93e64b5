import { SessionStats } from '../../../../src/browser/stats/session-stats';

describe('SessionStats', () => {
  test('starts empty with an offload ratio of 0', () => {
    expect(new SessionStats().snapshot()).toEqual({
      httpBytes: 0, p2pBytes: 0, uploadedBytes: 0, offloadRatio: 0, segmentsHttp: 0, segmentsP2P: 0, peers: 0,
      integrityFailures: 0, peersRefused: 0, refusedSegments: 0, unverifiedP2PBytes: 0,
    });
  });

  test('adds bytes and segments by source; offload is the P2P share', () => {
    const stats = new SessionStats();
    stats.recordSegment('http', 1000);
    stats.recordSegment('p2p', 3000);
    stats.recordSegment('p2p', 1000);
    expect(stats.snapshot()).toMatchObject({ httpBytes: 1000, p2pBytes: 4000, segmentsHttp: 1, segmentsP2P: 2, offloadRatio: 0.8 });
  });

  test('a segment from both sources adds its bytes to each and counts once, where its last bytes came from', () => {
    const stats = new SessionStats();
    stats.recordSegment('http', 1000, { http: 400, p2p: 600 });
    expect(stats.snapshot()).toMatchObject({ httpBytes: 400, p2pBytes: 600, segmentsHttp: 1, segmentsP2P: 0, offloadRatio: 0.6 });
  });

  test('ignores impossible byte counts', () => {
    const stats = new SessionStats();
    stats.recordSegment('http', -5);
    stats.recordSegment('p2p', Number.NaN);
    expect(stats.snapshot()).toMatchObject({ httpBytes: 0, p2pBytes: 0, segmentsHttp: 0, segmentsP2P: 0 });
  });

  test('a peer connected for two streams counts once and stays until both connections close', () => {
    const stats = new SessionStats();
    stats.peerConnected('a');
    stats.peerConnected('a');
    stats.peerConnected('b');
    expect(stats.snapshot().peers).toBe(2);
    stats.peerClosed('a');
    expect(stats.snapshot().peers).toBe(2);
    stats.peerClosed('a');
    stats.peerClosed('unknown');
    expect(stats.snapshot().peers).toBe(1);
    stats.clearPeers();
    expect(stats.snapshot().peers).toBe(0);
  });
});
