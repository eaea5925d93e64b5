import { readdirSync, readFileSync } from 'node:fs';

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
