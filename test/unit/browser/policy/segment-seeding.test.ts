import { DEFAULT_SEEDING, seedingGroup, shouldSeed } from '../../../../src/browser/policy/segment-seeding';

const ids = Array.from({ length: 10_000 }, (_, i) => `-MC0001-${String(i).padStart(12, '0')}`);

describe('staggered seeding of new live segments', () => {
  test('about `seeds` viewers of any audience are in group 0 for a segment, and the groups change with the segment', () => {
    for (const audience of [100, 1_000, 10_000]) {
      const viewers = ids.slice(0, audience);
      // Over many segments, group 0 averages the configured seeds.
      let inGroupZero = 0;
      for (let sequence = 0; sequence < 200; sequence++) inGroupZero += viewers.filter((id) => seedingGroup(id, sequence, audience) === 0).length;
      expect(inGroupZero / 200).toBeGreaterThan(DEFAULT_SEEDING.seeds * 0.8);
      expect(inGroupZero / 200).toBeLessThan(DEFAULT_SEEDING.seeds * 1.2);
    }
    const first = ids.slice(0, 1_000).filter((id) => seedingGroup(id, 1, 1_000) === 0);
    const second = ids.slice(0, 1_000).filter((id) => seedingGroup(id, 2, 1_000) === 0);
    expect(first).not.toEqual(second);
  });

  test('group 0 fetches at once; later groups only when no connected peer has it, after their turn', () => {
    const audience = 1_000;
    const seeder = ids.find((id) => seedingGroup(id, 7, audience) === 0)!;
    const third = ids.find((id) => seedingGroup(id, 7, audience) === 3)!;
    expect(shouldSeed({ peerId: seeder, sequence: 7, audience, visibleForS: 0, neighbourhoodHasIt: true })).toBe(true);
    const late = { peerId: third, sequence: 7, audience };
    expect(shouldSeed({ ...late, visibleForS: 3 * DEFAULT_SEEDING.stepS - 0.1, neighbourhoodHasIt: false })).toBe(false);
    expect(shouldSeed({ ...late, visibleForS: 3 * DEFAULT_SEEDING.stepS, neighbourhoodHasIt: false })).toBe(true);
    expect(shouldSeed({ ...late, visibleForS: 60, neighbourhoodHasIt: true })).toBe(false);
  });
});
