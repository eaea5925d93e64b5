import { readdirSync, readFileSync } from 'node:fs';
import { isMediaSegment } from '../../bench/first-segment';

const media = (path: string) => new Uint8Array(readFileSync(`demo/media/${path}`));

describe('first media segment detection (the bench\'s duplication floor)', () => {
  test('MPEG-TS and fMP4 media segments are segments; init segments, playlists and sidecars are not', () => {
    const ts = readdirSync('demo/media/vod/360p').find((f) => f.endsWith('.ts'))!;
    expect(isMediaSegment(media(`vod/360p/${ts}`))).toBe(true);
    // The single-file fMP4 stream: its init segment and first media segment, as its playlist's byte ranges cut them.
    const playlist = readFileSync('demo/media/byterange/360p/index.m3u8', 'utf8');
    const [, initLength, initOffset] = /EXT-X-MAP:URI="main.mp4",BYTERANGE="(\d+)@(\d+)"/.exec(playlist)!.map(Number);
    const [, segLength, segOffset] = /EXT-X-BYTERANGE:(\d+)@(\d+)/.exec(playlist)!.map(Number);
    const file = media('byterange/360p/main.mp4');
    expect(isMediaSegment(file.subarray(initOffset, initOffset + initLength))).toBe(false);
    expect(isMediaSegment(file.subarray(segOffset, segOffset + segLength))).toBe(true);
    expect(isMediaSegment(media('vod/master.m3u8'))).toBe(false);
    expect(isMediaSegment(new TextEncoder().encode('{"segments":[]}'))).toBe(false);
    expect(isMediaSegment(new Uint8Array(0))).toBe(false);
  });
});
