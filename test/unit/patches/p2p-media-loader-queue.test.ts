import { execFileSync } from 'node:child_process';
import path from 'node:path';

// patches/p2p-media-loader-core+2.3.1.patch, three parts Meshcast's live coordination needs:
// - `Core.isSegmentAnnouncedByPeers`: whether a connected peer announced a segment (holds it, or is
//   loading it over HTTP), so a viewer leaves a new live segment to the peer already fetching it;
// - playback updates re-run the download queue each time once 200 ms have passed (browsers report
//   playback about every 250 ms; stock: at most once per second), so a segment that enters the
//   high-demand window starts over HTTP at once, not up to a second late;
// - `applyDynamicConfig` re-runs the queue, so the viewer whose turn it is fetches a new live segment
//   when its windows reach it, not at the next playback update.

const REGISTER = path.resolve('test/unit/patches/node-stubs/register.mjs');

/** Runs `script` against one real p2p-media-loader `Core` (the Node library) playing a live stream of 2 s segments. */
function withCore(script: string, coreConfig: Record<string, unknown> = {}): unknown {
  const out = execFileSync(process.execPath, ['--import', REGISTER, '--input-type=module', '-e', `
    globalThis.window = globalThis;
    globalThis.navigator = { userAgent: 'Node.js' };
    const { Core } = await import('./node_modules/p2p-media-loader-core/lib/core.js');
    const { serializePeerCommand, PeerCommandType } = await import('./node_modules/p2p-media-loader-core/lib/p2p/commands/index.js');
    const { EventEmitter } = await import('node:events');
    const core = new Core({ announceTrackers: ['wss://tracker.invalid'], rtcConfig: { iceServers: [] }, ...${JSON.stringify(coreConfig)} });
    const stream = { runtimeId: 'https://origin.test/live/index.m3u8', type: 'main', index: 0 };
    const url = (sn) => 'https://origin.test/live/seg_' + sn + '.ts';
    core.setManifestResponseUrl('https://origin.test/live/master.m3u8');
    core.setIsLive(true);
    core.addStreamIfNoneExists(stream);
    core.updateStream(stream.runtimeId, [1, 2, 3, 4].map((sn) => ({ runtimeId: url(sn), externalId: sn, url: url(sn), startTime: 2 * sn, endTime: 2 * sn + 2 })));
    // No request ever leaves: the segments stay "loading".
    globalThis.fetch = () => new Promise(() => {});
    core.loadSegment(url(1), { onSuccess() {}, onError() {} });
    await new Promise((resolve) => setTimeout(resolve, 50));
    /** A peer connected through the tracker client, that announces segments (by sequence number). */
    const connectPeer = (name) => {
      const connection = Object.assign(new EventEmitter(), { id: Buffer.from(name.padEnd(20, '0')).toString('hex'), write() { return true; }, destroy() {} });
      globalThis.__trackerClients.at(-1).emit('peer', connection);
      connection.emit('connect');
      return {
        announce: (loaded, httpLoading) => serializePeerCommand({ c: PeerCommandType.SegmentsAnnouncement, l: loaded, p: httpLoading }, 16 * 1024).forEach((b) => connection.emit('data', b)),
      };
    };
    const result = await (async () => { ${script} })();
    process.stdout.write(JSON.stringify(result));
    process.exit(0);
  `], { encoding: 'utf8' });
  return JSON.parse(out);
}

describe('p2p-media-loader queue patch', () => {
  test('a segment counts as announced once a connected peer holds it or loads it over HTTP, and not before', () => {
    expect(withCore(`
      const peer = connectPeer('-PM0000-peer-one');
      const before = [3, 4].map((sn) => core.isSegmentAnnouncedByPeers(url(sn)));
      peer.announce([3], [4]);
      const after = [2, 3, 4].map((sn) => core.isSegmentAnnouncedByPeers(url(sn)));
      return { before, after, unknown: core.isSegmentAnnouncedByPeers('https://origin.test/live/seg_99.ts') };
    `)).toEqual({ before: [false, false], after: [false, true, true], unknown: false });
  });

  test('playback updates re-run the queue once 200 ms have passed, not 1 s', () => {
    const runs = withCore(`
      const loader = core.mainStreamLoader;
      const processQueue = loader.processQueue.bind(loader);
      let runs = 0;
      loader.processQueue = () => { runs += 1; processQueue(); };
      // Playback advancing 100 ms at a time, as hls.js reports it on timeupdate, for 2 s.
      for (let i = 1; i <= 20; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        core.updatePlayback(2 + i * 0.1, 1);
      }
      return runs;
    `) as number;
    // The first update more than 200 ms after the last run: every 300 ms here, 6 or 7 runs in 2 s (stock
    // p2p-media-loader: every 1.1 s, 1 or 2).
    expect(runs).toBeGreaterThanOrEqual(5);
  });

  test('a new dynamic config re-runs the queue at once: a segment its wider high-demand window reaches goes to HTTP', () => {
    const result = withCore(`
      const started = [];
      core.addEventListener('onSegmentStart', ({ segment, downloadSource }) => started.push(downloadSource + ':' + segment.externalId));
      core.updatePlayback(2.1, 1);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const before = [...started];
      // Reach segment 4 (starts at 8 s, 5.9 s ahead) over HTTP; no playback update follows.
      core.applyDynamicConfig({ highDemandTimeWindow: 7, httpDownloadTimeWindow: 7, simultaneousHttpDownloads: 6 });
      await new Promise((resolve) => setTimeout(resolve, 50));
      return { before, after: started };
    `) as { before: string[]; after: string[] };
    expect(result.before).not.toContain('http:4');
    expect(result.after).toContain('http:4');
  });
});

// - `Core.setHttpSeeder`: on a live stream the player chooses which new segments this viewer fetches over
//   HTTP for the swarm (Meshcast's staggered seeding), in place of p2p-media-loader's random background fetch.
describe('p2p-media-loader seeding patch', () => {
  /** Windows that leave segment 1 (playing) in high demand and segments 2 to 4 to peers or the seeder. */
  const NARROW = { highDemandTimeWindow: 1.5, httpDownloadTimeWindow: 10, p2pDownloadTimeWindow: 10, simultaneousHttpDownloads: 6 };

  test('the seeder is offered the segments beyond the high-demand window, newest first, with what peers announced, and those it picks start over HTTP', () => {
    const result = withCore(`
      const started = [];
      core.addEventListener('onSegmentStart', ({ segment, downloadSource }) => started.push(downloadSource + ':' + segment.externalId));
      const peer = connectPeer('-PM0000-peer-one');
      peer.announce([], [3]); // loading it over HTTP: not yet to be had from it
      const offered = [];
      core.setHttpSeeder((id, announced) => { offered.push([Number(/seg_(\\d+)/.exec(id)[1]), announced]); return id.endsWith('seg_4.ts'); });
      await new Promise((resolve) => setTimeout(resolve, 50));
      return { offered: offered.slice(0, 3), started };
    `, NARROW) as { offered: Array<[number, boolean]>; started: string[] };
    expect(result.offered).toEqual([[4, false], [3, true], [2, false]]);
    expect(result.started).toContain('http:4');
    expect(result.started).not.toContain('http:2');
    expect(result.started).not.toContain('http:3');
  });

  test('while a seeder is set, no random background HTTP fetch; without one, p2p-media-loader fetches at random again', () => {
    const result = withCore(`
      const started = [];
      core.addEventListener('onSegmentStart', ({ segment, downloadSource }) => started.push(downloadSource + ':' + segment.externalId));
      core.setHttpSeeder(() => false);
      // One connected peer that has nothing: with a candidate or more, the random fetch is certain.
      connectPeer('-PM0000-peer-one');
      await new Promise((resolve) => setTimeout(resolve, 3500));
      const withSeeder = started.filter((s) => s !== 'http:1');
      core.setHttpSeeder(undefined);
      await new Promise((resolve) => setTimeout(resolve, 3500));
      return { withSeeder, without: started.filter((s) => s !== 'http:1') };
    `, NARROW) as { withSeeder: string[]; without: string[] };
    expect(result.withSeeder).toEqual([]);
    expect(result.without.some((s) => /^http:[234]$/.test(s))).toBe(true);
  });
});
