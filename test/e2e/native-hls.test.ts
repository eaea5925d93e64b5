import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium, openViewer, ROOT, saveArtifact, sleep, startMeshcastServer, waitFor, type MeshcastServer } from './harness';

// Chromium answers canPlayType('application/vnd.apple.mpegurl') with "maybe": a <video> with an HLS
// source starts the browser's own HLS pipeline as soon as it is parsed. Once Meshcast takes a <video>
// over, that pipeline must not have fetched segments for it. Each page shape gets its own copy of the
// stream's path (a symlink), so the origin's per-path count is that viewer's alone.

const VIDEOJS = '<script src="/vendor/video.js/dist/video.min.js"></script>';
interface Shape {
  name: string;
  /**
   * Where the browser's pipeline gets ahead of Meshcast: the tag at the end of <body> runs after the
   * browser has started on the <video> above it, and no script can run earlier from there. Measured and
   * kept in test-results/native-hls.json, not asserted (README, "Where the tag goes").
   */
  gap?: true;
  /** The page, given the media URL and the drop-in tag. */
  html(media: string, tag: string): string;
  /** Page expression for the viewer's Meshcast stats. */
  stats: string;
}
const plain = "Meshcast.stats(document.querySelector('video'))";
const player = 'Meshcast.stats(Object.values(videojs.getPlayers())[0])';
const SHAPES: Shape[] = [
  { name: 'video-src-body', gap: true, stats: plain, html: (m, tag) => `<video src="${m}" muted autoplay></video>${tag}` },
  { name: 'video-src-head', stats: plain, html: (m, tag) => `<head>${tag}</head><body><video src="${m}" muted autoplay></video></body>` },
  { name: 'video-source-body', gap: true, stats: plain, html: (m, tag) => `<video muted autoplay><source src="${m}" type="application/x-mpegURL"></video>${tag}` },
  { name: 'video-source-head', stats: plain, html: (m, tag) => `<head>${tag}</head><body><video muted autoplay><source src="${m}" type="application/x-mpegURL"></video></body>` },
  { name: 'video-added-later', stats: plain, html: (m, tag) => `${tag}<script>setTimeout(() => document.body.insertAdjacentHTML('beforeend', '<video src="${m}" muted autoplay></video>'), 300);</script>` },
  {
    name: 'videojs-data-setup',
    gap: true,
    stats: player,
    html: (m, tag) => `<video id="p" class="video-js" muted autoplay data-setup="{}"><source src="${m}" type="application/x-mpegURL"></video>${VIDEOJS}${tag}`,
  },
  {
    name: 'videojs-data-setup-head',
    stats: player,
    html: (m, tag) => `<head>${VIDEOJS}${tag}</head><body><video id="p" class="video-js" muted autoplay data-setup="{}"><source src="${m}" type="application/x-mpegURL"></video></body>`,
  },
  {
    name: 'videojs-created-later',
    stats: player,
    html: (m, tag) => `${VIDEOJS}${tag}<video id="p" class="video-js" muted autoplay></video><script>setTimeout(() => videojs('p').src({ src: '${m}', type: 'application/x-mpegURL' }), 300);</script>`,
  },
];

describe("the browser's own HLS pipeline fetches nothing for a <video> Meshcast takes over", () => {
  let media: string;
  let server: MeshcastServer;
  let browser: Browser;

  beforeAll(async () => {
    media = mkdtempSync(path.join(tmpdir(), 'meshcast-native-hls-'));
    for (const shape of SHAPES) symlinkSync(path.join(ROOT, 'demo/media/vod'), path.join(media, shape.name));
    server = await startMeshcastServer(['--media', media]);
    browser = await launchChromium();
  });
  const measured: Record<string, unknown> = {};
  afterAll(async () => {
    saveArtifact('native-hls.json', measured);
    await browser?.close();
    await server?.stop();
    rmSync(media, { recursive: true, force: true });
  });

  test.each(SHAPES.map((s) => [s.name, s]))('%s', async (_name, shape) => {
    const tag = `<script src="/dist/meshcast.min.js" data-trackers="${server.trackerUrl}" data-swarm-id="native-hls-${shape.name}"></script>`;
    const pageUrl = `${server.url}/pages/${shape.name}.html`;
    const viewer = await openViewer(browser, 'about:blank', shape.stats);
    try {
      await viewer.page.route(pageUrl, (route) => route.fulfill({ contentType: 'text/html', body: `<!doctype html>${shape.html(`/media/${shape.name}/master.m3u8`, tag)}` }));
      await viewer.page.goto(pageUrl);
      await waitFor('the page to play 6 s', () => viewer.page.evaluate(() => document.querySelector('video')?.currentTime ?? 0), (t) => t > 6, 45_000);
      // Paused, the player fills its buffer and stops asking: then both counts are final.
      await viewer.page.evaluate(() => document.querySelector('video')!.pause());
      const settled = async () => {
        const origin = await server.originBytes();
        const bytes = Object.entries(origin.segments).filter(([url]) => url.startsWith(`/media/${shape.name}/`));
        return { origin: bytes.reduce((sum, [, e]) => sum + e.bytes, 0), twice: bytes.filter(([, e]) => e.requests > 1).map(([url]) => url), http: (await viewer.stats()).httpBytes };
      };
      let last = await settled();
      for (;;) {
        await sleep(2_000);
        const now = await settled();
        if (now.origin === last.origin && now.http === last.http) break;
        last = now;
      }
      measured[shape.name] = { originSegmentBytes: last.origin, statsHttpBytes: last.http, fetchedTwice: last.twice };
      expect(last.origin).toBeGreaterThan(0);
      if (shape.gap) return;
      expect(last.twice).toEqual([]);
      expect(last.origin).toBeLessThanOrEqual(last.http);
    } finally {
      await viewer.close();
    }
  }, 120_000);
});
