import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { infoHashInSwarm } from '../../../src/server/tracker-token';

// patches/p2p-media-loader-core+2.3.1.patch: p2p-media-loader's info hash starts with the swarm's own hash,
// so the tracker can hold a connection to its token's swarm. Both builds Meshcast uses are checked: the
// Node library (the adversary, tests) and the browser bundle rollup puts into `meshcast`.
const hashWith = (module: string, streamSwarmId: string): string => execFileSync(process.execPath, ['--input-type=module', '-e', `
  import(${JSON.stringify(module)}).then(async (m) => {
    const fn = m.getStreamHash ?? (await import(${JSON.stringify(module)})).getStreamHash;
    process.stdout.write(fn(${JSON.stringify(streamSwarmId)}));
  });
`], { encoding: 'utf8' });

describe('p2p-media-loader info hash patch', () => {
  const swarm = 'meshcast/1/cdn.example.com/live-event/master.m3u8';
  const streamSwarmId = `v2-${swarm}-main-3`;

  test('the Node library hashes the swarm first, then the stream, in 20 base64 characters', () => {
    const hash = hashWith('./node_modules/p2p-media-loader-core/lib/utils/peer.js', streamSwarmId);
    const sha1 = (text: string) => createHash('sha1').update(text).digest();
    expect(hash).toBe(Buffer.concat([sha1(swarm).subarray(0, 9), sha1(streamSwarmId).subarray(0, 6)]).toString('base64'));
    expect(infoHashInSwarm(hash, { swarm: 'cdn.example.com/live-event/master.m3u8', expiresAtS: Infinity })).toBe(true);
    expect(infoHashInSwarm(hash, { swarm: 'cdn.example.com/other/master.m3u8', expiresAtS: Infinity })).toBe(false);
    // Renditions of one swarm differ in their last 6 bytes only.
    const other = hashWith('./node_modules/p2p-media-loader-core/lib/utils/peer.js', `v2-${swarm}-secondary-0`);
    expect(other.slice(0, 12)).toBe(hash.slice(0, 12));
    expect(other).not.toBe(hash);
  });

  test('the bundle rollup builds the browser package from carries the same patch', () => {
    // The browser e2e (test/e2e/tracker.test.ts) proves its hashes meet the tracker's check.
    const bundle = readFileSync('node_modules/p2p-media-loader-core/dist/p2p-media-loader-core.es.js', 'utf8');
    expect(bundle).toContain('return btoa(sha1(swarm[1]).slice(0, 9) + sha1(streamId).slice(0, 6));');
  });
});
