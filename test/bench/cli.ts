import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ADVERSARY_MODES, type AdversaryMode } from '../adversary/adversary-peer';
import { spawnAdversary, type AdversaryProcess } from '../adversary/spawn-adversary';
import { ROOT, startMeshcastServer, type MeshcastServer } from '../e2e/harness';
import { NETWORK_PROFILES, planNetwork, type NetworkPlan, type NetworkProfile } from '../net/profiles';
import { NetworkTestbed } from '../net/testbed';
import { buildReport, findings, markdownTable, summarizeRun } from './report';
import { runPlan, type BenchSite } from './run-swarm';
import { planScenario, SCENARIOS, type ScenarioName } from './scenarios';

const USAGE = `Usage: npm run bench -- --scenario ${SCENARIOS.join('|')} --viewers N [--duration S] [--adversary MODE] [--policy P] [--target-latency S] [--wait-for-peers MS] [--media NAME] [--network PROFILE [--turn]] --json FILE

Runs the same viewers twice on the same media, tracker and origin: with P2P, then HTTP-only.
  --scenario   vod (staggered joins, fixed 360p), live (emulated live), abr (ABR free), churn (a third leave halfway, as many join)
  --viewers    number of viewers (default 6)
  --duration   seconds each viewer watches (default 90)
  --adversary  slow|stall|absent|corrupt: one misbehaving Node peer in the P2P run's swarm (vod, abr, churn)
  --policy     guarded (Meshcast's deadline guard and bounds, the default) or pml-defaults (p2p-media-loader as it comes)
  --target-latency  live: seconds behind the live edge (default: Meshcast's, 15)
  --wait-for-peers  the viewers' startup.waitForPeersMs (default 0: the first segment over HTTP at once)
  --media      stream folder in demo/media (default vod; cmaf after bash demo/media/make-cmaf.sh)
  --network    ${NETWORK_PROFILES.join('|')}: loopback (default) runs every viewer in one Chromium on this
               machine; the others run each viewer's Chromium in its own home on the network testbed
               (test/net, as root): home (50/10 Mbit/s, 20-40 ms apart, NAT), mixed (fiber, cable, 4G,
               a quarter behind symmetric NAT), congested-cdn (home, the origin capped at 60 % of what
               the audience needs at the top rendition). See docs/network-testbed.md
  --turn       give the testbed's viewers the TURN relay (coturn on the origin's host) beside STUN
  --json       where to write the report (JSON, fields as in DESIGN.md)
`;

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n\n${USAGE}`);
  process.exit(2);
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        scenario: { type: 'string' },
        viewers: { type: 'string', default: '6' },
        duration: { type: 'string', default: '90' },
        adversary: { type: 'string' },
        policy: { type: 'string', default: 'guarded' },
        'target-latency': { type: 'string' },
        'wait-for-peers': { type: 'string', default: '0' },
        json: { type: 'string' },
        media: { type: 'string', default: 'vod' },
        network: { type: 'string', default: 'loopback' },
        turn: { type: 'boolean', default: false },
        help: { type: 'boolean' },
      },
    }));
  } catch (err) {
    fail((err as Error).message);
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (!values.scenario) fail('--scenario is required');
  if (!values.json) fail('--json FILE is required');
  let plan;
  try {
    plan = planScenario(values.scenario as ScenarioName, Number(values.viewers), Number(values.duration));
  } catch (err) {
    fail((err as Error).message);
  }
  if (values.policy !== 'guarded' && values.policy !== 'pml-defaults') fail(`--policy must be guarded or pml-defaults, got "${values.policy}"`);
  const targetLatency = values['target-latency'];
  if (targetLatency !== undefined && !(Number(targetLatency) >= 4)) fail(`--target-latency must be seconds (at least 4), got "${targetLatency}"`);
  const waitForPeersMs = Number(values['wait-for-peers']);
  if (!(waitForPeersMs >= 0 && waitForPeersMs <= 10_000)) fail(`--wait-for-peers must be milliseconds from 0 to 10000, got "${values['wait-for-peers']}"`);
  const network = values.network as NetworkProfile;
  if (!NETWORK_PROFILES.includes(network)) fail(`--network must be one of ${NETWORK_PROFILES.join(', ')}, got "${values.network}"`);
  if (values.turn && network === 'loopback') fail('--turn needs a network testbed profile (--network home|mixed|congested-cdn)');
  const pageOptions: Record<string, unknown> = waitForPeersMs > 0 ? { startup: { waitForPeersMs } } : {};
  const pageQuery: Record<string, string> = {
    policy: values.policy,
    ...(targetLatency !== undefined && { targetLatency }),
  };
  // A stream folder under demo/media (the committed `vod` ladder, or e.g. `cmaf` from make-cmaf.sh).
  const media = values.media!;
  if (!/^[a-z0-9-]+$/.test(media) || !existsSync(path.join(ROOT, 'demo/media', media, 'master.m3u8'))) {
    fail(`--media must name a stream folder in demo/media with a master.m3u8 (e.g. vod, or cmaf after bash demo/media/make-cmaf.sh), got "${media}"`);
  }
  if (media !== 'vod') pageQuery.src = plan.scenario === 'live' ? `/live/${media}/master.m3u8` : `/media/${media}/master.m3u8`;
  const adversaryMode = values.adversary as AdversaryMode | undefined;
  if (adversaryMode !== undefined && !ADVERSARY_MODES.includes(adversaryMode)) {
    fail(`--adversary must be one of ${ADVERSARY_MODES.join(', ')}, got "${adversaryMode}"`);
  }
  // The adversary holds the VOD segments; it does not follow a live playlist.
  if (adversaryMode !== undefined && plan.scenario === 'live') fail('--adversary works with the VOD scenarios (vod, abr, churn), not live');
  if (adversaryMode !== undefined && network !== 'loopback') fail('--adversary runs on loopback only (the adversary peer is not in a testbed home)');

  const log = (msg: string) => process.stderr.write(`${msg}\n`);
  let bed: NetworkTestbed | undefined;
  let networkPlan: NetworkPlan | null = null;
  let server: MeshcastServer;
  let site: BenchSite | undefined;
  const topKbps = topBitrateKbps(media);
  if (network === 'loopback') {
    server = await startMeshcastServer(['--live-window', '60']);
  } else {
    networkPlan = planNetwork(network, { viewers: plan.viewers.length, topBitrateKbps: topKbps, turn: values.turn });
    log(`bench: network testbed ${network}: ${describePlan(networkPlan)}`);
    bed = await NetworkTestbed.create(networkPlan);
    const testbed = bed;
    // Ctrl-C or a kill: the namespaces go with the run (a SIGKILL leaves them to the next run's sweep).
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        testbed.removeNow();
        process.exit(130);
      });
    }
    const onTestbed = await testbed.startServer(['--live-window', '60']);
    server = onTestbed;
    site = { pageUrl: onTestbed.pageUrl, launch: (id) => testbed.launchBrowser(id, onTestbed.pageUrl) };
    pageOptions.rtcConfig = { iceServers: testbed.iceServers() };
  }
  if (Object.keys(pageOptions).length > 0) pageQuery.options = JSON.stringify(pageOptions);
  try {
    log(`bench: ${plan.scenario}, ${values.viewers} viewers, ${values.duration} s each, ${plan.lengthS} s per run`);
    let adversary: AdversaryProcess | undefined;
    if (adversaryMode) {
      log(`bench: starting a ${adversaryMode} peer`);
      adversary = await spawnAdversary(ROOT, { mode: adversaryMode, masterUrl: `${server.url}/media/${media}/master.m3u8`, trackers: [server.trackerUrl], level: 1 });
    }
    log('bench: P2P run');
    let p2p;
    try {
      p2p = summarizeRun(await runPlan(server, plan, 'p2p', log, pageQuery, site));
    } finally {
      if (adversary) log(`bench: the ${adversaryMode} peer made ${adversary.status().peersConnected} connections and sent ${adversary.status().uploadedBytes} B`);
      await adversary?.stop();
    }
    log('bench: HTTP-only run');
    const http = summarizeRun(await runPlan(server, plan, 'http', log, pageQuery, site));
    const report = {
      ...buildReport(plan.scenario, Number(values.viewers), Number(values.duration), p2p, http, adversaryMode ?? null, network),
      networkPlan,
      ...(networkPlan && { topBitrateKbps: topKbps }),
      policy: values.policy,
      targetLatency: targetLatency === undefined ? null : Number(targetLatency),
      waitForPeersMs,
      media,
    };

    const file = path.resolve(values.json);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`\n${markdownTable(report)}\n\n${findings(report).map((l) => `- ${l}`).join('\n')}\n\nJSON: ${file}\n`);
  } finally {
    await server.stop();
    await bed?.destroy();
  }
}

/** The highest BANDWIDTH of a stream's multivariant playlist, kbit/s. */
function topBitrateKbps(media: string): number {
  const master = readFileSync(path.join(ROOT, 'demo/media', media, 'master.m3u8'), 'utf8');
  const bandwidths = [...master.matchAll(/BANDWIDTH=(\d+)/g)].map((m) => Number(m[1]));
  return Math.max(...bandwidths) / 1000;
}

function describePlan(plan: NetworkPlan): string {
  const homes = plan.homes.map((h) => `${h.kind} ${h.downMbit}/${h.upMbit} Mbit/s ${h.oneWayMs} ms ${h.nat}`).join('; ');
  const cdn = plan.cdn.egressMbit === undefined ? 'uncapped' : `capped at ${plan.cdn.egressMbit} Mbit/s`;
  return `${homes}; origin ${cdn}${plan.turn ? '; TURN given' : ''}`;
}

main().catch((err: Error) => {
  process.stderr.write(`bench: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
