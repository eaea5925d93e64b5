import type { Browser } from 'playwright-core';
import { launchChromium, openViewer, sleep, startMeshcastServer, waitFor, type MeshcastServer, type Viewer } from './harness';

const PLAYER_STATS = "videojs.getPlayers().player.meshcast().stats()";

/** Runs `fn` in the page with the video.js player as its argument. */
function withPlayer<T>(viewer: Viewer, fn: string): Promise<T> {
  return viewer.page.evaluate(`(${fn})(videojs.getPlayers().player)`) as Promise<T>;
}

// video.js 8 with the Meshcast plugin from the ESM build, two real viewers sharing over WebRTC.
describe('video.js plugin (ESM build)', () => {
  let server: MeshcastServer;
  let browser: Browser;
  const viewers: Viewer[] = [];

  beforeAll(async () => {
    server = await startMeshcastServer();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('plays HLS through Meshcast, not VHS; the second viewer gets P2P bytes; stats event and display', async () => {
    const url = `${server.url}/demo/videojs-esm.html`;
    viewers.push(await openViewer(browser, url, PLAYER_STATS));
    await waitFor('first viewer to buffer', () => viewers[0].stats(), (s) => s.segmentsHttp >= 6, 45_000);
    viewers.push(await openViewer(browser, url, PLAYER_STATS));
    await viewers[1].page.evaluate(() => {
      const w = window as unknown as { statsEvents: number; videojs: { getPlayers(): { player: { on(e: string, f: () => void): void } } } };
      w.statsEvents = 0;
      w.videojs.getPlayers().player.on('meshcast:stats', () => { w.statsEvents += 1; });
    });
    await waitFor('second viewer to play 8 s', viewers[1].currentTime, (t) => t > 8, 45_000);

    const second = await viewers[1].stats();
    expect(second.p2pBytes).toBeGreaterThan(0);
    const state = await withPlayer<{ vhs: boolean; error: unknown; display: string; events: number; swarm: string }>(viewers[1], `(p) => ({
      vhs: Boolean(p.tech(true).vhs),
      error: p.error(),
      display: p.el().querySelector('.vjs-meshcast-stats').textContent,
      events: window.statsEvents,
      swarm: p.meshcast().engine.swarmId,
    })`);
    expect(state.vhs).toBe(false);
    expect(state.error).toBeNull();
    expect(state.events).toBeGreaterThanOrEqual(5);
    expect(state.display).toMatch(/^P2P \d+% · [1-9]\d* peers?$/);
    expect(state.swarm).toMatch(/^meshcast\/1\/127\.0\.0\.1:\d+\/media\/vod\/master\.m3u8$/);
  });

  test('a quality change through qualityLevels() constrains hls.js and playback goes on', async () => {
    const viewer = viewers[0];
    const levels = await withPlayer<number>(viewer, '(p) => p.qualityLevels().length');
    expect(levels).toBe(3);
    await withPlayer(viewer, '(p) => { const q = p.qualityLevels(); for (let i = 0; i < q.length; i++) q[i].enabled = i === 0; }');
    await waitFor('hls.js to play the 240p level', () => withPlayer<number>(viewer, '(p) => p.meshcast().engine.hls.currentLevel'), (level) => level === 0, 30_000);
    const selected = await withPlayer<number>(viewer, '(p) => p.qualityLevels().selectedIndex');
    expect(selected).toBe(0);
    const before = await viewer.currentTime();
    await waitFor('playback to go on', viewer.currentTime, (t) => t > before + 3, 20_000);
    expect(await withPlayer(viewer, '(p) => p.error()')).toBeNull();

    // Enabling every level again frees ABR.
    await withPlayer(viewer, '(p) => { const q = p.qualityLevels(); for (let i = 0; i < q.length; i++) q[i].enabled = true; }');
    expect(await withPlayer<number>(viewer, '(p) => p.meshcast().engine.hls.autoLevelEnabled')).toBe(true);
  });

  test('switching the source and disposing the player leave no peer connection or tracker socket open', async () => {
    const viewer = viewers[1];
    const before = await viewer.network();
    expect(before.openPeerConnections).toBeGreaterThan(0);
    expect(before.openSockets).toBeGreaterThan(0);

    await withPlayer(viewer, "(p) => p.src({ src: '/live/vod/master.m3u8', type: 'application/x-mpegURL' })");
    await waitFor('the live source to play', async () => withPlayer<boolean>(viewer, '(p) => !!p.meshcast().engine.hls && p.meshcast().engine.hls.url.includes("/live/")'), Boolean, 10_000);
    // Every connection of the VOD swarm is closed; only the live swarm's may be open.
    const closedOld = await viewer.page.evaluate((count) => {
      const probe = (window as unknown as { __probe: { peerConnections: RTCPeerConnection[] } }).__probe;
      return probe.peerConnections.slice(0, count).every((pc) => pc.signalingState === 'closed');
    }, before.peerConnections);
    expect(closedOld).toBe(true);

    await sleep(1_000);
    await withPlayer(viewer, '(p) => p.dispose()');
    await waitFor('everything to close', viewer.network, (n) => n.openPeerConnections === 0 && n.openSockets === 0, 10_000);
  });
});
