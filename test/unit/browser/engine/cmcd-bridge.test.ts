import { CmcdBridge, cmcdHeaders, withCmcdQuery, withoutCmcdQuery } from '../../../../src/browser/engine/cmcd-bridge';

describe('the CMCD query parameter', () => {
  test.each([
    ['https://cdn.example/a/seg_1.ts?CMCD=bl%3D100', 'https://cdn.example/a/seg_1.ts', 'bl%3D100'],
    ['https://cdn.example/a/seg_1.ts?token=x&CMCD=bl%3D100', 'https://cdn.example/a/seg_1.ts?token=x', 'bl%3D100'],
    ['https://cdn.example/a/seg_1.ts?CMCD=bl%3D100&token=x', 'https://cdn.example/a/seg_1.ts?token=x', 'bl%3D100'],
    ['https://cdn.example/a/seg_1.ts?a=1&CMCD=bl%3D100&b=2', 'https://cdn.example/a/seg_1.ts?a=1&b=2', 'bl%3D100'],
    ['https://cdn.example/a/seg_1.ts?a=1', 'https://cdn.example/a/seg_1.ts?a=1', undefined],
    // Not re-serialized: p2p-media-loader matches the playlist's exact string.
    ['https://cdn.example/a b/seg_1.ts?x=%7e&CMCD=y', 'https://cdn.example/a b/seg_1.ts?x=%7e', 'y'],
  ])('%s without CMCD is %s', (url, stripped, value) => {
    expect(withoutCmcdQuery(url)).toEqual({ url: stripped, cmcd: value });
    if (value !== undefined) expect(withoutCmcdQuery(withCmcdQuery(stripped, value))).toEqual({ url: stripped, cmcd: value });
  });

  test('is appended as hls.js appends it, before a fragment', () => {
    expect(withCmcdQuery('https://cdn.example/s.ts', 'v')).toBe('https://cdn.example/s.ts?CMCD=v');
    expect(withCmcdQuery('https://cdn.example/s.ts?t=1', 'v')).toBe('https://cdn.example/s.ts?t=1&CMCD=v');
    expect(withCmcdQuery('https://cdn.example/s.ts#f', 'v')).toBe('https://cdn.example/s.ts?CMCD=v#f');
  });

  test('headers: only the CMCD ones are carried over', () => {
    expect(cmcdHeaders({ 'CMCD-Request': 'bl=1', Accept: '*/*', 'cmcd-session': 'sid="s"' })).toEqual({ 'CMCD-Request': 'bl=1', 'cmcd-session': 'sid="s"' });
    expect(cmcdHeaders(undefined)).toEqual({});
  });
});

describe('CmcdBridge', () => {
  const signal = new AbortController().signal;

  test("p2p-media-loader's request for a segment hls.js asked for carries hls.js's CMCD, query mode", async () => {
    const bridge = new CmcdBridge();
    expect(bridge.take({ url: 'https://cdn.example/seg_1.ts?CMCD=bl%3D2000%2Csu' })).toBe('https://cdn.example/seg_1.ts');
    const request = await bridge.requestSetup('https://cdn.example/seg_1.ts', undefined, signal, { start: 100 });
    expect(request!.url).toBe('https://cdn.example/seg_1.ts?CMCD=bl%3D2000%2Csu');
    expect(request!.headers.get('range')).toBe('bytes=100-');
  });

  test('header mode: the URL stays, the headers travel; byte ranges identify the segment', async () => {
    const bridge = new CmcdBridge();
    const headers = { 'CMCD-Request': 'bl=2000', 'CMCD-Session': 'sid="s"' };
    expect(bridge.take({ url: 'https://cdn.example/all.mp4', headers, rangeStart: 0, rangeEnd: 1000 })).toBe('https://cdn.example/all.mp4');
    const request = await bridge.requestSetup('https://cdn.example/all.mp4', { start: 0, end: 999 }, signal, { start: 0, end: 999 });
    expect(request!.url).toBe('https://cdn.example/all.mp4');
    expect(request!.headers.get('cmcd-request')).toBe('bl=2000');
    expect(request!.headers.get('cmcd-session')).toBe('sid="s"');
    expect(request!.headers.get('range')).toBe('bytes=0-999');
    // Another range of the same file is another segment, unknown here: p2p-media-loader's own request.
    expect(await bridge.requestSetup('https://cdn.example/all.mp4', { start: 1000, end: 1999 }, signal, undefined)).toBeUndefined();
  });

  test('a segment nobody asked for, without hls.js bound, is left to p2p-media-loader', async () => {
    expect(await new CmcdBridge().requestSetup('https://cdn.example/seg_9.ts', undefined, signal, undefined)).toBeUndefined();
  });
});
