import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserServer } from 'playwright-core';
import type { AccountingReport } from '../../src/server/origin/byte-accounting';
import { CHROMIUM_ARGS, chromiumPath, startMeshcastServer, stopChild, type MeshcastServer } from '../e2e/harness';
import { checkPrerequisites, delayLineBinary, execIn, sweepStaleRuns } from './net-commands';
import type { NetworkPlan } from './profiles';
import { buildTopology, CDN_ADDRESS, delayConfig, destroyTopology, routeThroughDelayLine, topologyNames, type TopologyNames } from './topology';

const TUN = 'dl0';
const TURN_PORT = 3478;
const TURN_USER = 'meshcast';
const TURN_PASSWORD = 'meshcast-testbed';

/** A Chromium in a viewer's namespace; `pid` is its browser process (for CPU and memory sampling). */
export interface TestbedBrowser {
  browser: Browser;
  pid: number;
  close(): Promise<void>;
}

/** `meshcast serve` inside the cdn namespace: `url` is its host-link address (the test's), `pageUrl` the viewers'. */
export interface TestbedServer extends MeshcastServer {
  pageUrl: string;
}

let runCounter = 0;

/**
 * One run of the network testbed: the namespaces of a plan, the delay line, coturn (STUN, and TURN for
 * viewers given it) and `meshcast serve` on the cdn, and one Chromium per viewer namespace. `destroy`
 * removes all of it; so does the process's exit, and the next run sweeps what a killed run left.
 */
export class NetworkTestbed {
  private readonly children: ChildProcess[] = [];
  private readonly browserServers: BrowserServer[] = [];
  private readonly scratch = mkdtempSync(path.join(tmpdir(), 'meshcast-net-'));
  private readonly onExit = () => this.removeAll();
  private destroyed = false;

  private constructor(readonly names: TopologyNames, readonly plan: NetworkPlan) {}

  static async create(plan: NetworkPlan): Promise<NetworkTestbed> {
    checkPrerequisites();
    sweepStaleRuns();
    // The pid names the run (so a sweep knows whether its owner lives); a counter tells apart two beds of one process.
    const runId = `${process.pid.toString(36)}${(runCounter++).toString(36)}`;
    const bed = new NetworkTestbed(topologyNames(runId, plan.homes.length), plan);
    process.once('exit', bed.onExit);
    try {
      buildTopology(bed.names, plan);
      await bed.startDelayLine();
      await bed.startTurnServer();
    } catch (error) {
      await bed.destroy();
      throw error;
    }
    return bed;
  }

  /** ICE servers for the viewers: coturn's STUN always, its TURN relay when the plan gives it. */
  iceServers(): RTCIceServer[] {
    const servers: RTCIceServer[] = [{ urls: `stun:${CDN_ADDRESS}:${TURN_PORT}` }];
    if (this.plan.turn) servers.push({ urls: `turn:${CDN_ADDRESS}:${TURN_PORT}?transport=udp`, username: TURN_USER, credential: TURN_PASSWORD });
    return servers;
  }

  /** `meshcast serve` on the cdn, listening on every cdn address (viewers use CDN_ADDRESS). */
  async startServer(extraArgs: string[] = []): Promise<TestbedServer> {
    const server = await startMeshcastServer(['--host', '0.0.0.0', ...extraArgs], { netns: this.names.cdn });
    const port = new URL(server.url).port;
    const trackerPort = new URL(server.trackerUrl).port;
    const url = `http://${this.names.cdnHostAddress}:${port}`;
    this.children.push(server.process);
    return {
      ...server,
      url,
      pageUrl: `http://${CDN_ADDRESS}:${port}`,
      trackerUrl: `ws://${CDN_ADDRESS}:${trackerPort}`,
      originBytes: async () => (await (await fetch(`${url}/origin/bytes`)).json()) as AccountingReport,
    };
  }

  /**
   * Chromium inside viewer `index`'s namespace. `secureOrigin` (the page's origin) is treated as secure, as
   * an https page would be, so WebCrypto (segment verification) works over the testbed's plain http.
   */
  async launchBrowser(index: number, secureOrigin: string): Promise<TestbedBrowser> {
    const wrapper = path.join(this.scratch, `chromium-${index}.sh`);
    writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${this.names.viewers[index]} ${chromiumPath()} "$@"\n`);
    chmodSync(wrapper, 0o755);
    const server = await chromium.launchServer({
      executablePath: wrapper,
      headless: true,
      args: [...CHROMIUM_ARGS, `--unsafely-treat-insecure-origin-as-secure=${secureOrigin}`],
    });
    this.browserServers.push(server);
    const browser = await chromium.connect(server.wsEndpoint());
    return {
      browser,
      pid: server.process().pid!,
      close: async () => {
        await browser.close().catch(() => undefined);
        await server.close().catch(() => undefined);
      },
    };
  }

  /** A long-running command in a namespace, ended with the bed. */
  spawnIn(ns: string, command: string, args: string[]): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', ns, command, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.children.push(child);
    return child;
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    await Promise.all(this.browserServers.map((server) => server.close().catch(() => undefined)));
    await Promise.all(this.children.map(stopChild));
    this.removeAll();
    process.removeListener('exit', this.onExit);
  }

  /** Removes the namespaces at once, synchronously (for a signal handler: the processes in them die with them). */
  removeNow(): void {
    this.destroyed = true;
    this.removeAll();
  }

  private removeAll(): void {
    destroyTopology(this.names);
    rmSync(this.scratch, { recursive: true, force: true });
  }

  private async startDelayLine(): Promise<void> {
    const config = path.join(this.scratch, 'delay.conf');
    writeFileSync(config, delayConfig(this.plan));
    const child = this.spawnIn(this.names.core, delayLineBinary(), [TUN, config]);
    await waitForOutput(child, /^ready /m, 'the delay line');
    routeThroughDelayLine(this.names, TUN);
  }

  private async startTurnServer(): Promise<void> {
    const child = this.spawnIn(this.names.cdn, 'turnserver', [
      '-n', '--no-cli', '--no-tls', '--no-dtls', '--log-file', 'stdout', '--simple-log',
      '--listening-ip', CDN_ADDRESS, '--relay-ip', CDN_ADDRESS, '--listening-port', String(TURN_PORT),
      '--min-port', '49152', '--max-port', '59999', '--lt-cred-mech', '--user', `${TURN_USER}:${TURN_PASSWORD}`,
      '--realm', 'meshcast.test', '--pidfile', path.join(this.scratch, 'turnserver.pid'),
    ]);
    const deadline = Date.now() + 10_000;
    while (!execIn(this.names.cdn, 'ss', ['-Hlun', `sport = :${TURN_PORT}`]).trim()) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error('coturn (turnserver) did not start on the cdn namespace');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

function waitForOutput(child: ChildProcess, pattern: RegExp, what: string, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (pattern.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code}:\n${output}`));
    });
  });
}
