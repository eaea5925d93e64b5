import { raiseToBandwidth } from '../../../../src/browser/engine/abr-stats';

// 2.2 MB, the size of a 4 s segment of a 4.5 Mbit/s rendition.
const SEGMENT = 2_200_000;
const impliedBitsPerS = (s: { loaded: number; loading: { first: number; end: number } }) => (s.loaded * 8 * 1000) / (s.loading.end - s.loading.first);

describe('raiseToBandwidth', () => {
  test('a segment p2p-media-loader timed at a slow peer\'s pace says what the origin delivers, keeping its time to first byte', () => {
    // p2p-media-loader's estimate: 3.4 Mbit/s (a slow peer); the origin delivers 40.
    const stats = { loaded: SEGMENT, loading: { start: 10_000 - 5_276 - 50, first: 10_000 - 5_276, end: 10_000 } };
    raiseToBandwidth(stats, 40e6);
    expect(impliedBitsPerS(stats)).toBeCloseTo(40e6, -3);
    expect(stats.loading.end).toBe(10_000);
    expect(stats.loading.first - stats.loading.start).toBe(50);
  });

  test('stats that already say more, no measure, or nothing loaded stay as they are', () => {
    const fast = { loaded: SEGMENT, loading: { start: 9_500, first: 9_550, end: 10_000 } };
    for (const bitsPerS of [10e6, undefined, 0, Number.NaN]) {
      const stats = structuredClone(fast);
      raiseToBandwidth(stats, bitsPerS);
      expect(stats).toEqual(fast);
    }
    const empty = { loaded: 0, loading: { start: 1, first: 2, end: 3 } };
    raiseToBandwidth(empty, 40e6);
    expect(empty.loading).toEqual({ start: 1, first: 2, end: 3 });
  });
});
