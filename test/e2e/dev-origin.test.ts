import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CLI, ROOT, sleep, startMeshcastServer, type MeshcastServer } from './harness';

const SEGMENT = 'media/vod/360p/seg_004.ts';
const segmentFile = () => readFileSync(path.join(ROOT, 'demo', SEGMENT));

// The real `meshcast serve` process: the dev origin every other test and the benchmark trust.
describe('meshcast serve: dev origin', () => {
  let server: MeshcastServer;

  beforeAll(async () => {
    server = await startMeshcastServer(['--live-window', '10']);
  });
  afterAll(() => server?.stop());
  beforeEach(async () => {
    await fetch(`${server.url}/origin/reset`, { method: 'POST' });
  });

  test('serves VOD segments with CORS, whole and by Range, and 416 for an unsatisfiable range', async () => {
    const whole = await fetch(`${server.url}/${SEGMENT}`, { headers: { Origin: 'https://site.example' } });
    expect(whole.status).toBe(200);
    expect(whole.headers.get('access-control-allow-origin')).toBe('*');
    expect(whole.headers.get('content-type')).toBe('video/mp2t');
    expect(Buffer.from(await whole.arrayBuffer()).equals(segmentFile())).toBe(true);

    const part = await fetch(`${server.url}/${SEGMENT}`, { headers: { Range: 'bytes=100-1099' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-1099/${segmentFile().length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(segmentFile().subarray(100, 1100))).toBe(true);

    const beyond = await fetch(`${server.url}/${SEGMENT}`, { headers: { Range: 'bytes=99999999-' } });
    expect(beyond.status).toBe(416);

    const preflight = await fetch(`${server.url}/${SEGMENT}`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://site.example', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'range' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('range');
  });

  test('counts segment bytes per URL as sent, apart from playlists', async () => {
    const size = segmentFile().length;
    await (await fetch(`${server.url}/${SEGMENT}`)).arrayBuffer();
    await (await fetch(`${server.url}/${SEGMENT}`, { headers: { Range: 'bytes=0-999' } })).arrayBuffer();
    const playlist = await (await fetch(`${server.url}/media/vod/360p/index.m3u8`)).text();
    const report = await server.originBytes();
    expect(report.segments).toEqual({ [`/${SEGMENT}`]: { bytes: size + 1000, requests: 2, size } });
    expect(report).toMatchObject({
      segmentBytes: size + 1000,
      segmentRequests: 2,
      distinctSegmentBytes: size,
      distinctSegments: 1,
      playlistBytes: Buffer.byteLength(playlist),
    });
  });

  test('records the CMCD segment requests carry, in the query or in headers', async () => {
    await fetch(`${server.url}/origin/reset`, { method: 'POST' });
    const query = encodeURIComponent('bl=3000,br=64,d=2000,ot=av,sid="a,b",su');
    await (await fetch(`${server.url}/${SEGMENT}?CMCD=${query}`)).arrayBuffer();
    await (await fetch(`${server.url}/${SEGMENT}`, { headers: { 'CMCD-Request': 'bl=3000,dl=3000', 'CMCD-Object': 'br=64,ot=av', 'CMCD-Session': 'sid="s"' } })).arrayBuffer();
    await (await fetch(`${server.url}/${SEGMENT}`)).arrayBuffer();
    const report = await server.originBytes();
    expect(report.segmentRequests).toBe(3);
    expect(report.cmcd).toEqual({ query: 1, headers: 1, keys: { bl: 2, br: 2, d: 1, ot: 2, sid: 2, su: 1, dl: 1 } });
  });

  test('emulates live: the window slides, media sequence rises, segments are the VOD bytes', async () => {
    const read = async () => {
      const text = await (await fetch(`${server.url}/live/vod/360p/index.m3u8`)).text();
      return { text, sequence: Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(text)![1]) };
    };
    const first = await read();
    expect(first.text).not.toContain('#EXT-X-ENDLIST');
    expect(first.text).not.toContain('#EXT-X-PLAYLIST-TYPE');
    await sleep(4_200);
    const later = await read();
    expect(later.sequence).toBeGreaterThanOrEqual(first.sequence + 2);

    const uris = later.text.split('\n').filter((l) => l.endsWith('.ts'));
    const newest = uris[uris.length - 1];
    const msn = Number(/-live-(\d+)\.ts$/.exec(newest)![1]);
    const live = await fetch(`${server.url}/live/vod/360p/${newest}`);
    expect(live.status).toBe(200);
    const vodFile = readFileSync(path.join(ROOT, `demo/media/vod/360p/seg_${String(msn % 60).padStart(3, '0')}.ts`));
    expect(Buffer.from(await live.arrayBuffer()).equals(vodFile)).toBe(true);

    const future = await fetch(`${server.url}/live/vod/360p/index-live-${msn + 5}.ts`);
    expect(future.status).toBe(404);
    expect((await server.originBytes()).segments[`/live/vod/360p/${newest}`].bytes).toBe(vodFile.length);

    // The live sidecar is kept current: it has the newest live segment, with the VOD file's hash.
    const sidecar = (await (await fetch(`${server.url}/live/vod/360p/index.sha256.json`)).json()) as Record<string, string>;
    expect(sidecar[newest]).toBe(createHash('sha256').update(vodFile).digest('hex'));
  });

  test('serves the VOD sidecars that `meshcast hash` wrote', async () => {
    const response = await fetch(`${server.url}/media/vod/360p/index.sha256.json`);
    expect(response.status).toBe(200);
    const sidecar = (await response.json()) as Record<string, string>;
    expect(Object.keys(sidecar)).toHaveLength(60);
    expect(sidecar['seg_004.ts']).toBe(createHash('sha256').update(segmentFile()).digest('hex'));
  });

  test('never serves a file outside the media folder', async () => {
    for (const probe of ['/media/..%2f..%2fpackage.json', '/media/%2e%2e/%2e%2e/package.json', '/live/..%2f..%2fpackage.json']) {
      const response = await fetch(`${server.url}${probe}`);
      expect(response.status).toBe(404);
    }
  });

  test('reports health', async () => {
    expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ ok: true, version: expect.any(String) });
  });
});

describe('meshcast CLI errors', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

  test.each([
    [['serve', '--port', 'http'], /--port must be a port number 0-65535, got "http"/],
    [['serve', '--tracker-port', '70000'], /--tracker-port must be a port number/],
    [['serve', '--live-window', '1'], /--live-window must be seconds between 6 and 3600/],
    [['serve', '--bogus'], /Unknown option '--bogus'/],
    [['launch'], /unknown command "launch"/],
  ])('%j exits 2 with a message naming the problem', (args, message) => {
    const result = run(...args);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain('Usage:');
  });

  test('hash writes a sidecar per media playlist, is idempotent, and names a missing segment', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'meshcast-hash-'));
    try {
      cpSync(path.join(ROOT, 'demo/media/vod'), dir, { recursive: true });
      for (const rendition of ['240p', '360p', '480p']) rmSync(path.join(dir, rendition, 'index.sha256.json'));
      const first = run('hash', dir);
      expect(first.status).toBe(0);
      expect(first.stdout).toBe(['240p', '360p', '480p'].map((r) => `wrote     ${r}/index.sha256.json (60 segments)\n`).join(''));
      // Same hashes as the committed sidecars, which the dev origin serves.
      expect(readFileSync(path.join(dir, '360p/index.sha256.json'), 'utf8')).toBe(readFileSync(path.join(ROOT, 'demo/media/vod/360p/index.sha256.json'), 'utf8'));
      expect(run('hash', dir).stdout).toContain('unchanged 360p/index.sha256.json (60 segments)');

      unlinkSync(path.join(dir, '480p/seg_007.ts'));
      const broken = run('hash', dir);
      expect(broken.status).toBe(1);
      expect(broken.stderr).toContain('480p/index.m3u8: segment seg_007.ts cannot be read (ENOENT');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('hash keys byte-range segments by file and range, and refuses a range past the file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'meshcast-hash-ranges-'));
    try {
      cpSync(path.join(ROOT, 'demo/media/byterange'), dir, { recursive: true });
      rmSync(path.join(dir, '360p/index.sha256.json'));
      expect(run('hash', dir).status).toBe(0);
      const sidecar = JSON.parse(readFileSync(path.join(dir, '360p/index.sha256.json'), 'utf8')) as Record<string, Record<string, string>>;
      expect(sidecar).toEqual(JSON.parse(readFileSync(path.join(ROOT, 'demo/media/byterange/360p/index.sha256.json'), 'utf8')));
      // The init segment and every media segment: one entry per range, keyed "start-end" (end inclusive).
      const file = readFileSync(path.join(dir, '360p/main.mp4'));
      const ranges = Object.keys(sidecar['main.mp4']);
      expect(ranges[0]).toMatch(/^0-\d+$/);
      expect(Number(ranges.at(-1)!.split('-')[1])).toBe(file.length - 1);
      const [start, end] = ranges[1].split('-').map(Number);
      expect(sidecar['main.mp4'][ranges[1]]).toBe(createHash('sha256').update(file.subarray(start, end + 1)).digest('hex'));

      writeFileSync(path.join(dir, '360p/main.mp4'), file.subarray(0, file.length - 10));
      const broken = run('hash', dir);
      expect(broken.status).toBe(1);
      expect(broken.stderr).toMatch(/byte range \d+@\d+ of main.mp4 ends past the file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a missing media folder is a clear error', () => {
    const result = run('serve', '--port', '0', '--tracker-port', '0', '--media', '/nonexistent/media');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('--media: folder /nonexistent/media does not exist');
  });
});
