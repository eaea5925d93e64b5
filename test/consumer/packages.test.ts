import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import WebSocket from 'ws';
import { launchChromium, openViewer, ROOT, saveArtifact, startMeshcastServer, stopChild, waitFor, type MeshcastServer, type Viewer } from '../e2e/harness';
import { installFootprint, listFiles, npmInstall, packWorkspaces, scratchApp, serveStatic, type PackedPackage } from './scratch-app';

// The packages as their users get them: packed, installed from the tarballs into fresh apps with plain
// `npm install` (install scripts on, no overrides, only the npm registry reachable), built with real
// bundlers and no bundler configuration, and played in real Chromium pages.

const VITE = 'vite@8.3.8';
const WEBPACK = ['webpack@5.113.0', 'webpack-cli@7.3.1'];
const VIDEOJS = 'video.js@8.24.1';
const version = (JSON.parse(readFileSync(path.join(ROOT, 'packages/meshcast/package.json'), 'utf8')) as { version: string }).version;

/** The app's code, the same for both bundlers: video.js with the Meshcast plugin, as README shows it. */
const APP_ENTRY = `import videojs from 'video.js';
import { registerMeshcast } from 'meshcast';

registerMeshcast(videojs);
const params = new URLSearchParams(location.search);
const player = videojs('player', { muted: true, autoplay: true });
player.meshcast({ trackers: [params.get('tracker')] });
player.src({ src: params.get('src'), type: 'application/x-mpegURL' });
window.player = player;
`;
const PLAYER_ELEMENT = '<video id="player" class="video-js" controls muted autoplay width="640" height="360"></video>';

let work: string;
let packed: Record<'meshcast' | 'meshcast-server', PackedPackage>;

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'meshcast-consumer-'));
  packed = packWorkspaces(work);
});
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('npm pack', () => {
  test('meshcast ships its bundles, types and licenses, and nothing else', () => {
    expect(packed.meshcast.files).toEqual([
      'CHANGELOG.md', 'LICENSE', 'README.md',
      'dist/THIRD-PARTY-LICENSES.txt',
      'dist/meshcast.d.ts', 'dist/meshcast.es.js', 'dist/meshcast.es.js.map', 'dist/meshcast.min.js', 'dist/meshcast.min.js.map',
      'package.json',
    ]);
  });

  test('meshcast-server ships the CLI, its Node API and the dashboard, and nothing else', () => {
    expect(packed['meshcast-server'].files).toEqual([
      'CHANGELOG.md', 'LICENSE', 'README.md',
      'dist/THIRD-PARTY-LICENSES.txt',
      'dist/cli.js', 'dist/cli.js.map', 'dist/collector-read-worker.js', 'dist/collector-read-worker.js.map', 'dist/dashboard.js',
      'dist/server-serve.js', 'dist/server-serve.js.map', 'dist/server-store-reader.js', 'dist/server-store-reader.js.map',
      'dist/server-tracker.js', 'dist/server-tracker.js.map',
      'dist/server.d.ts', 'dist/server.js', 'dist/server.js.map',
      'dist/tracker-worker.js', 'dist/tracker-worker.js.map',
      'dist/uPlot.min.css',
      'package.json',
    ]);
  });

  test('the browser package depends on hls.js only, runs no install script and keeps Node out', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'packages/meshcast/package.json'), 'utf8'));
    expect(Object.keys(pkg.dependencies)).toEqual(['hls.js']);
    expect(pkg.peerDependenciesMeta['video.js'].optional).toBe(true);
    expect(pkg.scripts).toBeUndefined();
    expect(pkg.sideEffects).toEqual(['./dist/meshcast.min.js']);
    const esm = readFileSync(path.join(ROOT, 'packages/meshcast/dist/meshcast.es.js'), 'utf8');
    const imports = [...esm.matchAll(/^import [^;]*?from ['"]([^'"]+)['"]/gm)].map((m) => m[1]);
    expect([...new Set(imports)]).toEqual(['hls.js']);
  });
});

describe('a web app installs meshcast and builds it with no bundler configuration', () => {
  let server: MeshcastServer;
  let browser: Browser;
  let footprint: { packages: number; bytes: number };
  /** package-lock.json's packages right after `npm install meshcast` alone. */
  let installedAlone: Record<string, { hasInstallScript?: boolean }>;
  const builds: Record<string, string> = {};

  beforeAll(async () => {
    // Vite app: index.html at the root, its module script, `vite build`.
    const vite = scratchApp(work, 'vite-app');
    npmInstall(vite, [packed.meshcast.tarball]);
    footprint = installFootprint(vite);
    installedAlone = JSON.parse(readFileSync(path.join(vite, 'package-lock.json'), 'utf8')).packages;
    npmInstall(vite, [VIDEOJS, VITE]);
    writeFileSync(path.join(vite, 'index.html'), `<!doctype html><html><body>${PLAYER_ELEMENT}<script type="module" src="/src/main.js"></script></body></html>`);
    writeFileSync(path.join(scratchDir(vite, 'src'), 'main.js'), APP_ENTRY);
    run(vite, 'node_modules/.bin/vite', ['build']);
    builds.vite = path.join(vite, 'dist');

    // webpack app: src/index.js, webpack's zero-config defaults, a page that loads dist/main.js.
    const webpack = scratchApp(work, 'webpack-app');
    npmInstall(webpack, [packed.meshcast.tarball, VIDEOJS, ...WEBPACK]);
    writeFileSync(path.join(scratchDir(webpack, 'src'), 'index.js'), APP_ENTRY);
    run(webpack, 'node_modules/.bin/webpack', ['--mode', 'production']);
    writeFileSync(path.join(webpack, 'dist/index.html'), `<!doctype html><html><body>${PLAYER_ELEMENT}<script src="main.js"></script></body></html>`);
    builds.webpack = path.join(webpack, 'dist');

    server = await startMeshcastServer();
    browser = await launchChromium();
  }, 900_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('installing meshcast brings hls.js and nothing native', () => {
    saveArtifact('consumer-install.json', { date: new Date().toISOString().slice(0, 10), command: 'npm install meshcast-<version>.tgz', ...footprint });
    expect(Object.keys(installedAlone).filter((key) => key.startsWith('node_modules/')).sort()).toEqual(['node_modules/hls.js', 'node_modules/meshcast']);
    expect(Object.values(installedAlone).filter((p) => p.hasInstallScript)).toEqual([]);
    // README states the footprint; it must be what an install gives (hls.js's size may move with its patch releases).
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const [, packages, mb] = /`npm install meshcast` adds (\d+) packages \(([\d.]+) MB on disk\)/.exec(readme) ?? [];
    expect(Number(packages)).toBe(footprint.packages);
    expect(Math.abs(Number(mb) - footprint.bytes / 1e6)).toBeLessThan(Number(mb) * 0.1);
  });

  for (const bundler of ['vite', 'webpack']) {
    test(`${bundler}: two viewers of the built page play and share segments over P2P`, async () => {
      const site = await serveStatic(builds[bundler]);
      const viewers: Viewer[] = [];
      const pageErrors: string[] = [];
      try {
        const url = `${site.url}/?tracker=${encodeURIComponent(server.trackerUrl)}&src=${encodeURIComponent(`${server.url}/media/vod/master.m3u8`)}`;
        const open = async () => {
          const viewer = await openViewer(browser, url, 'window.player.meshcast().stats()');
          viewer.page.on('pageerror', (error) => pageErrors.push(error.message));
          viewers.push(viewer);
          return viewer;
        };
        const first = await open();
        await waitFor('the first viewer to play', () => first.currentTime(), (t) => t > 4);
        const second = await open();
        const stats = await waitFor('P2P bytes at the second viewer', () => second.stats(), (s) => s.p2pBytes > 0, 60_000);
        expect(stats.p2pBytes).toBeGreaterThan(0);
        expect(await second.currentTime()).toBeGreaterThan(0);
        expect((await first.stats()).uploadedBytes).toBeGreaterThan(0);
        expect(pageErrors).toEqual([]);
        for (const viewer of viewers) {
          const network = await viewer.network();
          expect(network.iceServers).toEqual([]);
          expect(new Set(network.sockets)).toEqual(new Set([server.trackerUrl]));
        }
      } finally {
        for (const viewer of viewers) await viewer.close();
        await site.close();
      }
    }, 120_000);
  }

  test('a TypeScript app type-checks against the published types', () => {
    const app = path.join(work, 'vite-app');
    writeFileSync(path.join(app, 'app.ts'), `
      import { MeshcastEngine, registerMeshcast, type MeshcastStats, type MeshcastOptions } from 'meshcast';
      const options: MeshcastOptions = { trackers: ['wss://tracker.example'], integrity: { mode: 'required' } };
      const engine = new MeshcastEngine(options);
      const stats: MeshcastStats = engine.stats();
      const share: number = stats.offloadRatio;
      export { registerMeshcast, share };
    `);
    writeFileSync(path.join(app, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { strict: true, module: 'ESNext', moduleResolution: 'Bundler', target: 'ES2020', lib: ['ES2022', 'DOM'], noEmit: true, skipLibCheck: false, types: [] },
      files: ['app.ts'],
    }));
    const result = spawnSync(path.join(ROOT, 'node_modules/.bin/tsc'), ['-p', app], { encoding: 'utf8' });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});

describe('an operator installs meshcast-server', () => {
  let app: string;
  let child: ChildProcess | undefined;

  beforeAll(() => {
    app = scratchApp(work, 'server-app');
    // meshcast-server depends on meshcast, which is not on the registry before it is published.
    npmInstall(app, [packed.meshcast.tarball, packed['meshcast-server'].tarball]);
  }, 600_000);
  afterAll(async () => {
    if (child) await stopChild(child);
  });

  test('`meshcast serve` starts: tracker, collector, dashboard and metrics answer', async () => {
    child = spawn(path.join(app, 'node_modules/.bin/meshcast'), ['serve', '--port', '0', '--tracker-port', '0', '--db', path.join(app, 'meshcast.db'), '--token', 'operator-token'], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const ready = await waitFor('meshcast serve to be ready', async () => output, (o) => /^ {2}metrics /m.test(o) || child!.exitCode !== null, 30_000);
    const url = /^ {2}http +(\S+)$/m.exec(ready)?.[1];
    const trackerUrl = /^ {2}tracker +(\S+)$/m.exec(ready)?.[1];
    expect(url).toBeDefined();
    expect(trackerUrl).toMatch(/^ws:\/\//);
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ ok: true, version });
    const dashboard = await fetch(`${url}/dashboard/dashboard.js`);
    expect(dashboard.status).toBe(200);
    expect((await dashboard.text()).length).toBeGreaterThan(10_000);
    expect((await fetch(`${url}/dashboard/uPlot.min.css`)).status).toBe(200);
    expect(await (await fetch(`${url}/metrics`)).text()).toContain('meshcast_beacons_total');
    const summary = await fetch(`${url}/v1/summary`, { headers: { authorization: 'Bearer operator-token' } });
    expect(summary.status).toBe(200);
    // The tracker answers a WebSocket upgrade.
    const socket = new WebSocket(trackerUrl!);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', (error) => reject(new Error(`the tracker refused the WebSocket: ${error.message}`)));
    });
    socket.close();
  }, 60_000);

  test('`meshcast hash` and the Node API work from the install', () => {
    const media = path.join(app, 'media');
    cpSync(path.join(ROOT, 'demo/media/vod/360p'), path.join(media, '360p'), { recursive: true, filter: (f) => !f.endsWith('.sha256.json') });
    const hashed = spawnSync(path.join(app, 'node_modules/.bin/meshcast'), ['hash', media], { encoding: 'utf8' });
    expect(hashed.status).toBe(0);
    expect(existsSync(path.join(media, '360p/index.sha256.json'))).toBe(true);
    expect(listFiles(media).filter((f) => f.endsWith('.sha256.json'))).toEqual(['360p/index.sha256.json']);
    const api = spawnSync(process.execPath, ['--input-type=module', '-e', `
      import { hashMedia, startServer, signTrackerToken } from 'meshcast-server';
      console.log(typeof hashMedia, typeof startServer, typeof signTrackerToken);
    `], { cwd: app, encoding: 'utf8' });
    expect(api.stdout.trim()).toBe('function function function');
  });
});

function scratchDir(app: string, name: string): string {
  const dir = path.join(app, name);
  spawnSync('mkdir', ['-p', dir]);
  return dir;
}

function run(cwd: string, bin: string, args: string[]): void {
  const result = spawnSync(path.join(cwd, bin), args, { cwd, encoding: 'utf8', timeout: 300_000 });
  if (result.status !== 0) throw new Error(`${bin} ${args.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
}
