import { createHash, webcrypto } from 'node:crypto';
import { SegmentVerifier, sidecarUrlFor } from '../../../../src/browser/integrity/segment-verifier';

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
    // A malformed entry is ignored, not trusted.
    expect(await verifier.verify(`${base}seg_001.ts`, bytes('good'))).toBe('unverified');
    expect(fetched).toEqual([`${base}index.sha256.json`]);
  });

  test('no sidecar: everything is unverified, and the sidecar is not fetched again for VOD', async () => {
    let calls = 0;
    const verifier = new SegmentVerifier(async () => {
      calls += 1;
      throw new Error('404');
    });
    await verifier.addPlaylist(`${base}index.m3u8`, false);
    expect(verifier.hasHashes).toBe(false);
    expect(await verifier.verify(`${base}seg_000.ts`, bytes('x'))).toBe('unverified');
    expect(calls).toBe(1);
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
