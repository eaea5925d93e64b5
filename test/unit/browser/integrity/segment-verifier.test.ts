import { jest } from '@jest/globals';
import { createHash, webcrypto } from 'node:crypto';
import { IntegrityGuard } from '../../../../src/browser/integrity/integrity-guard';
import { SegmentVerifier, SidecarAbsent, sidecarUrlFor } from '../../../../src/browser/integrity/segment-verifier';
import { SessionStats } from '../../../../src/browser/stats/session-stats';

// WebCrypto as in the browser (global in Node 20 only behind a flag in some setups).
if (!globalThis.crypto?.subtle) Object.defineProperty(globalThis, 'crypto', { value: webcrypto });

const bytes = (text: string) => new TextEncoder().encode(text).buffer as ArrayBuffer;
const hex = (text: string) => createHash('sha256').update(text).digest('hex');

describe('sidecarUrlFor', () => {
  test('sits next to the playlist, keeping its query (signed URLs)', () => {
    expect(sidecarUrlFor('https://cdn.example/v/360p/index.m3u8?token=a#x')).toBe('https://cdn.example/v/360p/index.sha256.json?token=a');
  });
});

describe('SegmentVerifier', () => {
  const base = 'https://cdn.example/v/360p/';

  test('valid and invalid segments, looked up by absolute URL without query', async () => {
    const fetched: string[] = [];
    const verifier = new SegmentVerifier(async (url) => {
      fetched.push(url);
      return { 'seg_000.ts': hex('good'), 'seg_001.ts': 'not-a-hash' };
    });
    await verifier.addPlaylist(`${base}index.m3u8`, false);
    expect(await verifier.verify(`${base}seg_000.ts?token=z`, bytes('good'))).toBe('valid');
    expect(await verifier.verify(`${base}seg_000.ts`, bytes('evil'))).toBe('invalid');
    // A malformed entry is ignored, not trusted: the segment counts as missing from its sidecar.
    expect(await verifier.verify(`${base}seg_001.ts`, bytes('good'))).toBe('missing');
    // A segment of another folder has no sidecar of its own: unverified.
    expect(await verifier.verify('https://cdn.example/v/480p/seg_001.ts', bytes('good'))).toBe('unverified');
    expect(fetched).toEqual([`${base}index.sha256.json`]);
  });

  test('no sidecar (404): everything is unverified, and the convention is probed once', async () => {
    let calls = 0;
    const verifier = new SegmentVerifier(async () => {
      calls += 1;
      throw new SidecarAbsent('404');
    });
    await verifier.addPlaylist(`${base}index.m3u8`, false);
    expect(verifier.hasHashes).toBe(false);
    expect(await verifier.verify(`${base}seg_000.ts`, bytes('x'))).toBe('unverified');
    await verifier.addPlaylist(`${base}index.m3u8`, false);
    expect(await verifier.verify(`${base}seg_001.ts`, bytes('x'))).toBe('unverified');
    expect(calls).toBe(1);
  });

  test('no sidecar by convention: the other renditions are not probed', async () => {
    const fetched: string[] = [];
    const verifier = new SegmentVerifier(async (url) => {
      fetched.push(url);
      throw new SidecarAbsent('404');
    });
    await verifier.addPlaylist('https://cdn.example/v/360p/index.m3u8', false);
    await verifier.addPlaylist('https://cdn.example/v/480p/index.m3u8', true);
    expect(await verifier.verify('https://cdn.example/v/480p/seg_000.ts', bytes('x'))).toBe('unverified');
    expect(fetched).toEqual(['https://cdn.example/v/360p/index.sha256.json']);
  });

  test('a manifest the playlist declares replaces the convention for every rendition', async () => {
    const fetched: string[] = [];
    const verifier = new SegmentVerifier(async (url) => {
      fetched.push(url);
      return { '360p/seg_000.ts': hex('a'), '480p/seg_000.ts': hex('b') };
    });
    verifier.declareManifest('https://cdn.example/v/hashes.json');
    await verifier.addPlaylist('https://cdn.example/v/360p/index.m3u8', false);
    await verifier.addPlaylist('https://cdn.example/v/480p/index.m3u8', false);
    expect(await verifier.verify('https://cdn.example/v/480p/seg_000.ts', bytes('b'))).toBe('valid');
    expect(await verifier.verify('https://cdn.example/v/480p/seg_001.ts', bytes('c'))).toBe('missing');
    expect(fetched).toEqual(['https://cdn.example/v/hashes.json']);
  });

  test('byte-range segments are looked up by file and range, as PeerTube writes them', async () => {
    const verifier = new SegmentVerifier(async () => ({ 'main.mp4': { '0-99': hex('init'), '100-199': hex('one'), bad: hex('x') } }));
    await verifier.addPlaylist(`${base}index.m3u8`, false);
    expect(await verifier.verify(`${base}main.mp4`, bytes('one'), { start: 100, end: 199 })).toBe('valid');
    expect(await verifier.verify(`${base}main.mp4`, bytes('two'), { start: 100, end: 199 })).toBe('invalid');
    expect(await verifier.verify(`${base}main.mp4`, bytes('one'), { start: 200, end: 299 })).toBe('missing');
  });

  test('a sidecar fetch that failed is retried after a growing backoff, not remembered as absent', async () => {
    let now = 0;
    let calls = 0;
    const verifier = new SegmentVerifier(async () => {
      calls += 1;
      if (calls <= 2) throw new Error('503');
      return { 'seg_000.ts': hex('good') };
    }, undefined, () => now);
    await verifier.addPlaylist(`${base}index.m3u8`, false);
    expect(await verifier.verify(`${base}seg_000.ts`, bytes('good'))).toBe('unverified');
    expect(calls).toBe(1);
    now = 999;
    await verifier.verify(`${base}seg_000.ts`, bytes('good'));
    expect(calls).toBe(1); // within the first second: not yet
    now = 1000;
    expect(await verifier.verify(`${base}seg_000.ts`, bytes('good'))).toBe('unverified');
    expect(calls).toBe(2); // failed again: next try two seconds later
    now = 2999;
    await verifier.verify(`${base}seg_000.ts`, bytes('good'));
    expect(calls).toBe(2);
    now = 3000;
    expect(await verifier.verify(`${base}seg_000.ts`, bytes('good'))).toBe('valid');
    expect(calls).toBe(3);
  });

  test('live: concurrent segments missing from the sidecar share one refresh; still absent is missing', async () => {
    let calls = 0;
    let release: () => void = () => undefined;
    const verifier = new SegmentVerifier(async () => {
      calls += 1;
      if (calls === 1) return { 'index-live-10.ts': hex('ten') };
      await new Promise<void>((resolve) => (release = resolve));
      return { 'index-live-10.ts': hex('ten'), 'index-live-11.ts': hex('eleven') };
    });
    await verifier.addPlaylist(`${base}index.m3u8`, true);
    const verdicts = Promise.all([
      verifier.verify(`${base}index-live-11.ts`, bytes('eleven')),
      verifier.verify(`${base}index-live-11.ts`, bytes('eleven')),
      verifier.verify(`${base}index-live-12.ts`, bytes('twelve')),
    ]);
    await new Promise((r) => setTimeout(r, 10));
    release();
    expect(await verdicts).toEqual(['valid', 'valid', 'missing']);
    expect(calls).toBe(2);
  });

  test('live: a segment newer than the sidecar triggers one refresh', async () => {
    let version = 0;
    const verifier = new SegmentVerifier(async () => {
      version += 1;
      return version === 1 ? { 'index-live-10.ts': hex('ten') } : { 'index-live-10.ts': hex('ten'), 'index-live-11.ts': hex('eleven') };
    });
    await verifier.addPlaylist(`${base}index.m3u8`, true);
    expect(await verifier.verify(`${base}index-live-11.ts`, bytes('eleven'))).toBe('valid');
    expect(version).toBe(2);
  });

  test('an explicit manifest is used for every playlist, URIs relative to it', async () => {
    const verifier = new SegmentVerifier(async () => ({ '360p/seg_000.ts': hex('a') }), 'https://cdn.example/v/hashes.json');
    expect(await verifier.verify(`${base}seg_000.ts`, bytes('a'))).toBe('valid');
  });
});

describe('IntegrityGuard', () => {
  const realFetch = globalThis.fetch;
  afterEach(() => {
    globalThis.fetch = realFetch;
  });

  test('required with integrity.manifestUrl turns P2P on once the manifest has loaded', async () => {
    let serve: (() => void) | undefined;
    globalThis.fetch = (async () => {
      await new Promise<void>((resolve) => (serve = resolve));
      return new Response(JSON.stringify({ 'seg_000.ts': hex('a') }), { status: 200 });
    }) as typeof fetch;
    let enabled = 0;
    const guard = new IntegrityGuard({ mode: 'required', manifestUrl: 'https://cdn.example/v/hashes.json', verifyHttp: false, maxPeerFailures: 2 }, new SessionStats(), () => (enabled += 1));
    expect(guard.p2pInitiallyDisabled).toBe(true);
    guard.playlistLoaded('https://cdn.example/v/360p/index.m3u8', false);
    await new Promise((r) => setTimeout(r, 10));
    expect(enabled).toBe(0);
    serve!();
    await new Promise((r) => setTimeout(r, 10));
    expect(enabled).toBe(1);
  });

  test('auto: a segment from a peer that its sidecar does not list is refused, without blame on the peer', async () => {
    globalThis.fetch = (async () => new Response(JSON.stringify({ 'seg_000.ts': hex('a') }), { status: 200 })) as typeof fetch;
    const stats = new SessionStats();
    const guard = new IntegrityGuard({ mode: 'auto', manifestUrl: undefined, verifyHttp: false, maxPeerFailures: 1 }, stats, () => undefined);
    guard.playlistLoaded('https://cdn.example/v/360p/index.m3u8', false);
    const validate = guard.hooks().validateP2PSegment!;
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    guard.peers.requestStarted('https://cdn.example/v/360p/seg_009.ts', 'peer-a');
    expect(await validate('https://cdn.example/v/360p/seg_009.ts', undefined, bytes('x'))).toBe(false);
    guard.peers.requestStarted('https://cdn.example/v/360p/seg_000.ts', 'peer-a');
    expect(await validate('https://cdn.example/v/360p/seg_000.ts', undefined, bytes('a'))).toBe(true);
    warn.mockRestore();
    expect(stats.snapshot()).toMatchObject({ integrityFailures: 0, unverifiedP2PBytes: 0 });
    expect(guard.peers.isRefused('peer-a')).toBe(false);
  });
});
