import { chromium } from 'playwright-core';
import type { MeshcastStats } from '../../src/browser/index';
import { CHROMIUM_ARGS, chromiumPath, openViewer, type MeshcastServer, type Viewer } from '../e2e/harness';
import { ProcessSampler } from './process-sampler';
import type { RunMeasurement } from './report';
import type { ScenarioPlan, ViewerPlan } from './scenarios';

export type RunMode = 'p2p' | 'http';

const sleepUntil = (t0: number, atS: number) => new Promise((r) => setTimeout(r, Math.max(0, t0 + atS * 1000 - Date.now())));

/**
 * Plays one scenario plan once, in a fresh Chromium, against the shared origin and tracker, and
 * returns what the origin counted, each viewer's last stats, and the browser's CPU and memory.
 */
export async function runPlan(server: MeshcastServer, plan: ScenarioPlan, mode: RunMode, log: (msg: string) => void, extraQuery: Record<string, string> = {}): Promise<RunMeasurement> {
  await fetch(`${server.url}/origin/reset`, { method: 'POST' });
  const browserServer = await chromium.launchServer({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS });
  const browser = await chromium.connect(browserServer.wsEndpoint());
  const sampler = new ProcessSampler(browserServer.process().pid!);
  sampler.start();
  const finalStats: MeshcastStats[] = [];
  let usage: { cpuS: number; peakMemMB: number };
  try {
    const t0 = Date.now();
    const session = async (viewer: ViewerPlan) => {
      await sleepUntil(t0, viewer.joinAtS);
      const query = new URLSearchParams({ ...viewer.query, ...extraQuery, ...(mode === 'http' ? { p2p: '0' } : {}) });
      const page: Viewer = await openViewer(browser, `${server.url}/demo/hlsjs.html?${query}`);
      log(`  ${mode} viewer ${viewer.id} joined at ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      await sleepUntil(t0, viewer.leaveAtS);
      finalStats[viewer.id] = await page.stats();
      const errors = await page.fatalErrors();
      if (errors.length > 0) log(`  ${mode} viewer ${viewer.id} fatal errors: ${JSON.stringify(errors)}`);
      await page.close();
    };
    await Promise.all(plan.viewers.map(session));
  } finally {
    usage = sampler.stop();
    await browser.close();
    await browserServer.close();
  }
  return { origin: await server.originBytes(), viewers: finalStats, ...usage };
}
