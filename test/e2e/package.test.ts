import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium, ROOT, startMeshcastServer, type MeshcastServer } from './harness';

const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string>; overrides: Record<string, string> };
const bin = (name: string) => path.join(ROOT, 'node_modules', '.bin', name);

// The package as npm users get it: packed, installed into a scratch project, imported from there.
describe('npm package', () => {
  let scratch: string;
  let server: MeshcastServer;
  let browser: Browser;

  beforeAll(async () => {
    scratch = mkdtempSync(path.join(tmpdir(), 'meshcast-consumer-'));
    const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', scratch], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n').pop()!;
    writeFileSync(path.join(scratch, 'package.json'), JSON.stringify({
      name: 'consumer',
      private: true,
      type: 'module',
      // An offline consumer needs the same override as this repository (README: installing offline).
      overrides: pkg.overrides,
    }));
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', path.join(scratch, tarball)], { cwd: scratch, stdio: 'pipe' });
    server = await startMeshcastServer();
    browser = await launchChromium();
  }, 170_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  test('ships the bundles, the types and the CLI, and none of the sources or tests', () => {
    const installed = path.join(scratch, 'node_modules/meshcast');
    const files = execFileSync('find', ['.', '-type', 'f'], { cwd: installed, encoding: 'utf8' }).split('\n').map((f) => f.replace(/^\.\//, ''));
    for (const file of ['dist/meshcast.es.js', 'dist/meshcast.d.ts', 'dist/meshcast.min.js', 'dist/cli.js', 'dist/server.js', 'README.md', 'LICENSE']) {
      expect(files).toContain(file);
    }
    expect(files.filter((f) => f.startsWith('src/') || f.startsWith('test/') || f.startsWith('demo/media/'))).toEqual([]);
    const help = spawnSync(path.join(scratch, 'node_modules/.bin/meshcast'), ['--help'], { encoding: 'utf8' });
    expect(help.stdout).toContain('meshcast serve');
  });

  test('the Node entry meshcast/server imports', () => {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', `
      import { hashMedia, startServer } from 'meshcast/server';
      console.log(typeof hashMedia, typeof startServer);
    `], { cwd: scratch, encoding: 'utf8' });
    expect(out.trim()).toBe('function function');
  });

  test('a TypeScript consumer type-checks against the published types', () => {
    writeFileSync(path.join(scratch, 'app.ts'), `
      import { MeshcastEngine, registerMeshcast, type MeshcastStats, type MeshcastOptions } from 'meshcast';
      const options: MeshcastOptions = { trackers: ['wss://tracker.example'], integrity: { mode: 'required' } };
      const engine = new MeshcastEngine(options);
      const stats: MeshcastStats = engine.stats();
      const share: number = stats.offloadRatio;
      export { registerMeshcast, share };
    `);
    writeFileSync(path.join(scratch, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { strict: true, module: 'ESNext', moduleResolution: 'Bundler', target: 'ES2020', lib: ['ES2022', 'DOM'], noEmit: true, skipLibCheck: false, types: [] },
      files: ['app.ts'],
    }));
    const result = spawnSync(bin('tsc'), ['-p', scratch], { encoding: 'utf8' });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  test('a bundler build of the ESM entry plays in the browser', async () => {
    writeFileSync(path.join(scratch, 'entry.js'), `
      import { MeshcastEngine, VERSION } from 'meshcast';
      window.consumer = { MeshcastEngine, VERSION };
    `);
    writeFileSync(path.join(scratch, 'rollup.config.mjs'), `
      import { nodeResolve } from ${JSON.stringify(path.join(ROOT, 'node_modules/@rollup/plugin-node-resolve/dist/es/index.js'))};
      import commonjs from ${JSON.stringify(path.join(ROOT, 'node_modules/@rollup/plugin-commonjs/dist/es/index.js'))};
      export default {
        input: 'entry.js',
        plugins: [nodeResolve({ browser: true, exportConditions: ['p2pml:core-as-bundle'] }), commonjs()],
        output: { file: 'bundle.js', format: 'iife' },
      };
    `);
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules/rollup/dist/bin/rollup'), '-c', 'rollup.config.mjs', '--silent'], { cwd: scratch, stdio: 'pipe' });

    const page = await (await browser.newContext()).newPage();
    await page.route(`${server.url}/consumer.html`, (route) => route.fulfill({ contentType: 'text/html', body: '<video muted autoplay></video>' }));
    await page.route(`${server.url}/consumer-bundle.js`, (route) => route.fulfill({ contentType: 'text/javascript', body: readFileSync(path.join(scratch, 'bundle.js'), 'utf8') }));
    await page.goto(`${server.url}/consumer.html`);
    await page.addScriptTag({ url: '/consumer-bundle.js' });
    const version = await page.evaluate(`(async () => {
      const engine = new consumer.MeshcastEngine({ trackers: [${JSON.stringify(server.trackerUrl)}] });
      engine.load(document.querySelector('video'), '/media/vod/master.m3u8');
      window.engine = engine;
      return consumer.VERSION;
    })()`);
    expect(version).toBe(pkg.version);
    await page.waitForFunction(() => document.querySelector('video')!.currentTime > 3, undefined, { timeout: 30_000 });
    const stats = (await page.evaluate('engine.stats()')) as { segmentsHttp: number; peers: number };
    expect(stats.segmentsHttp).toBeGreaterThan(0);
  });
});
