import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hashMedia } from '../../src/server/media/hash-media';
import { ROOT } from '../repo-root';
import { useTestbed, type Viewer } from './harness';

const TS_PACKET = 188;

/** An MPEG-TS null packet (PID 0x1FFF): demuxers skip it, so it adds bytes and nothing else. */
function nullPackets(count: number): Buffer {
  const packet = Buffer.alloc(TS_PACKET, 0xff);
  packet.set([0x47, 0x1f, 0xff, 0x10]);
  return Buffer.concat(Array.from({ length: count }, () => packet));
}

/**
 * A media directory for `meshcast serve --media` holding `hd/index.m3u8`: the first `segments` of
 * the committed 360p rendition, each padded with null packets to about `bytesPerSegment`, as a
 * high-bitrate stream's segments would weigh (the committed ladder's fit in one WebRTC message).
 * Playable as is; the caller writes its integrity sidecar (`hashMedia`, as `usePaddedTestbed` does).
 */
export function paddedMediaDir(segments: number, bytesPerSegment: number): string {
  const source = path.join(ROOT, 'demo/media/vod/360p');
  const dir = mkdtempSync(path.join(tmpdir(), 'meshcast-padded-'));
  const hd = path.join(dir, 'hd');
  mkdirSync(hd);
  const lines = ['#EXTM3U', '#EXT-X-VERSION:6', '#EXT-X-TARGETDURATION:2', '#EXT-X-MEDIA-SEQUENCE:0', '#EXT-X-PLAYLIST-TYPE:VOD', '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (let i = 0; i < segments; i += 1) {
    const name = `seg_${String(i).padStart(3, '0')}.ts`;
    const original = readFileSync(path.join(source, name));
    const padding = Math.max(0, Math.ceil((bytesPerSegment - original.length) / TS_PACKET));
    writeFileSync(path.join(hd, name), Buffer.concat([original, nullPackets(padding)]));
    lines.push('#EXTINF:2.000000,', name);
  }
  lines.push('#EXT-X-ENDLIST', '');
  writeFileSync(path.join(hd, 'index.m3u8'), lines.join('\n'));
  return dir;
}

/**
 * For a `describe` block: `meshcast serve` over a padded stream (`paddedMediaDir`, hashed, removed
 * afterwards) and Chromium, plus a list of opened viewers closed after each test. Pages play it at
 * `/media/hd/index.m3u8`.
 */
export function usePaddedTestbed(segments: number, bytesPerSegment: number) {
  const media = paddedMediaDir(segments, bytesPerSegment);
  const bed = useTestbed(['--media', media]);
  const opened: Viewer[] = [];
  beforeAll(async () => {
    await hashMedia(media);
  });
  afterAll(() => rmSync(media, { recursive: true, force: true }));
  afterEach(async () => {
    for (const v of opened.splice(0)) await v.close();
  });
  return { bed, opened };
}
