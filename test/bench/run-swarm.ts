import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { MeshcastStats } from '../../src/browser/index';
import { CHROMIUM_ARGS, chromiumPath, openViewer, type MeshcastServer, type Viewer } from '../e2e/harness';
import { ICE_RECORDER, summarizeIce, type IceConnection } from '../net/ice-recorder';
import { recordFirstMediaSegment } from './first-segment';
import { ProcessSampler } from './process-sampler';
import type { RunMeasurement } from './report';
import type { ScenarioPlan, ViewerPlan } from './scenarios';

export type RunMode = 'p2p' | 'http';

/** A browser for one viewer, with its process (sampled for CPU and memory). */
export interface ViewerBrowser {
  browser: Browser;
  pid: number;
  close(): Promise<void>;
}

/**
 * Where the viewers run. Loopback (the default): one Chromium on this machine for all of them. The
 * network testbed: `launch` gives each viewer its own Chromium in its own home, and pages load from
 * `pageUrl` (the origin as the viewers reach it).
 */
export interface BenchSite {
  pageUrl: string;
  launch?: (viewerId: number) => Promise<ViewerBrowser>;
}

/**
 * `MESHCAST_BENCH_TRACE=DIR`: each viewer's console, with p2p-media-loader's debug log switched on
 * (`p2pml-core:*`, or the namespaces in `MESHCAST_BENCH_TRACE_DEBUG`), goes to `DIR/<mode>-viewer-<id>.log`, one line per message with seconds since the run began.
 */
function traceConsole(page: Page, mode: RunMode, viewerId: number, t0: number): Promise<unknown> | undefined {
  const dir = process.env.MESHCAST_BENCH_TRACE;
  if (!dir) return undefined;
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${mode}-viewer-${viewerId}.log`);
  page.on('console', (m) => appendFileSync(file, `${((Date.now() - t0) / 1000).toFixed(2)} ${m.text().replace(/%c/g, '')}\n`));
  return page.addInitScript((namespaces: string) => {
    localStorage.setItem('debug', namespaces);
    // Once a second: the buffer ahead of the playhead and the windows and concurrency the policy set.
    setInterval(() => {
      const video = document.querySelector('video');
      type Policy = { recentLoadS: number[]; applied?: Record<string, number>; appliedHttpConcurrency: number; appliedP2PConcurrency: number };
      const policy = (window as unknown as { engine?: { session?: { policy?: Policy } } }).engine?.session?.policy;
      if (!video || !policy) return;
      const ranges = Array.from({ length: video.buffered.length }, (_, i) => video.buffered.end(i)).filter((end, i) => video.buffered.start(i) <= video.currentTime + 0.05 && end > video.currentTime);
      const ahead = ranges.length ? ranges[0] - video.currentTime : 0;
      const w = policy.applied;
      console.log(`policy buffer ${ahead.toFixed(1)} s at ${video.currentTime.toFixed(1)}; http s ${policy.recentLoadS.map((x) => x.toFixed(2)).join(',')}; windows ${w?.highDemandTimeWindow}/${w?.httpDownloadTimeWindow}/${w?.p2pDownloadTimeWindow}; at once http ${policy.appliedHttpConcurrency} p2p ${policy.appliedP2PConcurrency}`);
    }, 1000);
  }, process.env.MESHCAST_BENCH_TRACE_DEBUG ?? 'p2pml-core:*');
}

const sleepUntil = (t0: number, atS: number) => new Promise((r) => setTimeout(r, Math.max(0, t0 + atS * 1000 - Date.now())));

async function launchLocal(): Promise<ViewerBrowser> {
  const server = await chromium.launchServer({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS });
  const browser = await chromium.connect(server.wsEndpoint());
  return { browser, pid: server.process().pid!, close: async () => { await browser.close(); await server.close(); } };
}

/**
 * Plays one scenario plan once against the shared origin and tracker, in a fresh Chromium (or one per
 * viewer on the testbed), and returns what the origin counted, each viewer's last stats and peer
 * connections, and the browsers' CPU and memory.
 */
export async function runPlan(
  server: MeshcastServer,
  plan: ScenarioPlan,
  mode: RunMode,
  log: (msg: string) => void,
  extraQuery: Record<string, string> = {},
  site: BenchSite = { pageUrl: server.url },
): Promise<RunMeasurement> {
  await fetch(`${server.url}/origin/reset`, { method: 'POST' });
  const sampler = new ProcessSampler();
  const shared = site.launch ? undefined : await launchLocal();
  if (shared) sampler.add(shared.pid);
  sampler.start();
  const finalStats: MeshcastStats[] = [];
  const firstSegmentBytes: number[] = [];
  const connections: IceConnection[] = [];
  let usage: { cpuS: number; peakMemMB: number };
  try {
    const t0 = Date.now();
    const session = async (viewer: ViewerPlan) => {
      await sleepUntil(t0, viewer.joinAtS);
      const own = site.launch ? await site.launch(viewer.id) : undefined;
      if (own) sampler.add(own.pid);
      try {
        const query = new URLSearchParams({ ...viewer.query, ...extraQuery, ...(mode === 'http' ? { p2p: '0' } : {}) });
        let firstSegment = () => 0;
        const prepare = async (p: Page) => {
          firstSegment = recordFirstMediaSegment(p, site.pageUrl);
          await traceConsole(p, mode, viewer.id, t0);
        };
        const page: Viewer = await openViewer((own ?? shared!).browser, `${site.pageUrl}/demo/hlsjs.html?${query}`, undefined, ICE_RECORDER, prepare);
        log(`  ${mode} viewer ${viewer.id} joined at ${((Date.now() - t0) / 1000).toFixed(1)} s`);
        await sleepUntil(t0, viewer.leaveAtS);
        const stats = (finalStats[viewer.id] = await page.stats());
        firstSegmentBytes[viewer.id] = firstSegment();
        log(`  ${mode} viewer ${viewer.id} left: ${(stats.httpBytes / 1e6).toFixed(2)} MB over HTTP, ${(stats.p2pBytes / 1e6).toFixed(2)} MB from peers, ${stats.bitrateKbps} kbit/s, ${stats.rebufferCount} rebuffers, ${stats.peers} peers, start-up ${stats.startupMs} ms`);
        connections.push(...(await page.page.evaluate(() => (window as unknown as { __ice: IceConnection[] }).__ice)));
        const errors = await page.fatalErrors();
        if (errors.length > 0) log(`  ${mode} viewer ${viewer.id} fatal errors: ${JSON.stringify(errors)}`);
        await page.close();
      } finally {
        await own?.close();
      }
    };
    await Promise.all(plan.viewers.map(session));
  } finally {
    usage = sampler.stop();
    await shared?.close();
  }
  // Viewers' ids follow their join order.
  return { origin: await server.originBytes(), viewers: finalStats, firstSegmentBytes: plan.viewers.map((v) => firstSegmentBytes[v.id] ?? 0), peerConnections: summarizeIce(connections), ...usage };
}
