import { readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import commonjs from '@rollup/plugin-commonjs';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import replace from '@rollup/plugin-replace';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
import { dts } from 'rollup-plugin-dts';

// Start from empty output folders, so no stale bundle or chunk survives a rename.
for (const dir of ['dist', 'build']) rmSync(new URL(`./${dir}`, import.meta.url), { recursive: true, force: true });

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const dependencyNames = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})];
// Bare imports of a dependency or of one of its subpaths stay imports in the ESM and Node builds.
const isDependency = (id) =>
  id.startsWith('node:') ||
  builtinModules.includes(id) ||
  dependencyNames.some((name) => id === name || id.startsWith(`${name}/`));

// p2p-media-loader-hlsjs's lib is tsc output: its `this &&` helper guards and one internal import
// cycle are harmless; anything else still warns.
const onwarn = (warning, warn) => {
  const inDependency = (id) => id?.includes('/node_modules/p2p-media-loader-hlsjs/');
  if (warning.code === 'THIS_IS_UNDEFINED' && inDependency(warning.id)) return;
  if (warning.code === 'CIRCULAR_DEPENDENCY' && warning.ids?.every(inDependency)) return;
  warn(warning);
};

const version = () =>
  replace({ preventAssignment: true, values: { __MESHCAST_VERSION__: JSON.stringify(pkg.version) } });
const ts = () => typescript({ tsconfig: './tsconfig.build.json', outDir: 'dist', sourceMap: true });

export default [
  // ESM build for bundlers: dependencies stay external.
  {
    input: 'src/browser/index.ts',
    external: isDependency,
    plugins: [version(), ts()],
    output: { file: 'dist/meshcast.es.js', format: 'es', sourcemap: true },
  },
  {
    input: 'src/browser/index.ts',
    external: isDependency,
    plugins: [dts({ tsconfig: './tsconfig.build.json' })],
    output: { file: 'dist/meshcast.d.ts', format: 'es' },
  },
  // Script-tag build: hls.js and p2p-media-loader bundled; p2p-media-loader-core through its
  // self-contained browser bundle (export condition below), which spares us Node polyfills.
  {
    input: 'src/browser/dropin/index.ts',
    onwarn,
    plugins: [
      version(),
      nodeResolve({ browser: true, exportConditions: ['p2pml:core-as-bundle', 'browser', 'import', 'default'] }),
      commonjs(),
      ts(),
      terser({ format: { comments: false } }),
    ],
    output: { file: 'dist/meshcast.min.js', format: 'iife', name: 'Meshcast', sourcemap: true },
  },
  // The operator dashboard served at /dashboard (uPlot bundled: the page loads nothing external).
  {
    input: 'src/dashboard/dashboard.ts',
    plugins: [nodeResolve({ browser: true }), commonjs(), ts(), terser({ format: { comments: false } })],
    output: { file: 'dist/dashboard.js', format: 'iife', sourcemap: true },
  },
  // The `meshcast` CLI and its Node API (`meshcast/server`): tracker, dev origin, `hash`.
  {
    input: { cli: 'src/server/cli.ts', server: 'src/server/index.ts' },
    external: isDependency,
    plugins: [version(), ts()],
    output: {
      dir: 'dist',
      format: 'es',
      sourcemap: true,
      entryFileNames: '[name].js',
      chunkFileNames: 'server-[name].js',
      banner: (chunk) => (chunk.name === 'cli' ? '#!/usr/bin/env node' : ''),
    },
  },
  {
    input: 'src/server/index.ts',
    external: isDependency,
    plugins: [dts({ tsconfig: './tsconfig.build.json' })],
    output: { file: 'dist/server.d.ts', format: 'es' },
  },
  // The swarm benchmark (`npm run bench`) and simulator (`npm run sim`): test tooling, built beside the
  // package, never shipped.
  {
    input: { bench: 'test/bench/cli.ts', 'collector-bench': 'test/bench/collector-load.ts', adversary: 'test/adversary/cli.ts', sim: 'test/sim/cli.ts' },
    external: (id) => isDependency(id) || ['playwright-core', 'ws'].includes(id),
    plugins: [typescript({ tsconfig: './tsconfig.json', outDir: 'build', sourceMap: true, noEmit: false, include: ['src/**/*.ts', 'test/bench/*.ts', 'test/adversary/*.ts', 'test/sim/*.ts', 'test/e2e/harness.ts', 'test/repo-root.ts'] })],
    output: { dir: 'build', format: 'es', sourcemap: true, entryFileNames: '[name].js', chunkFileNames: '[name].js' },
  },
];
