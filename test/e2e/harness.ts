import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { MeshcastStats } from '../../src/browser/index';
import { ROOT } from '../repo-root';

export { ROOT };
/** The `meshcast` CLI as the server package ships it. */
export const CLI = path.join(ROOT, 'packages/meshcast-server/dist/cli.js');

/** The flags agreed in DESIGN.md: headless, no background traffic, WebRTC over loopback. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
  '--allow-loopback-in-peer-connection',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

import type { AccountingReport } from '../../src/server/origin/byte-accounting';

/** The operator token every test server is started with. */
export const TEST_TOKEN = 'test-operator-token';

export interface MeshcastServer {
  url: string;
  trackerUrl: string;
  process: ChildProcess;
  originBytes(): Promise<AccountingReport>;
  stop(): Promise<void>;
}

/**
 * Starts the real `meshcast serve` CLI (as built for meshcast-server) on free ports with the demo media and
 * pages; `netns` runs it inside that network namespace (the network testbed).
 */
export async function startMeshcastServer(extraArgs: string[] = [], { netns }: { netns?: string } = {}): Promise<MeshcastServer> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  // MESHCAST_CPU_PROF=DIR writes the server's CPU profile there when it exits (benchmarks).
  const profile = process.env.MESHCAST_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.MESHCAST_CPU_PROF}`] : [];
  const [command, prefix] = netns ? ['ip', ['netns', 'exec', netns, process.execPath]] : [process.execPath, []];
  const child = spawn(
    command,
    [...prefix, ...profile, CLI, 'serve', '--port', '0', '--tracker-port', '0', '--media', path.join(ROOT, 'demo/media'), '--demo', path.join(ROOT, 'demo'),
      ...(extraArgs.includes('--store') ? [] : ['--db', ':memory:']), '--token', TEST_TOKEN,
      // Every test viewer and beacon comes from 127.0.0.1; the plausibility tests set their own limit.
      '--sessions-per-address', '100000', ...extraArgs],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const ready = new Promise<{ url: string; trackerUrl: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`meshcast serve did not start:\n${output}`)), 15_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /^ {2}http +(\S+)$/m.exec(output)?.[1];
      const trackerUrl = /^ {2}tracker +(\S+)$/m.exec(output)?.[1];
      if (url && trackerUrl && /^ {2}bytes /m.test(output)) {
        clearTimeout(timer);
        resolve({ url, trackerUrl });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`meshcast serve exited with ${code}:\n${output}`));
    });
  });
  const { url, trackerUrl } = await ready;
  return {
    url,
    trackerUrl,
    process: child,
    originBytes: async () => (await (await fetch(`${url}/origin/bytes`)).json()) as AccountingReport,
    // A client still connected to its tracker must not keep it (and the test run) alive.
    stop: () => stopChild(child),
  };
}

/** Asks a child process to end (SIGTERM), kills it if it has not within 5 s, and resolves once it exited. */
export function stopChild(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** A TCP port nothing listens on (bound, then released). */
export function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Debian's Chromium (or CHROMIUM_PATH); never a browser downloaded by a test tool. */
export function chromiumPath(): string {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    throw new Error(`Chromium not found at ${executablePath}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  }
  return executablePath;
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS });
}

/**
 * Records, inside the page, every RTCPeerConnection's ICE servers and every WebSocket URL, so a
 * test can prove nothing public (PML's default trackers and STUN servers) was contacted.
 */
const NETWORK_PROBE = () => {
  const w = window as unknown as { __probe: { iceServers: unknown[]; sockets: string[]; socketObjects: WebSocket[]; peerConnections: RTCPeerConnection[] } };
  w.__probe = { iceServers: [], sockets: [], socketObjects: [], peerConnections: [] };
  const NativePC = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends NativePC {
    constructor(config?: RTCConfiguration) {
      super(config);
      w.__probe.iceServers.push(...(config?.iceServers ?? []));
      w.__probe.peerConnections.push(this);
    }
  } as typeof RTCPeerConnection;
  const NativeWS = window.WebSocket;
  window.WebSocket = class extends NativeWS {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      w.__probe.sockets.push(String(url));
      w.__probe.socketObjects.push(this);
    }
  } as typeof WebSocket;
};

export interface Viewer {
  page: Page;
  context: BrowserContext;
  stats(): Promise<MeshcastStats>;
  currentTime(): Promise<number>;
  fatalErrors(): Promise<Array<{ type: string; details: string; message: string }>>;
  network(): Promise<{ iceServers: unknown[]; sockets: string[]; openSockets: number; peerConnections: number; openPeerConnections: number }>;
  close(): Promise<void>;
}

/**
 * Opens a page in its own BrowserContext (its own storage, its own peer identity). `statsOf` is
 * the page expression that yields the viewer's Meshcast stats; `initScript` runs before the page's own;
 * `prepare` gets the page before it navigates (e.g. to throttle its network).
 */
export async function openViewer(browser: Browser, url: string, statsOf = 'window.engine.stats()', initScript?: string, prepare?: (page: Page) => Promise<void>): Promise<Viewer> {
  const context = await browser.newContext();
  await context.addInitScript(NETWORK_PROBE);
  if (initScript) await context.addInitScript(initScript);
  const page = await context.newPage();
  if (process.env.MESHCAST_TEST_DEBUG) page.on('console', (msg) => console.log(`[page] ${msg.text()}`));
  await prepare?.(page);
  await page.goto(url);
  return {
    page,
    context,
    // Pages create their engine after start-up work (e.g. fetching their config): wait until the
    // stats expression can be evaluated at all.
    stats: async () => {
      await page.waitForFunction(`(() => { try { ${statsOf}; return true; } catch { return false; } })()`);
      return page.evaluate(statsOf) as Promise<MeshcastStats>;
    },
    currentTime: () => page.evaluate(() => document.querySelector('video')!.currentTime),
    fatalErrors: () => page.evaluate(() => (window as unknown as { fatalErrors: [] }).fatalErrors ?? []),
    network: () =>
      page.evaluate(() => {
        const probe = (window as unknown as {
          __probe: { iceServers: unknown[]; sockets: string[]; socketObjects: WebSocket[]; peerConnections: RTCPeerConnection[] };
        }).__probe;
        return {
          iceServers: probe.iceServers,
          sockets: probe.sockets,
          openSockets: probe.socketObjects.filter((ws) => ws.readyState !== WebSocket.CLOSED).length,
          peerConnections: probe.peerConnections.length,
          openPeerConnections: probe.peerConnections.filter((pc) => pc.signalingState !== 'closed').length,
        };
      }),
    close: () => context.close(),
  };
}

/**
 * The testbed of an e2e file: one `meshcast serve` and one Chromium for all its tests, started
 * before them and stopped after. Read `server` and `browser` inside tests (they exist from beforeAll).
 */
export function useTestbed(serverArgs: string[] = []): { readonly server: MeshcastServer; readonly browser: Browser } {
  const bed = {} as { server: MeshcastServer; browser: Browser };
  beforeAll(async () => {
    bed.server = await startMeshcastServer(serverArgs);
    bed.browser = await launchChromium();
  });
  afterAll(async () => {
    await bed.browser?.close();
    await bed.server?.stop();
  });
  return bed;
}

/** Polls `read` until `done` holds, or fails with the last value seen. */
export async function waitFor<T>(
  what: string,
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await read();
  while (!done(last)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 500));
    last = await read();
  }
  return last;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Keeps a measured figure as a test artifact under test-results/ (e.g. for README's numbers). */
export function saveArtifact(name: string, data: unknown): void {
  const dir = path.join(ROOT, 'test-results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, name), `${JSON.stringify(data, null, 2)}\n`);
}

/**
 * For `openViewer`'s `prepare`: the page's segment downloads held to `bytesPerS` together, as on a
 * slow home link (Chromium's own throttling, by URL so the page and its scripts load at full speed;
 * WebRTC is not throttled).
 */
export const slowSegments = (bytesPerS: number) => async (page: Page) => {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditionsByRule' as 'Network.emulateNetworkConditions', {
    offline: false,
    matchedNetworkConditions: [{ urlPattern: '*://*:*/*seg_*.ts', latency: 20, downloadThroughput: bytesPerS, uploadThroughput: -1 }],
  } as never);
};
