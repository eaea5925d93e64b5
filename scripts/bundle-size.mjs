// Prints the size of the drop-in bundle and Meshcast's own share of it (README's figures).
// Meshcast's own share: the ESM build (dependencies external) minified the same way.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { minify } from 'terser';

const kib = (bytes) => `${(bytes / 1024).toFixed(0)} KiB`;
const dropin = readFileSync('dist/meshcast.min.js');
const own = Buffer.from((await minify(readFileSync('dist/meshcast.es.js', 'utf8'), { module: true, format: { comments: false } })).code);
console.log(`dist/meshcast.min.js: ${kib(dropin.length)} minified, ${kib(gzipSync(dropin).length)} gzipped`);
console.log(`Meshcast's own code: ${kib(own.length)} minified, ${kib(gzipSync(own).length)} gzipped (${((gzipSync(own).length / gzipSync(dropin).length) * 100).toFixed(0)} % of the gzipped bundle)`);
