// ISO BMFF box reading and writing for the media scripts (test media only: 32-bit box sizes).
export const CONTAINERS = new Set(['moov', 'trak', 'mdia', 'minf', 'stbl', 'mvex', 'moof', 'traf']);

/** Parses boxes into { type, size, head (bytes before children), children } or { type, size, body }. */
export function parseBoxes(buf) {
  const boxes = [];
  for (let at = 0; at < buf.length; ) {
    const size = buf.readUInt32BE(at);
    if (size < 8 || at + size > buf.length) throw new Error(`box of size ${size} at ${at}: not handled`);
    const type = buf.toString('latin1', at + 4, at + 8);
    const content = buf.subarray(at + 8, at + size);
    if (CONTAINERS.has(type)) boxes.push({ type, size, head: Buffer.alloc(0), children: parseBoxes(content) });
    else if (type === 'stsd') boxes.push({ type, size, head: content.subarray(0, 8), children: parseBoxes(content.subarray(8)) });
    else boxes.push({ type, size, body: Buffer.from(content) });
    at += size;
  }
  return boxes;
}

export function serializeBoxes(boxes) {
  return Buffer.concat(boxes.map((box) => {
    const content = box.children ? Buffer.concat([box.head, serializeBoxes(box.children)]) : box.body;
    const header = Buffer.alloc(8);
    header.writeUInt32BE(8 + content.length, 0);
    header.write(box.type, 4, 'latin1');
    return Buffer.concat([header, content]);
  }));
}

export const childBox = (box, type) => box.children.find((c) => c.type === type);

/** Track ID and timescale of each trak in a moov. */
export function trackTimescales(moov) {
  return new Map(moov.children.filter((c) => c.type === 'trak').map((trak) => {
    const tkhd = childBox(trak, 'tkhd').body;
    const mdhd = childBox(childBox(trak, 'mdia'), 'mdhd').body;
    return [tkhd.readUInt32BE(tkhd[0] === 1 ? 20 : 12), mdhd.readUInt32BE(mdhd[0] === 1 ? 20 : 12)];
  }));
}

/** The duration, in its track's timescale, of a traf's samples (trun durations, else tfhd's default). */
export function trafDuration(traf) {
  const tfhd = childBox(traf, 'tfhd').body;
  const flags = tfhd.readUInt32BE(0) & 0xffffff;
  const defaultDuration = flags & 0x08 ? tfhd.readUInt32BE(8 + (flags & 0x01 ? 8 : 0) + (flags & 0x02 ? 4 : 0)) : 0;
  let total = 0;
  for (const trun of traf.children.filter((c) => c.type === 'trun')) {
    const trunFlags = trun.body.readUInt32BE(0) & 0xffffff;
    const count = trun.body.readUInt32BE(4);
    const perSample = [0x100, 0x200, 0x400, 0x800].filter((f) => trunFlags & f).length * 4;
    let at = 8 + (trunFlags & 0x01 ? 4 : 0) + (trunFlags & 0x04 ? 4 : 0);
    for (let i = 0; i < count; i += 1, at += perSample) total += trunFlags & 0x100 ? trun.body.readUInt32BE(at) : defaultDuration;
  }
  return total;
}
