// Prints the size of the drop-in bundle and Meshcast's own share of it (README's figures).
// Meshcast's own share: the same entry built with hls.js and p2p-media-loader left out, minified alike.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import replace from '@rollup/plugin-replace';
import typescript from '@rollup/plugin-typescript';
import { rollup } from 'rollup';
import { minify } from 'terser';

const kib = (bytes) => `${(bytes / 1024).toFixed(0)} KiB`;
const dropin = readFileSync('packages/meshcast/dist/meshcast.min.js');

const bundle = await rollup({
  input: 'src/browser/dropin/index.ts',
  external: (id) => /^(hls\.js|p2p-media-loader-(core|hlsjs))(\/|$)/.test(id),
  plugins: [
    replace({ preventAssignment: true, values: { __MESHCAST_VERSION__: '"0"' } }),
    nodeResolve({ browser: true }),
    typescript({ tsconfig: './tsconfig.build.json', outDir: 'build/size', sourceMap: false, declaration: false }),
  ],
  onwarn: () => undefined,
});
const { output } = await bundle.generate({ format: 'es' });
const own = Buffer.from((await minify(output[0].code, { module: true, format: { comments: false } })).code);

const gzDropin = gzipSync(dropin).length;
const gzOwn = gzipSync(own).length;
console.log(`dist/meshcast.min.js: ${kib(dropin.length)} minified, ${kib(gzDropin)} gzipped`);
console.log(`Meshcast's own code: ${kib(own.length)} minified, ${kib(gzOwn)} gzipped (${((gzOwn / gzDropin) * 100).toFixed(0)} % of the gzipped bundle)`);
