// Turns an fMP4 HLS rendition whose segments hold several fragments (ffmpeg's HLS muxer with
// frag_duration) into a VOD playlist that lists each fragment as an LL-HLS part: EXT-X-PART-INF and, before
// each segment, one EXT-X-PART per fragment (its byte range of the segment file and its duration), the
// first of each segment INDEPENDENT. ffmpeg leaves the first segment's fragments in init.mp4; they are
// moved into the first segment. The dev origin serves such a stream as LL-HLS under /ll/.
// Usage: node mark-parts.mjs RENDITION_DIR   (the folder of index.m3u8, init.mp4 and *.m4s)
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { childBox, parseBoxes, serializeBoxes, trackTimescales, trafDuration } from './mp4-boxes.mjs';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node mark-parts.mjs RENDITION_DIR');
  process.exit(2);
}
const playlistFile = path.join(dir, 'index.m3u8');
const lines = readFileSync(playlistFile, 'utf8').trimEnd().split('\n');
const segmentUris = lines.filter((line) => line && !line.startsWith('#'));

const initBoxes = parseBoxes(readFileSync(path.join(dir, 'init.mp4')));
const moovAt = initBoxes.findIndex((box) => box.type === 'moov');
const stray = initBoxes.slice(moovAt + 1);
if (stray.length > 0) {
  writeFileSync(path.join(dir, 'init.mp4'), serializeBoxes(initBoxes.slice(0, moovAt + 1)));
  const first = path.join(dir, segmentUris[0]);
  const firstBoxes = parseBoxes(readFileSync(first));
  const styp = firstBoxes.filter((box) => box.type === 'styp');
  writeFileSync(first, serializeBoxes([...styp, ...stray, ...firstBoxes.filter((box) => box.type !== 'styp')]));
}
const timescales = trackTimescales(initBoxes[moovAt]);
const [firstTrack] = timescales.keys();

/** Each fragment of a segment file: the boxes up to and including its mdat, with its duration in seconds. */
function partsOf(file) {
  const parts = [];
  let start = 0;
  let at = 0;
  let duration = 0;
  for (const box of parseBoxes(readFileSync(file))) {
    if (box.type === 'moof') {
      const traf = box.children.find((c) => c.type === 'traf' && childBox(c, 'tfhd').body.readUInt32BE(4) === firstTrack);
      duration = traf ? trafDuration(traf) / timescales.get(firstTrack) : 0;
    }
    at += box.size;
    if (box.type === 'mdat') {
      parts.push({ offset: start, length: at - start, duration });
      start = at;
    }
  }
  return parts;
}

/** Fragments shorter than this (a last audio-only scrap) join the part before them. */
const MIN_PART_S = 0.05;
const out = [];
let partTarget = 0;
lines.forEach((line, index) => {
  if (line.startsWith('#EXTINF')) {
    const uri = lines.slice(index + 1).find((next) => next && !next.startsWith('#'));
    const parts = [];
    for (const part of partsOf(path.join(dir, uri))) {
      const previous = parts.at(-1);
      if (previous && part.duration < MIN_PART_S) {
        previous.length += part.length;
        previous.duration += part.duration;
      } else parts.push({ ...part });
    }
    parts.forEach((part, i) => {
      partTarget = Math.max(partTarget, part.duration);
      out.push(`#EXT-X-PART:DURATION=${part.duration.toFixed(5)},URI="${uri}",BYTERANGE="${part.length}@${part.offset}"${i === 0 ? ',INDEPENDENT=YES' : ''}`);
    });
  }
  out.push(line);
  if (line.startsWith('#EXT-X-TARGETDURATION')) out.push('#EXT-X-PART-INF:PART-TARGET=PART_TARGET');
});
writeFileSync(playlistFile, `${out.join('\n').replace('PART_TARGET', partTarget.toFixed(3))}\n`);
console.log(`parts: ${out.filter((l) => l.startsWith('#EXT-X-PART:')).length} in ${segmentUris.length} segments, PART-TARGET ${partTarget.toFixed(3)} s`);
