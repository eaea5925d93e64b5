import { openViewer, sleep, useTestbed, type Viewer, waitFor } from './harness';

const PLAYER_STATS = "videojs.getPlayers().player.meshcast().stats()";

/** Runs `fn` in the page with the video.js player as its argument. */
function withPlayer<T>(viewer: Viewer, fn: string): Promise<T> {
  return viewer.page.evaluate(`(${fn})(videojs.getPlayers().player)`) as Promise<T>;
}

// video.js 8 with the Meshcast plugin from the ESM build, two real viewers sharing over WebRTC.
describe('video.js plugin (ESM build)', () => {
  const bed = useTestbed();
  const viewers: Viewer[] = [];


  test('plays HLS through Meshcast, not VHS; the second viewer gets P2P bytes; stats event and display', async () => {
    const url = `${bed.server.url}/demo/videojs-esm.html`;
    viewers.push(await openViewer(bed.browser, url, PLAYER_STATS));
    await waitFor('first viewer to buffer', () => viewers[0].stats(), (s) => s.segmentsHttp >= 6, 45_000);
    viewers.push(await openViewer(bed.browser, url, PLAYER_STATS));
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

  test('subtitles show up once in textTracks() and their cues arrive', async () => {
    const viewer = viewers[0];
    await withPlayer(viewer, "(p) => p.src({ src: '/media/captioned/master.m3u8', type: 'application/x-mpegURL' })");
    const english = "(p) => Array.from(p.textTracks()).filter((t) => t.label === 'English')";
    await waitFor('the English track', () => withPlayer<number>(viewer, `(p) => (${english})(p).length`), (n) => n > 0, 20_000);
    await withPlayer(viewer, `(p) => { (${english})(p)[0].mode = 'showing'; }`);
    await waitFor('cues of the English track', () => withPlayer<number>(viewer, `(p) => (${english})(p)[0].cues?.length ?? 0`), (n) => n > 0, 20_000);
    const tracks = await withPlayer<{ videojs: number; native: number; cue: string; hlsTrack: number }>(viewer, `(p) => ({
      videojs: (${english})(p).length,
      native: Array.from(p.tech(true).el().textTracks).filter((t) => t.label === 'English').length,
      cue: (${english})(p)[0].cues[0].text,
      hlsTrack: p.meshcast().engine.hls.subtitleTrack,
    })`);
    expect(tracks.videojs).toBe(1);
    expect(tracks.native).toBeLessThanOrEqual(1);
    expect(tracks.cue).toMatch(/^Meshcast caption \d+$/);
    expect(tracks.hlsTrack).toBe(0);
  });

  test('alternate audio renditions show in audioTracks(); enabling one switches hls.js and playback goes on', async () => {
    const viewer = viewers[0]; // still on the captioned stream, which has two audio renditions
    await waitFor('two audio tracks', () => withPlayer<number>(viewer, '(p) => p.audioTracks().length'), (n) => n === 2, 20_000);
    const labels = await withPlayer<string[]>(viewer, '(p) => Array.from(p.audioTracks()).map((t) => t.label + (t.enabled ? "*" : ""))');
    expect(labels).toEqual(['Main*', 'Commentary']);
    await withPlayer(viewer, "(p) => { Array.from(p.audioTracks()).find((t) => t.label === 'Commentary').enabled = true; }");
    await waitFor('hls.js to switch audio', () => withPlayer<number>(viewer, '(p) => p.meshcast().engine.hls.audioTrack'), (i) => i === 1, 10_000);
    const before = await viewer.currentTime();
    await waitFor('playback to go on', viewer.currentTime, (t) => t > before + 3, 20_000);
    expect(await withPlayer(viewer, '(p) => p.error()')).toBeNull();
    expect(await withPlayer<number>(viewer, '(p) => Array.from(p.audioTracks()).filter((t) => t.enabled).length')).toBe(1);
  });

  test('an invalid plugin option throws naming it and leaves the player as it was; statsDisplay: false hides the display', async () => {
    const page = await (await bed.browser.newContext()).newPage();
    await page.goto(`${bed.server.url}/demo/videojs-esm.html`);
    await page.waitForFunction(() => (window as unknown as { videojs?: { getPlayers(): { player?: unknown } } }).videojs?.getPlayers().player);
    const result = await page.evaluate(`(() => {
      const el = document.createElement('video-js');
      document.body.append(el);
      const player = videojs(el);
      let message = null;
      try { player.meshcast({ trackers: 'ws://x' }); } catch (e) { message = e.message; }
      const pluginAfterError = player.usingPlugin('meshcast');
      player.meshcast({ statsDisplay: false });
      return { message, pluginAfterError, display: player.el().querySelectorAll('.vjs-meshcast-stats').length };
    })()`);
    expect(result).toEqual({
      message: 'Meshcast option "trackers" must be a non-empty array of ws:// or wss:// URLs, got "ws://x"',
      pluginAfterError: false,
      display: 0,
    });
    await page.context().close();
  });

  test('a manifest that fails for a while is recovered; one that keeps failing is a MediaError 2', async () => {
    const page = await (await bed.browser.newContext()).newPage();
    let attempts = 0;
    // hls.js gives up on the manifest after its own retry; Meshcast reloads it and playback starts.
    await page.route('**/media/vod/master.m3u8?flaky', async (route) => {
      attempts += 1;
      if (attempts <= 3) await route.fulfill({ status: 503, body: 'busy' });
      else await route.continue();
    });
    await page.route('**/media/vod/master.m3u8?gone', (route) => route.fulfill({ status: 404, body: 'gone' }));
    await page.goto(`${bed.server.url}/demo/videojs-esm.html`);
    await page.waitForFunction(() => (window as unknown as { videojs?: { getPlayers(): { player?: unknown } } }).videojs?.getPlayers().player);
    await page.evaluate("videojs.getPlayers().player.src({ src: '/media/vod/master.m3u8?flaky', type: 'application/x-mpegURL' })");
    await page.waitForFunction('videojs.getPlayers().player.currentTime() > 2', undefined, { timeout: 30_000 });
    expect(attempts).toBeGreaterThan(3);
    expect(await page.evaluate('videojs.getPlayers().player.error()')).toBeNull();

    await page.evaluate("videojs.getPlayers().player.src({ src: '/media/vod/master.m3u8?gone', type: 'application/x-mpegURL' })");
    await page.waitForFunction('videojs.getPlayers().player.error() !== null', undefined, { timeout: 30_000 });
    expect(await page.evaluate('videojs.getPlayers().player.error().code')).toBe(2);
    await page.context().close();
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
    // Live: infinite duration, a seekable window that moves, and video.js's live UI.
    await waitFor('the live stream to be attached', () => withPlayer<boolean>(viewer, '(p) => p.readyState() > 0 && p.seekable().length > 0'), Boolean, 15_000);
    const live = await withPlayer<{ duration: number; start: number; end: number; live: boolean }>(viewer, `(p) => ({
      duration: p.duration(), start: p.seekable().start(0), end: p.seekable().end(0), live: p.liveTracker.isLive(),
    })`);
    expect(live.duration).toBe(Number.POSITIVE_INFINITY);
    expect(live.end - live.start).toBeGreaterThan(20);
    expect(live.live).toBe(true);

    await sleep(1_000);
    await withPlayer(viewer, '(p) => p.dispose()');
    await waitFor('everything to close', viewer.network, (n) => n.openPeerConnections === 0 && n.openSockets === 0, 10_000);
  });
});
