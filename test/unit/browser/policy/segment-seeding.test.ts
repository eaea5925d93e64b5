import { copyTimeS, DEFAULT_SEEDING, groupSize, seedingGroup, shouldSeed, spreadTimeS, staggeredSeedingApplies, uploadShareOf } from '../../../../src/browser/policy/segment-seeding';

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
    expect(shouldSeed({ peerId: seeder, sequence: 7, audience, visibleForS: 0, neighbourhoodHasIt: true, spreadS: 10, uploadShare: 1, copyS: 0.5 })).toBe(true);
    const late = { peerId: third, sequence: 7, audience, spreadS: 10, uploadShare: 1, copyS: 0.5 };
    expect(shouldSeed({ ...late, visibleForS: 3 * DEFAULT_SEEDING.stepS - 0.1, neighbourhoodHasIt: false })).toBe(false);
    expect(shouldSeed({ ...late, visibleForS: 3 * DEFAULT_SEEDING.stepS, neighbourhoodHasIt: false })).toBe(true);
    expect(shouldSeed({ ...late, visibleForS: 60, neighbourhoodHasIt: true })).toBe(false);
  });

  test('group 0 grows when a new segment has little time to spread before the viewers\' deadline', () => {
    // 15 s behind the edge, 2 s segments, a 1.9 s high-demand window: 10.1 s to spread, groups of 2.
    expect(spreadTimeS(15, 2, 1.9)).toBeCloseTo(10.1);
    expect(groupSize(1_000, spreadTimeS(15, 2, 1.9))).toBe(DEFAULT_SEEDING.seeds);
    // 6 s behind: 1.1 s, so a segment reaches about 17 viewers per seed: about 58 seeds of 1 000.
    const lowLatency = groupSize(1_000, spreadTimeS(6, 2, 1.9));
    expect(lowLatency).toBeGreaterThan(50);
    expect(lowLatency).toBeLessThan(65);
    // Less time, more seeds; never more than the audience, never fewer than `seeds`.
    expect(groupSize(1_000, 0.5)).toBeGreaterThan(groupSize(1_000, 1));
    expect(groupSize(1_000, spreadTimeS(3, 2, 1.5))).toBeLessThanOrEqual(1_000);
    expect(groupSize(1_000, 1e6)).toBe(DEFAULT_SEEDING.seeds);
    expect(groupSize(3, 0)).toBeLessThanOrEqual(3);
    // And that is who fetches a new segment at once, counted over the audience.
    let inGroupZero = 0;
    for (let sequence = 0; sequence < 50; sequence++) inGroupZero += ids.slice(0, 1_000).filter((id) => seedingGroup(id, sequence, 1_000, lowLatency) === 0).length;
    expect(inGroupZero / 50).toBeGreaterThan(lowLatency * 0.85);
    expect(inGroupZero / 50).toBeLessThan(lowLatency * 1.15);
  });

  test('with uploads capped below the bitrate, the share the swarm cannot carry seeds each segment at once', () => {
    // 2 Mbit/s of upload (250 000 bytes/s) for a 2.5 Mbit/s rendition: peers carry 80 %, so 20 % seed.
    expect(uploadShareOf(250_000, 2_500_000)).toBeCloseTo(0.8);
    expect(uploadShareOf(undefined, 2_500_000)).toBe(1);
    expect(uploadShareOf(250_000, undefined)).toBe(1);
    expect(uploadShareOf(250_000, 1_000_000)).toBe(1);
    expect(groupSize(1_000, 10, DEFAULT_SEEDING, 0.8)).toBeCloseTo(200);
    expect(groupSize(1_000, 10, DEFAULT_SEEDING, 1)).toBe(DEFAULT_SEEDING.seeds);
    // Whichever asks for more seeders wins: little time to spread, or little upload.
    expect(groupSize(1_000, 0, DEFAULT_SEEDING, 0.95)).toBe(groupSize(1_000, 0));
    expect(groupSize(1_000, 0, DEFAULT_SEEDING, 0.8)).toBeCloseTo(200);
    let seeders = 0;
    const facts = { audience: 1_000, visibleForS: 0, neighbourhoodHasIt: true, spreadS: 10, copyS: 0.5 };
    for (let sequence = 0; sequence < 20; sequence++) {
      seeders += ids.slice(0, 1_000).filter((peerId) => shouldSeed({ ...facts, peerId, sequence, uploadShare: 0.8 })).length;
    }
    expect(seeders / 20).toBeGreaterThan(170);
    expect(seeders / 20).toBeLessThan(230);
  });

  test('applies to a viewer that may upload, knows the audience, and is connected to part of it', () => {
    expect(staggeredSeedingApplies(true, 28, 1_000)).toBe(true);
    // Connected to all of it: one fetcher is elected instead.
    expect(staggeredSeedingApplies(true, 3, 4)).toBe(false);
    // No peer yet: nobody to seed for, and a peer connecting before the deadline may still bring it.
    expect(staggeredSeedingApplies(true, 0, 1_000)).toBe(false);
    expect(staggeredSeedingApplies(false, 28, 1_000)).toBe(false);
    expect(staggeredSeedingApplies(true, 28, undefined)).toBe(false);
  });

  test('larger segments take longer from peer to peer, so they need more seeders in the same time', () => {
    // 2 s of 2.5 Mbit/s at 10 Mbit/s: half a second; of 5 Mbit/s: a second.
    expect(copyTimeS(2, 2_500_000)).toBeCloseTo(0.5);
    expect(copyTimeS(2, 5_000_000)).toBeCloseTo(1);
    expect(copyTimeS(2, undefined)).toBeCloseTo(0.5);
    // 2 500 viewers of a 5 Mbit/s rendition with 10 s to spread: about ten seeders, where 2.5 Mbit/s needs two.
    expect(groupSize(2_500, 10, DEFAULT_SEEDING, 1, copyTimeS(2, 2_500_000))).toBe(DEFAULT_SEEDING.seeds);
    const top = groupSize(2_500, 10, DEFAULT_SEEDING, 1, copyTimeS(2, 5_000_000));
    expect(top).toBeGreaterThan(8);
    expect(top).toBeLessThan(12);
    // A segment of (next to) nothing: a number of viewers, not NaN.
    expect(groupSize(2_500, 10, DEFAULT_SEEDING, 1, 0)).toBe(DEFAULT_SEEDING.seeds);
    expect(Number.isFinite(groupSize(2_500, 0, DEFAULT_SEEDING, 1, 0))).toBe(true);
  });
});
