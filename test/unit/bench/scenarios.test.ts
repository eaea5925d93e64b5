import { planScenario } from '../../bench/scenarios';

describe('planScenario', () => {
  test('vod: viewers join evenly over 20 s at a fixed rendition and each watches the duration', () => {
    const plan = planScenario('vod', 6, 90);
    expect(plan.viewers.map((v) => v.joinAtS)).toEqual([0, 4, 8, 12, 16, 20]);
    expect(plan.viewers.every((v) => v.leaveAtS - v.joinAtS === 90)).toBe(true);
    expect(plan.viewers[0].query).toEqual({ src: 'vod', level: '1' });
    expect(plan.lengthS).toBe(110);
  });

  test('short runs join over a third of the duration', () => {
    expect(planScenario('vod', 3, 24).viewers.map((v) => v.joinAtS)).toEqual([0, 4, 8]);
  });

  test('live plays the emulated live stream; abr leaves the rendition to ABR', () => {
    expect(planScenario('live', 2, 30).viewers[0].query).toEqual({ src: 'live', level: '1' });
    expect(planScenario('abr', 2, 30).viewers[0].query).toEqual({ src: 'vod' });
  });

  test('churn: a third leave halfway and as many new viewers join then, to the end', () => {
    const plan = planScenario('churn', 6, 90);
    const halfway = 20 + 45;
    const leavers = plan.viewers.filter((v) => v.leaveAtS === halfway);
    const joiners = plan.viewers.filter((v) => v.joinAtS >= halfway);
    expect(leavers.map((v) => v.id)).toEqual([0, 3]);
    expect(joiners).toHaveLength(2);
    expect(joiners.map((v) => v.joinAtS)).toEqual([65, 75]);
    expect(joiners.every((v) => v.leaveAtS === plan.lengthS)).toBe(true);
    expect(plan.lengthS).toBe(110);
  });

  test.each([
    [['nope', 3, 30], /unknown scenario "nope"/],
    [['vod', 0, 30], /--viewers must be a positive integer/],
    [['vod', 3, 5], /--duration must be at least 10 seconds/],
  ])('rejects %j', (args, message) => {
    const [scenario, viewers, duration] = args as [never, number, number];
    expect(() => planScenario(scenario, viewers, duration)).toThrow(message);
  });
});
