import { existsSync } from 'node:fs';
import { execIn, ipIn, NAMESPACE_PREFIX, removeNamespace, run } from './net-commands';
import type { HomeLink, NetworkPlan } from './profiles';

/**
 * The testbed's namespaces and links:
 *
 *   viewer i (192.168.i.2) -- lan | router i (NAT, shaping) | wan 10.200.i.2 -- core (routing + delay line) -- cdn (10.199.0.2)
 *                                                                                                       \-- host link to this machine
 *
 * The core forwards every packet through a TUN device whose delay line (delay-line.c) holds it for the
 * two ends' one-way delays. Down links are shaped on the router's `lan`, up links on its `wan`, and the
 * origin's egress on the cdn's `core` interface (HTB, a byte FIFO of about 100 ms as the queue). The
 * cdn namespace also has a link to this machine (the `host` link) that the test uses to read the
 * origin's accounting and the collector; no viewer can reach it.
 */
export const CDN_ADDRESS = '10.199.0.2';
const CORE_CDN_ADDRESS = '10.199.0.1';
/** The delay line's routing table in the core. */
const DELAY_TABLE = '100';

export const homeWanAddress = (home: number) => `10.200.${home}.2`;
export const viewerAddress = (home: number) => `192.168.${home}.2`;

export interface TopologyNames {
  runId: string;
  core: string;
  cdn: string;
  routers: string[];
  viewers: string[];
  /** This machine's end of the host link, and the cdn's address on it. */
  hostInterface: string;
  hostAddress: string;
  cdnHostAddress: string;
}

export function topologyNames(runId: string, homes: number): TopologyNames {
  const ns = (role: string) => `${NAMESPACE_PREFIX}${runId}-${role}`;
  const subnet = (parseInt(runId, 36) % 250) + 1;
  return {
    runId,
    core: ns('core'),
    cdn: ns('cdn'),
    routers: Array.from({ length: homes }, (_, i) => ns(`r${i + 1}`)),
    viewers: Array.from({ length: homes }, (_, i) => ns(`v${i + 1}`)),
    hostInterface: `mcn${runId}`.slice(0, 15),
    hostAddress: `10.254.${subnet}.1`,
    cdnHostAddress: `10.254.${subnet}.2`,
  };
}

/** A veth pair between two namespaces (`undefined`: this machine's own), both ends up. */
function veth(nsA: string | undefined, nameA: string, nsB: string, nameB: string): void {
  run('ip', ['link', 'add', 'name', nameA, ...(nsA ? ['netns', nsA] : []), 'type', 'veth', 'peer', 'name', nameB, 'netns', nsB]);
  if (nsA) ipIn(nsA, 'link', 'set', nameA, 'up');
  else run('ip', ['link', 'set', nameA, 'up']);
  ipIn(nsB, 'link', 'set', nameB, 'up');
}

/** Caps a namespace's egress on one interface: HTB at `mbit`, with a FIFO of about 100 ms of it. */
export function shape(ns: string, dev: string, mbit: number): void {
  const bytesPerS = (mbit * 1e6) / 8;
  const burst = Math.max(15_000, Math.round(bytesPerS * 0.002));
  const limit = Math.max(64_000, Math.round(bytesPerS * 0.1));
  execIn(ns, 'tc', ['qdisc', 'replace', 'dev', dev, 'root', 'handle', '1:', 'htb', 'default', '10']);
  execIn(ns, 'tc', ['class', 'replace', 'dev', dev, 'parent', '1:', 'classid', '1:10', 'htb', 'rate', `${mbit}mbit`, 'ceil', `${mbit}mbit`, 'burst', String(burst), 'cburst', String(burst)]);
  execIn(ns, 'tc', ['qdisc', 'replace', 'dev', dev, 'parent', '1:10', 'bfifo', 'limit', String(limit)]);
}

function sysctl(ns: string, ...settings: string[]): void {
  execIn(ns, 'sysctl', ['-qw', ...settings]);
}

/**
 * A namespace with its loopback up and IPv6 off (the testbed is IPv4): otherwise each new interface's
 * link-local address turns valid a second or so after it comes up, and Chromium, seeing the network
 * change, fails a navigation under way with ERR_NETWORK_CHANGED.
 */
function addNamespace(ns: string): void {
  run('ip', ['netns', 'add', ns]);
  if (existsSync('/proc/sys/net/ipv6')) sysctl(ns, 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1');
  ipIn(ns, 'link', 'set', 'lo', 'up');
}

function natRules(nat: HomeLink['nat']): string {
  const masquerade = nat === 'symmetric' ? 'masquerade random' : 'masquerade';
  // A home router: what leaves is mapped; from outside, only replies to what left come in. Unsolicited
  // packets to the router itself are dropped too, as home routers do: accepted, each would take the public
  // port a hole-punching viewer is about to use (its conntrack entry clashes with the viewer's mapping).
  return `table ip home {
  chain input {
    type filter hook input priority filter; policy accept;
    iifname "wan" ct state new drop
  }
  chain forward {
    type filter hook forward priority filter; policy accept;
    iifname "wan" ct state new drop
  }
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "wan" ${masquerade}
  }
}
`;
}

function buildHome(names: TopologyNames, index: number, link: HomeLink): void {
  const home = index + 1;
  const router = names.routers[index];
  const viewer = names.viewers[index];
  for (const ns of [router, viewer]) addNamespace(ns);
  veth(names.core, `h${home}`, router, 'wan');
  ipIn(names.core, 'addr', 'add', `10.200.${home}.1/30`, 'dev', `h${home}`);
  ipIn(router, 'addr', 'add', `${homeWanAddress(home)}/30`, 'dev', 'wan');
  ipIn(router, 'route', 'add', 'default', 'via', `10.200.${home}.1`);
  veth(router, 'lan', viewer, 'eth0');
  ipIn(router, 'addr', 'add', `192.168.${home}.1/24`, 'dev', 'lan');
  ipIn(viewer, 'addr', 'add', `${viewerAddress(home)}/24`, 'dev', 'eth0');
  ipIn(viewer, 'route', 'add', 'default', 'via', `192.168.${home}.1`);
  sysctl(router, 'net.ipv4.ip_forward=1');
  if (link.nat === 'public') {
    ipIn(names.core, 'route', 'add', `192.168.${home}.0/24`, 'via', homeWanAddress(home));
    execIn(router, 'nft', ['-f', '-'], 'table ip home {\n}\n');
  } else {
    execIn(router, 'nft', ['-f', '-'], natRules(link.nat));
  }
  shape(router, 'lan', link.downMbit);
  shape(router, 'wan', link.upMbit);
}

/** Creates every namespace and link of a plan (the delay line is started apart: see `routeThroughDelayLine`). */
export function buildTopology(names: TopologyNames, plan: NetworkPlan): void {
  for (const ns of [names.core, names.cdn]) addNamespace(ns);
  sysctl(names.core, 'net.ipv4.ip_forward=1', 'net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.default.rp_filter=0');
  veth(names.core, 'cdn', names.cdn, 'core');
  ipIn(names.core, 'addr', 'add', `${CORE_CDN_ADDRESS}/30`, 'dev', 'cdn');
  ipIn(names.cdn, 'addr', 'add', `${CDN_ADDRESS}/30`, 'dev', 'core');
  ipIn(names.cdn, 'route', 'add', 'default', 'via', CORE_CDN_ADDRESS);
  if (plan.cdn.egressMbit !== undefined) shape(names.cdn, 'core', plan.cdn.egressMbit);
  veth(undefined, names.hostInterface, names.cdn, 'host');
  run('ip', ['addr', 'add', `${names.hostAddress}/30`, 'dev', names.hostInterface]);
  ipIn(names.cdn, 'addr', 'add', `${names.cdnHostAddress}/30`, 'dev', 'host');
  plan.homes.forEach((link, i) => buildHome(names, i, link));
}

/** The delay line's configuration: each prefix's one-way delay and jitter to the core. */
export function delayConfig(plan: NetworkPlan): string {
  const lines = [`10.199.0.0/30 ${plan.cdn.oneWayMs} 0`];
  plan.homes.forEach((link, i) => {
    lines.push(`10.200.${i + 1}.0/30 ${link.oneWayMs} ${link.jitterMs}`);
    if (link.nat === 'public') lines.push(`192.168.${i + 1}.0/24 ${link.oneWayMs} ${link.jitterMs}`);
  });
  return `${lines.join('\n')}\n`;
}

/** Once the delay line's TUN device exists: everything the core forwards goes through it, and back. */
export function routeThroughDelayLine(names: TopologyNames, tun: string): void {
  sysctl(names.core, `net.ipv4.conf.${tun}.rp_filter=0`);
  ipIn(names.core, 'link', 'set', tun, 'up');
  ipIn(names.core, 'route', 'add', 'default', 'dev', tun, 'table', DELAY_TABLE);
  ipIn(names.core, 'rule', 'add', 'iif', tun, 'lookup', 'main', 'pref', '100');
  ipIn(names.core, 'rule', 'add', 'lookup', DELAY_TABLE, 'pref', '200');
}

/** Removes every namespace of the run (and what runs in them); safe to call twice. */
export function destroyTopology(names: TopologyNames): void {
  for (const ns of [...names.viewers, ...names.routers, names.cdn, names.core]) removeNamespace(ns);
}
