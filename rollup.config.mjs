import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import path from 'node:path';
import commonjs from '@rollup/plugin-commonjs';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import replace from '@rollup/plugin-replace';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
import { dts } from 'rollup-plugin-dts';

// Two packages from one source tree: the browser package `meshcast` (src/browser) and the Node
// package `meshcast-server` (src/server, plus the dashboard page it serves). Each builds into its
// own packages/<name>/dist; the benchmark and simulator into build/ (never shipped).
const BROWSER = 'packages/meshcast';
const SERVER = 'packages/meshcast-server';
const here = (p) => new URL(`./${p}`, import.meta.url);
const require = createRequire(import.meta.url);

// Start from empty output folders, so no stale bundle or chunk survives a rename.
for (const dir of [`${BROWSER}/dist`, `${SERVER}/dist`, 'build', 'dist']) rmSync(here(dir), { recursive: true, force: true });

const readJson = (p) => JSON.parse(readFileSync(here(p), 'utf8'));
const browserPkg = readJson(`${BROWSER}/package.json`);
const serverPkg = readJson(`${SERVER}/package.json`);
const rootPkg = readJson('package.json');

const isBuiltin = (id) => id.startsWith('node:') || builtinModules.includes(id);
const dependencyOf = (pkg) => {
  const names = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})];
  return (id) => isBuiltin(id) || names.some((name) => id === name || id.startsWith(`${name}/`));
};
const devDependency = dependencyOf({ dependencies: rootPkg.devDependencies });

// Each package's README and LICENSE are the repository's; the licenses of what a bundle carries
// inside go beside it.
function packageFiles() {
  return {
    name: 'package-files',
    buildStart() {
      for (const dir of [BROWSER, SERVER]) {
        for (const file of ['README.md', 'LICENSE', 'CHANGELOG.md']) copyFileSync(here(file), here(`${dir}/${file}`));
      }
    },
  };
}
function thirdPartyLicenses(dir, names) {
  return {
    name: 'third-party-licenses',
    writeBundle() {
      const parts = names.map((name) => {
        const pkgDir = here(`node_modules/${name}`).pathname;
        const { version, license } = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
        const text = ['LICENSE', 'LICENSE.md', 'license'].map((f) => { try { return readFileSync(path.join(pkgDir, f), 'utf8'); } catch { return undefined; } }).find(Boolean);
        return `${name}@${version} (${license})\n\n${text ?? `Licensed under ${license}.`}`;
      });
      mkdirSync(here(`${dir}/dist`), { recursive: true });
      writeFileSync(here(`${dir}/dist/THIRD-PARTY-LICENSES.txt`), `Bundled in this package:\n\n${parts.join('\n\n---\n\n')}\n`);
    },
  };
}

// p2p-media-loader-hlsjs's lib is tsc output: its `this &&` helper guards and one internal import
// cycle are harmless; anything else still warns.
const onwarn = (warning, warn) => {
  const inDependency = (id) => /\/node_modules\/(p2p-media-loader-hlsjs|bittorrent-tracker)\//.test(id ?? '');
  if (warning.code === 'THIS_IS_UNDEFINED' && inDependency(warning.id)) return;
  if (warning.code === 'CIRCULAR_DEPENDENCY' && warning.ids?.every(inDependency)) return;
  warn(warning);
};

const version = (pkg) =>
  replace({ preventAssignment: true, values: { __MESHCAST_VERSION__: JSON.stringify(pkg.version) } });
const ts = (outDir) => typescript({ tsconfig: './tsconfig.build.json', outDir, sourceMap: true });
// p2p-media-loader-core through its self-contained browser bundle (its export condition): its
// default build imports Node's `events`, which zero-config bundlers externalize, and its npm
// dependencies pull a native WebRTC module that cannot install offline. So p2p-media-loader
// (pinned, 2.3.1) travels inside the browser package, and only hls.js stays a dependency.
const browserResolve = () => nodeResolve({ browser: true, exportConditions: ['p2pml:core-as-bundle', 'browser', 'import', 'default'] });

export default [
  // ESM build for bundlers: hls.js stays external, p2p-media-loader is inside.
  {
    input: 'src/browser/index.ts',
    external: dependencyOf(browserPkg),
    onwarn,
    plugins: [packageFiles(), version(browserPkg), browserResolve(), ts(`${BROWSER}/dist`), thirdPartyLicenses(BROWSER, ['p2p-media-loader-core', 'p2p-media-loader-hlsjs'])],
    output: { file: `${BROWSER}/dist/meshcast.es.js`, format: 'es', sourcemap: true },
  },
  {
    input: 'src/browser/index.ts',
    external: dependencyOf(browserPkg),
    plugins: [dts({ tsconfig: './tsconfig.build.json', respectExternal: true })],
    output: { file: `${BROWSER}/dist/meshcast.d.ts`, format: 'es' },
  },
  // Script-tag build: hls.js and p2p-media-loader bundled.
  {
    input: 'src/browser/dropin/index.ts',
    onwarn,
    plugins: [version(browserPkg), browserResolve(), commonjs(), ts(`${BROWSER}/dist`), terser({ format: { comments: false } })],
    output: { file: `${BROWSER}/dist/meshcast.min.js`, format: 'iife', name: 'Meshcast', sourcemap: true },
  },
  // The operator dashboard the server serves at /dashboard (uPlot bundled: the page loads nothing external).
  {
    input: 'src/dashboard/dashboard.ts',
    plugins: [
      nodeResolve({ browser: true }),
      commonjs(),
      ts(`${SERVER}/dist`),
      terser({ format: { comments: false } }),
      { name: 'uplot-css', writeBundle: () => copyFileSync(require.resolve('uplot/dist/uPlot.min.css'), here(`${SERVER}/dist/uPlot.min.css`)) },
    ],
    output: { file: `${SERVER}/dist/dashboard.js`, format: 'iife', sourcemap: true },
  },
  // The `meshcast` CLI and its Node API (`meshcast-server`). bittorrent-tracker's server is bundled:
  // as an npm dependency its client side would pull the same native WebRTC module as above.
  {
    input: { cli: 'src/server/cli.ts', server: 'src/server/index.ts', 'tracker-worker': 'src/server/tracker-worker.ts', 'collector-read-worker': 'src/server/collector/read-worker.ts' },
    external: dependencyOf(serverPkg),
    onwarn,
    plugins: [
      version(serverPkg),
      nodeResolve({ preferBuiltins: true, exportConditions: ['node', 'import', 'default'] }),
      commonjs(),
      ts(`${SERVER}/dist`),
      thirdPartyLicenses(SERVER, ['bittorrent-tracker', 'bencode', 'bittorrent-peerid', 'debug', 'ms', 'run-series', 'string2compact', 'uint8-util']),
    ],
    output: {
      dir: `${SERVER}/dist`,
      format: 'es',
      sourcemap: true,
      entryFileNames: '[name].js',
      chunkFileNames: 'server-[name].js',
      banner: (chunk) => (chunk.name === 'cli' ? '#!/usr/bin/env node' : ''),
    },
  },
  {
    input: 'src/server/index.ts',
    external: dependencyOf(serverPkg),
    plugins: [dts({ tsconfig: './tsconfig.build.json' })],
    output: { file: `${SERVER}/dist/server.d.ts`, format: 'es' },
  },
  // The swarm benchmark (`npm run bench`) and simulator (`npm run sim`): test tooling, never shipped.
  {
    input: { bench: 'test/bench/cli.ts', 'collector-bench': 'test/bench/collector-load.ts', 'tracker-bench': 'test/bench/tracker-load.ts', adversary: 'test/adversary/cli.ts', sim: 'test/sim/cli.ts' },
    external: devDependency,
    plugins: [typescript({ tsconfig: './tsconfig.json', outDir: 'build', sourceMap: true, noEmit: false, include: ['src/**/*.ts', 'test/bench/*.ts', 'test/net/*.ts', 'test/adversary/*.ts', 'test/sim/*.ts', 'test/e2e/harness.ts', 'test/repo-root.ts'] })],
    output: { dir: 'build', format: 'es', sourcemap: true, entryFileNames: '[name].js', chunkFileNames: '[name].js' },
  },
];
