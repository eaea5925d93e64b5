import { parseArgs } from 'node:util';
import { ADVERSARY_MODES, startAdversary, type AdversaryMode } from './adversary-peer';

/**
 * `node build/adversary.js --mode MODE --master URL --tracker URL [--level N] [--slow-bytes-per-s B]`:
 * runs one misbehaving peer in its own process (its WebRTC stack then never lives in a test
 * runner's process). Prints `ready` once it holds its segments, then a JSON status line every
 * half second; exits on SIGTERM or when stdin closes.
 */
const { values } = parseArgs({
  options: {
    mode: { type: 'string' },
    master: { type: 'string' },
    tracker: { type: 'string', multiple: true },
    level: { type: 'string', default: '1' },
    'slow-bytes-per-s': { type: 'string' },
  },
});
const mode = values.mode as AdversaryMode;
if (!ADVERSARY_MODES.includes(mode) || !values.master || !values.tracker?.length) {
  process.stderr.write(`usage: adversary --mode ${ADVERSARY_MODES.join('|')} --master URL --tracker URL [--level N] [--slow-bytes-per-s B]\n`);
  process.exit(2);
}

const adversary = await startAdversary({
  mode,
  masterUrl: values.master,
  level: Number(values.level),
  trackers: values.tracker,
  ...(values['slow-bytes-per-s'] !== undefined && { slowBytesPerS: Number(values['slow-bytes-per-s']) }),
});
const status = () => JSON.stringify({ segments: adversary.segments, requests: adversary.requests, uploadedBytes: adversary.uploadedBytes, peersConnected: adversary.peersConnected });
process.stdout.write(`ready ${status()}\n`);
const timer = setInterval(() => process.stdout.write(`status ${status()}\n`), 500);
const stop = () => {
  clearInterval(timer);
  adversary.stop();
  // libwebrtc's threads would keep the process alive after its peers are closed.
  setTimeout(() => process.exit(0), 200);
};
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.resume();
