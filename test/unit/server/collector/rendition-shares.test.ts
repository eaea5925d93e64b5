import { RenditionShares } from '../../../../src/server/collector/rendition-shares';

describe('RenditionShares', () => {
  test('a rendition\'s audience is its share of the sessions heard from here, times the stream\'s audience', () => {
    const shares = new RenditionShares(60_000);
    shares.note('a', 'live', 0, 1000);
    shares.note('b', 'live', 0, 1000);
    shares.note('c', 'live', 1, 1000);
    shares.note('d', 'live', undefined, 1000);
    shares.note('e', 'other', 1, 1000);
    // Behind a load balancer this collector heard 4 of the stream's 40 viewers: 2 of 4 on rendition 0.
    expect(shares.renditionAudience('live', 0, 40, 2000)).toBe(20);
    expect(shares.renditionAudience('live', 1, 40, 2000)).toBe(10);
    // Nobody heard on it: at least the asking viewer.
    expect(shares.renditionAudience('live', 5, 40, 2000)).toBe(1);
    // A stream never heard here: the whole audience.
    expect(shares.renditionAudience('unheard', 0, 7, 2000)).toBe(7);
  });

  test('a session that switches rendition or stream moves; one not heard from within the window is forgotten', () => {
    const shares = new RenditionShares(60_000);
    shares.note('a', 'live', 0, 0);
    shares.note('b', 'live', 0, 30_000);
    shares.note('a', 'live', 1, 40_000);
    expect(shares.renditionAudience('live', 0, 2, 40_000)).toBe(1);
    expect(shares.renditionAudience('live', 1, 2, 40_000)).toBe(1);
    shares.note('b', 'other', 0, 50_000);
    expect(shares.renditionAudience('live', 1, 1, 50_000)).toBe(1);
    expect(shares.renditionAudience('other', 0, 1, 50_000)).toBe(1);
    // 100 s: a (last heard at 40 s) is forgotten, b (50 s) too after 110 s.
    shares.note('c', 'live', 0, 100_001);
    expect(shares.renditionAudience('live', 0, 1, 100_001)).toBe(1);
    expect(shares.renditionAudience('live', 1, 10, 100_001)).toBe(1);
    expect(shares.renditionAudience('live', 0, 10, 100_001)).toBe(10);
  });
});
