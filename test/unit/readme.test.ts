import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

// README's integration snippets must be the demo pages' code, which the e2e tests load.
const readme = readFileSync('README.md', 'utf8');
const fencedBlocks = [...readme.matchAll(/```html\n([\s\S]*?)```/g)].map((m) => m[1]);

const snippets = readdirSync('demo')
  .filter((file) => file.endsWith('.html'))
  .flatMap((file) => {
    const html = readFileSync(`demo/${file}`, 'utf8');
    return [...html.matchAll(/<!-- snippet:([\w-]+) -->\n([\s\S]*?)\s*<!-- \/snippet -->/g)].map((m) => ({ file, name: m[1], code: `${m[2]}\n` }));
  });

test('every demo page snippet is found', () => {
  expect(snippets.map((s) => s.name).sort()).toEqual(['hlsjs-attach', 'video-dropin', 'videojs-dropin', 'videojs-esm']);
});

test.each(snippets.map((s) => [s.name, s]))('README shows the %s snippet exactly as the demo page has it', (_name, snippet) => {
  expect(fencedBlocks).toContain(snippet.code);
});

test("README's drop-in bundle size is the built bundle's, within 3 %", () => {
  expect(existsSync('packages/meshcast/dist/meshcast.min.js')).toBe(true); // npm test builds first
  const [, minified, gzipped] = /`dist\/meshcast\.min\.js` is (\d+) KiB minified, (\d+) KiB gzipped/.exec(readme) ?? [];
  const bundle = readFileSync('packages/meshcast/dist/meshcast.min.js');
  expect(Math.abs(Number(minified) * 1024 - bundle.length) / bundle.length).toBeLessThan(0.03);
  expect(Math.abs(Number(gzipped) * 1024 - gzipSync(bundle).length) / gzipSync(bundle).length).toBeLessThan(0.03);
});
