/** One viewer's part in a benchmark run: when it joins and leaves, and what it plays. */
export interface ViewerPlan {
  id: number;
  joinAtS: number;
  leaveAtS: number;
  /** Demo page query: `src` (vod or live) and, unless ABR is free, a fixed `level`. */
  query: Record<string, string>;
}

export interface ScenarioPlan {
  scenario: ScenarioName;
  viewers: ViewerPlan[];
  /** When the last viewer leaves, from the run's start. */
  lengthS: number;
}

export const SCENARIOS = ['vod', 'live', 'abr', 'churn'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

/** The 360p rendition: every viewer of a fixed-rendition scenario needs the same segments. */
const FIXED_LEVEL = '1';

/** Joins spread evenly over `spreadS`, the first at 0. */
function staggered(count: number, spreadS: number, offsetS = 0): number[] {
  if (count <= 1) return [offsetS];
  return Array.from({ length: count }, (_, i) => offsetS + Math.round((i * spreadS * 10) / (count - 1)) / 10);
}

/**
 * The join/leave pattern of a scenario: identical for the P2P and the HTTP-only run.
 * vod, live, abr: `viewers` join over ~20 s (less for short runs) and each watches `durationS`.
 * churn: as vod, but a third of the viewers leave halfway and as many new ones join then.
 */
export function planScenario(scenario: ScenarioName, viewers: number, durationS: number): ScenarioPlan {
  if (!SCENARIOS.includes(scenario)) throw new Error(`unknown scenario "${scenario}"; one of ${SCENARIOS.join(', ')}`);
  if (!Number.isInteger(viewers) || viewers < 1) throw new Error(`--viewers must be a positive integer, got ${viewers}`);
  if (!(durationS >= 10)) throw new Error(`--duration must be at least 10 seconds, got ${durationS}`);

  const spreadS = Math.min(20, durationS / 3);
  const query: Record<string, string> =
    scenario === 'live' ? { src: 'live', level: FIXED_LEVEL }
    : scenario === 'abr' ? { src: 'vod' }
    : { src: 'vod', level: FIXED_LEVEL };

  const plans: ViewerPlan[] = staggered(viewers, spreadS).map((joinAtS, id) => ({
    id,
    joinAtS,
    leaveAtS: joinAtS + durationS,
    query,
  }));

  if (scenario === 'churn') {
    const leaving = Math.max(1, Math.floor(viewers / 3));
    const halfwayS = spreadS + durationS / 2;
    // The leavers are spread through the join order, not only the earliest viewers.
    const leavers = Array.from({ length: leaving }, (_, i) => Math.floor((i * viewers) / leaving));
    for (const index of leavers) plans[index].leaveAtS = halfwayS;
    const endS = Math.max(...plans.map((p) => p.leaveAtS));
    staggered(leaving, Math.min(10, durationS / 6), halfwayS).forEach((joinAtS, i) => {
      plans.push({ id: viewers + i, joinAtS, leaveAtS: endS, query });
    });
  }
  return { scenario, viewers: plans, lengthS: Math.max(...plans.map((p) => p.leaveAtS)) };
}
