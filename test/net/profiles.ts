/**
 * Network profiles of the testbed: the viewers' home links and the CDN's path, as `npm run bench --
 * --network NAME` and the testbed e2e use them.
 */

/** How a home router maps its viewer's flows. */
export type NatKind =
  /** Endpoint-independent mapping (one public port per local port, whoever the peer): hole punching works. */
  | 'endpoint-independent'
  /** A new public port per destination: only a TURN relay crosses it when the other side filters too. */
  | 'symmetric'
  /** No NAT: the viewer has a public address. */
  | 'public';

export interface HomeLink {
  /** What this home stands for in reports (e.g. `cable`). */
  kind: string;
  downMbit: number;
  upMbit: number;
  /** One-way delay between the home and the core; two homes are `a + b` apart one way. */
  oneWayMs: number;
  /** Up to this much more, uniformly, per packet (never reordering a flow). */
  jitterMs: number;
  nat: NatKind;
}

export interface NetworkPlan {
  name: string;
  homes: HomeLink[];
  /** The origin's side: its egress cap (undefined: uncapped) and its one-way delay to the core. */
  cdn: { egressMbit: number | undefined; oneWayMs: number };
  /** Whether the viewers are given the TURN relay (coturn on the origin's host) beside its STUN service. */
  turn: boolean;
}

export const NETWORK_PROFILES = ['loopback', 'home', 'mixed', 'congested-cdn'] as const;
export type NetworkProfile = (typeof NETWORK_PROFILES)[number];

export interface PlanInput {
  viewers: number;
  /** The top rendition's bitrate: `congested-cdn` caps the origin below what the audience needs of it. */
  topBitrateKbps: number;
  /** Configure the TURN relay for the viewers (`mixed`). @default false */
  turn?: boolean;
}

/** 50/10 Mbit/s homes, 20 to 40 ms apart (round trip), behind endpoint-independent NAT. */
function homeLink(i: number): HomeLink {
  // One-way 5..10 ms to the core, spread evenly: round trips between homes span 20..40 ms.
  const oneWayMs = 5 + (5 * (i % 4)) / 3;
  return { kind: 'home', downMbit: 50, upMbit: 10, oneWayMs: Math.round(oneWayMs * 10) / 10, jitterMs: 1, nat: 'endpoint-independent' };
}

const MIXED: HomeLink[] = [
  { kind: 'fiber', downMbit: 300, upMbit: 100, oneWayMs: 3, jitterMs: 0.5, nat: 'endpoint-independent' },
  { kind: 'cable', downMbit: 100, upMbit: 10, oneWayMs: 8, jitterMs: 2, nat: 'endpoint-independent' },
  { kind: '4g', downMbit: 20, upMbit: 5, oneWayMs: 20, jitterMs: 8, nat: 'endpoint-independent' },
  { kind: 'cable-symmetric-nat', downMbit: 100, upMbit: 10, oneWayMs: 8, jitterMs: 2, nat: 'symmetric' },
];

/** The plan of a profile for an audience; `loopback` has none (the bench runs on this machine's loopback). */
export function planNetwork(profile: Exclude<NetworkProfile, 'loopback'>, input: PlanInput): NetworkPlan {
  const indexes = Array.from({ length: input.viewers }, (_, i) => i);
  switch (profile) {
    case 'home':
      return { name: profile, homes: indexes.map(homeLink), cdn: { egressMbit: undefined, oneWayMs: 2 }, turn: input.turn ?? false };
    case 'mixed':
      // A quarter of the viewers (every fourth) behind symmetric NAT.
      return { name: profile, homes: indexes.map((i) => MIXED[i % MIXED.length]), cdn: { egressMbit: undefined, oneWayMs: 2 }, turn: input.turn ?? false };
    case 'congested-cdn': {
      // The ISP bottleneck: the origin's path carries 60 % of what the audience needs at the top rendition.
      const egressMbit = Math.round(((0.6 * input.viewers * input.topBitrateKbps) / 1000) * 10) / 10;
      return { name: profile, homes: indexes.map(homeLink), cdn: { egressMbit, oneWayMs: 2 }, turn: input.turn ?? false };
    }
  }
}
