import type { Page } from 'playwright-core';

/** MPEG-TS packets are 188 bytes, each starting with the sync byte 0x47. */
const TS_SYNC = 0x47;
const TS_PACKET = 188;

/**
 * Whether a response body is a media segment: MPEG-TS packets, packed audio (ID3 then ADTS), or fMP4
 * holding a movie fragment (`moof`). An fMP4 init segment (`moov`, no `moof`), a playlist or a sidecar
 * is not.
 */
export function isMediaSegment(bytes: Uint8Array): boolean {
  if (bytes.length >= TS_PACKET && bytes[0] === TS_SYNC && (bytes.length < 2 * TS_PACKET || bytes[TS_PACKET] === TS_SYNC)) return true;
  if (bytes.length >= 3 && bytes[0] === 0x49 && bytes[1] === 0x44 && bytes[2] === 0x33) return true; // "ID3": packed audio
  let offset = 0;
  while (offset + 8 <= bytes.length) {
    const view = new DataView(bytes.buffer, bytes.byteOffset + offset, 8);
    const type = String.fromCharCode(bytes[offset + 4], bytes[offset + 5], bytes[offset + 6], bytes[offset + 7]);
    if (type === 'moof') return true;
    if (type === 'moov') return false;
    let size = view.getUint32(0);
    if (size === 1 && offset + 16 <= bytes.length) size = Number(new DataView(bytes.buffer, bytes.byteOffset + offset + 8, 8).getBigUint64(0));
    if (size < 8) return false;
    offset += size;
  }
  return false;
}

/**
 * Records the size of the first media segment a page receives from `origin` (over HTTP: the bytes the
 * first-segment rule costs the origin for this viewer). Attach before the page navigates; read the size
 * once the viewer has played. Only the page's own fetch/XHR responses are looked at, and only until the
 * first segment is found.
 */
export function recordFirstMediaSegment(page: Page, origin: string): () => number {
  let responses = 0;
  let first: { order: number; bytes: number } | undefined;
  page.on('response', async (response) => {
    const order = responses++;
    if ((first && first.order < order) || !response.url().startsWith(origin) || !['fetch', 'xhr'].includes(response.request().resourceType())) return;
    if (response.status() !== 200 && response.status() !== 206) return;
    try {
      const body = await response.body();
      // Bodies arrive out of order: the earliest response that is a segment wins.
      if (isMediaSegment(body) && (!first || order < first.order)) first = { order, bytes: body.length };
    } catch {
      // The page went away, or the request was aborted: no body to look at.
    }
  });
  return () => first?.bytes ?? 0;
}
