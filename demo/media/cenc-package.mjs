// Encrypts a clear fMP4 HLS rendition (init.mp4 + *.m4s, as ffmpeg's HLS muxer writes them) in place with
// Common Encryption, scheme 'cenc' (AES-128 CTR, 8-byte per-sample IVs), as a DRM packager would: the
// init's avc1/mp4a sample entries become encv/enca with sinf/schm/tenc and a W3C Common PSSH for
// ClearKey; every traf gains saiz/saio/senc. Audio samples are encrypted whole; H.264 samples by
// subsample, leaving NAL lengths, NAL headers and non-VCL NAL units clear. ffmpeg 5.1 encrypts only
// unfragmented MP4 (its fragments lack senc), hence this script. Test media only.
// Usage: node cenc-package.mjs DIR KEY_HEX KID_HEX
import { createCipheriv, createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { childBox as child, parseBoxes as parse, serializeBoxes as serialize } from './mp4-boxes.mjs';

const COMMON_PSSH_SYSTEM_ID = '1077efecc0b24d02ace33c1e52e2fb4b';

const [dir, keyHex, kidHex] = process.argv.slice(2);
if (!dir || !/^[0-9a-f]{32}$/i.test(keyHex ?? '') || !/^[0-9a-f]{32}$/i.test(kidHex ?? '')) {
  console.error('usage: node cenc-package.mjs DIR KEY_HEX KID_HEX (key and key ID are 32 hex digits)');
  process.exit(2);
}
const key = Buffer.from(keyHex, 'hex');
const kid = Buffer.from(kidHex, 'hex');

const leaf = (type, ...parts) => ({ type, body: Buffer.concat(parts) });
const u32 = (n) => { const b = Buffer.alloc(4); b.writeUInt32BE(n >>> 0); return b; };
const u16 = (n) => { const b = Buffer.alloc(2); b.writeUInt16BE(n); return b; };
const serializedBox = (box) => serialize([box]);

/** Init: encv/enca + sinf for each track, and the ClearKey PSSH. Returns the codec of each track ID. */
function packageInit(file) {
  const boxes = parse(readFileSync(file));
  const moov = boxes.find((b) => b.type === 'moov');
  const tracks = new Map();
  for (const trak of moov.children.filter((c) => c.type === 'trak')) {
    const tkhd = child(trak, 'tkhd').body;
    const trackId = tkhd.readUInt32BE(tkhd[0] === 1 ? 20 : 12);
    const stsd = child(child(child(child(trak, 'mdia'), 'minf'), 'stbl'), 'stsd');
    const entry = stsd.children[0];
    const encrypted = { avc1: 'encv', mp4a: 'enca' }[entry.type];
    if (!encrypted) throw new Error(`${file}: track ${trackId} has sample entry ${entry.type}; only avc1 and mp4a are handled`);
    const tenc = leaf('tenc', u32(0), Buffer.from([0, 0, 1, 8]), kid);
    const sinf = serializedBox({ type: 'sinf', head: Buffer.alloc(0), children: [
      leaf('frma', Buffer.from(entry.type, 'latin1')),
      leaf('schm', u32(0), Buffer.from('cenc', 'latin1'), u32(0x00010000)),
      { type: 'schi', head: Buffer.alloc(0), children: [tenc] },
    ] });
    tracks.set(trackId, entry.type === 'avc1' ? 'video' : 'audio');
    entry.type = encrypted;
    entry.body = Buffer.concat([entry.body, sinf]);
  }
  moov.children.push(leaf('pssh', u32(0x01000000), Buffer.from(COMMON_PSSH_SYSTEM_ID, 'hex'), u32(1), kid, u32(0)));
  writeFileSync(file, serialize(boxes));
  return tracks;
}

/** Clear/protected byte runs of one H.264 sample (4-byte NAL lengths): NAL headers and non-VCL NALs clear. */
function videoSubsamples(sample) {
  const runs = [];
  let clear = 0;
  for (let at = 0; at < sample.length; ) {
    const length = sample.readUInt32BE(at);
    const type = sample[at + 4] & 0x1f;
    const vcl = type >= 1 && type <= 5;
    if (vcl && length > 1) {
      runs.push([clear + 4 + 1, length - 1]);
      clear = 0;
    } else clear += 4 + length;
    at += 4 + length;
  }
  if (clear > 0) runs.push([clear, 0]);
  // BytesOfClearData is 16-bit.
  return runs.flatMap(([c, p]) => {
    const out = [];
    while (c > 0xffff) { out.push([0xffff, 0]); c -= 0xffff; }
    out.push([c, p]);
    return out;
  });
}

function encryptSample(sample, iv, runs) {
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.concat([iv, Buffer.alloc(8)]));
  let at = 0;
  for (const [clear, protectedBytes] of runs) {
    at += clear;
    cipher.update(sample.subarray(at, at + protectedBytes)).copy(sample, at);
    at += protectedBytes;
  }
}

function packageSegment(file, tracks) {
  const boxes = parse(readFileSync(file)).filter((b) => b.type !== 'sidx'); // sidx sizes would go stale; optional in HLS
  const moof = boxes.find((b) => b.type === 'moof');
  const mdat = boxes.find((b) => b.type === 'mdat');
  if (!moof || !mdat || boxes.indexOf(mdat) !== boxes.indexOf(moof) + 1) throw new Error(`${file}: expected one moof followed by its mdat`);
  const oldMoofSize = serializedBox(moof).length;
  const mdatStart = oldMoofSize + 8; // sample offsets are relative to the moof (default-base-is-moof)
  const trafs = moof.children.filter((c) => c.type === 'traf');
  for (const traf of trafs) {
    const tfhd = child(traf, 'tfhd').body;
    const flags = tfhd.readUInt32BE(0) & 0xffffff;
    if (!(flags & 0x020000) || flags & 0x01) throw new Error(`${file}: tfhd must use default-base-is-moof`);
    const trackId = tfhd.readUInt32BE(4);
    let at = 8 + (flags & 0x02 ? 4 : 0) + (flags & 0x08 ? 4 : 0);
    const defaultSize = flags & 0x10 ? tfhd.readUInt32BE(at) : undefined;
    const trun = child(traf, 'trun').body;
    const trunFlags = trun.readUInt32BE(0) & 0xffffff;
    const count = trun.readUInt32BE(4);
    const dataOffset = trun.readInt32BE(8);
    let entry = 12 + (trunFlags & 0x04 ? 4 : 0);
    const perSample = [0x100, 0x200, 0x400, 0x800].filter((f) => trunFlags & f).length * 4;
    let offset = dataOffset - mdatStart;
    const infos = [];
    for (let i = 0; i < count; i += 1, entry += perSample) {
      const size = trunFlags & 0x200 ? trun.readUInt32BE(entry + (trunFlags & 0x100 ? 4 : 0)) : defaultSize;
      if (size === undefined) throw new Error(`${file}: no sample sizes in track ${trackId}`);
      const sample = mdat.body.subarray(offset, offset + size);
      const iv = createHash('sha256').update(`${path.basename(file)}:${trackId}:${i}`).digest().subarray(0, 8);
      const runs = tracks.get(trackId) === 'video' ? videoSubsamples(sample) : [[0, size]];
      encryptSample(sample, iv, runs);
      infos.push(tracks.get(trackId) === 'video'
        ? Buffer.concat([iv, u16(runs.length), ...runs.map(([c, p]) => Buffer.concat([u16(c), u32(p)]))])
        : iv);
      offset += size;
    }
    const sizes = infos.map((info) => info.length);
    const uniform = sizes.every((s) => s === sizes[0]);
    traf.children.push(
      leaf('saiz', u32(0), Buffer.from([uniform ? sizes[0] : 0]), u32(count), uniform ? Buffer.alloc(0) : Buffer.from(sizes)),
      leaf('saio', u32(0), u32(1), u32(0)),
      leaf('senc', u32(tracks.get(trackId) === 'video' ? 2 : 0), u32(count), ...infos),
    );
  }
  // The moof grew: shift each trun's data offset, then point each saio at its senc's first IV.
  const delta = serializedBox(moof).length - oldMoofSize;
  for (const traf of trafs) {
    const trun = child(traf, 'trun').body;
    trun.writeInt32BE(trun.readInt32BE(8) + delta, 8);
  }
  let at = 8; // moof header
  for (const box of moof.children) {
    if (box.type === 'traf') {
      let inner = at + 8;
      for (const c of box.children) {
        if (c.type === 'senc') child(box, 'saio').body.writeUInt32BE(inner + 16, 8);
        inner += serializedBox(c).length;
      }
    }
    at += serializedBox(box).length;
  }
  writeFileSync(file, serialize(boxes));
}

const tracks = packageInit(path.join(dir, 'init.mp4'));
const segments = readdirSync(dir).filter((name) => name.endsWith('.m4s')).sort();
for (const name of segments) packageSegment(path.join(dir, name), tracks);
console.log(`cenc: ${segments.length} segments and init.mp4 in ${dir} (tracks: ${[...tracks.values()].join(', ')})`);
