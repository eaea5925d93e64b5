import type { Viewer } from './harness';

/** p2p-media-loader's message size (`webRtcMaxMessageSize`, 64 KiB − 1): every chunk of a segment but the last. */
const FULL_CHUNK = 64 * 1024 - 1;

/** p2p-media-loader's command codes for "send me this segment" and "stop sending me that segment" (`PeerCommandType`). */
const REQUEST_COMMAND = 1;
const CANCEL_COMMAND = 5;

/**
 * Init script recording, in the page, every message sent (`window.__sends`) and received
 * (`window.__receipts`) on a WebRTC data channel (one channel per peer connection): when, on which
 * channel, how many bytes, and for a p2p-media-loader command (framed by "cstr"), its code. What went
 * over the wire, not what the engine says. simple-peer, under p2p-media-loader, receives through
 * `onmessage`.
 */
export const DATA_CHANNEL_RECORDER = `window.__sends = []; window.__receipts = [];
const channels = new WeakMap();
let channelCount = 0;
const channelOf = (channel) => {
  if (!channels.has(channel)) channels.set(channel, channelCount++);
  return channels.get(channel);
};
const sizeOf = (data) => data.byteLength ?? data.size ?? data.length;
const commandOf = (data) => {
  const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : undefined;
  return bytes && bytes.length > 8 && String.fromCharCode(...bytes.subarray(0, 4)) === 'cstr' ? bytes[4] : -1;
};
const send = RTCDataChannel.prototype.send;
RTCDataChannel.prototype.send = function (data) {
  window.__sends.push([performance.now(), channelOf(this), sizeOf(data), commandOf(data)]);
  return send.call(this, data);
};
const onmessage = Object.getOwnPropertyDescriptor(RTCDataChannel.prototype, 'onmessage');
Object.defineProperty(RTCDataChannel.prototype, 'onmessage', {
  configurable: true,
  get() { return onmessage.get.call(this); },
  set(handler) {
    const channel = this;
    onmessage.set.call(this, typeof handler !== 'function' ? handler : function (event) {
      window.__receipts.push([performance.now(), channelOf(channel), sizeOf(event.data)]);
      return handler.call(this, event);
    });
  },
});`;

/** Init script recording, every 100 ms, the seconds buffered ahead of the playhead (`window.__bufferAhead`). */
export const BUFFER_RECORDER = `window.__bufferAhead = [];
setInterval(() => {
  const v = document.querySelector('video');
  if (!v) return;
  let ahead = 0;
  for (let i = 0; i < v.buffered.length; i += 1) if (v.buffered.start(i) <= v.currentTime + 0.05 && v.buffered.end(i) > v.currentTime) ahead = v.buffered.end(i) - v.currentTime;
  window.__bufferAhead.push([performance.now(), ahead]);
}, 100);`;

/** Seconds buffered ahead of the playhead at page time `at` (ms), as `BUFFER_RECORDER` saw it last before. */
export async function bufferAheadAt(viewer: Viewer): Promise<(at: number) => number> {
  const ahead = await viewer.page.evaluate(() => (window as unknown as { __bufferAhead: Array<[number, number]> }).__bufferAhead);
  return (at) => [...ahead].reverse().find(([t]) => t <= at)?.[1] ?? 0;
}

/** One segment going over one channel: page times (ms) of its first and last chunk. */
export interface SegmentSpan {
  channel: number;
  start: number;
  end: number;
  /**
   * Receipts only: when this page asked the sender to stop (p2p-media-loader's cancel command on that
   * channel while the segment was arriving, or before its first chunk arrived). Chunks after it are the
   * sender's tail: already sent or buffered when the cancel reached it, dropped here. A span whose
   * `cancelledAt` is before its `start` is all tail: the page never wanted any of it.
   */
  cancelledAt?: number;
}

/** A segment's last chunk: shorter than a full one, longer than any command (the padded stream's segments are ~1 MB, so it is never tiny). */
const isLastChunk = (bytes: number) => bytes > 1000 && bytes < FULL_CHUNK;

/**
 * The segment transfers among a page's recorded sends or receipts. A segment goes as full chunks and
 * one shorter last chunk, one segment at a time per channel. A cancelled transfer (the peer got the segment elsewhere) just stops: a chunk more than a
 * second after the last starts another transfer (Meshcast holds a cancelled upload's slot for that second).
 */
export async function segmentSpans(viewer: Viewer, direction: 'sends' | 'receipts'): Promise<SegmentSpan[]> {
  const messages = await viewer.page.evaluate(
    (key) => (window as unknown as Record<string, Array<[number, number, number]>>)[key],
    direction === 'sends' ? '__sends' : '__receipts',
  );
  const spans: SegmentSpan[] = [];
  const open = new Map<number, SegmentSpan>();
  for (const [at, channel, bytes] of messages) {
    if (bytes !== FULL_CHUNK && !isLastChunk(bytes)) continue;
    let span = open.get(channel);
    if (span && Math.round(at) - span.end > 1000) {
      spans.push(span);
      open.delete(channel);
      span = undefined;
    }
    if (!span) {
      if (bytes !== FULL_CHUNK) continue;
      span = { channel, start: Math.round(at), end: Math.round(at) };
      open.set(channel, span);
    }
    span.end = Math.round(at);
    if (isLastChunk(bytes)) {
      spans.push(span);
      open.delete(channel);
    }
  }
  const all = [...spans, ...open.values()];
  if (direction === 'receipts') markCancels(all, await viewer.page.evaluate(() => (window as unknown as { __sends: Array<[number, number, number, number]> }).__sends));
  return all;
}

/**
 * Notes on each received span when this page cancelled it: the first cancel it sent on the span's
 * channel while the span was arriving, or, when the last request or cancel it sent on that channel
 * before the span began was a cancel, that cancel (all of the span is the tail of a cancelled upload:
 * its first chunks were already on their way).
 */
function markCancels(spans: SegmentSpan[], sends: Array<[number, number, number, number]>): void {
  const commands = sends.filter(([, , , command]) => command === REQUEST_COMMAND || command === CANCEL_COMMAND);
  for (const span of spans) {
    const onChannel = commands.filter(([, channel]) => channel === span.channel);
    const before = onChannel.filter(([at]) => at <= span.start).pop();
    if (before?.[3] === CANCEL_COMMAND) {
      span.cancelledAt = Math.round(before[0]);
      continue;
    }
    const during = onChannel.find(([at, , , command]) => command === CANCEL_COMMAND && at > span.start && at <= span.end);
    if (during) span.cancelledAt = Math.round(during[0]);
  }
}

/** What a page sent on one channel: p2p-media-loader's requests (1) and cancels (5), with page times (ms). */
export async function commandsSent(viewer: Viewer, channel: number): Promise<Array<[number, number]>> {
  const sends = await viewer.page.evaluate(() => (window as unknown as { __sends: Array<[number, number, number, number]> }).__sends);
  return sends.filter(([, c, , command]) => c === channel && (command === REQUEST_COMMAND || command === CANCEL_COMMAND)).map(([at, , , command]) => [Math.round(at), command]);
}

/** Until when the page still wanted a span: its last chunk, or the cancel it sent. */
export const wantedUntil = (span: SegmentSpan) => span.cancelledAt ?? span.end;

/** Whether the page wanted `span` when its first chunk arrived (false for a cancelled upload's tail). */
export const wantedAtStart = (span: SegmentSpan) => wantedUntil(span) >= span.start;

/** The spans under way (still wanted) when `span` started, itself included when it was wanted. */
export const underWayAt = (spans: SegmentSpan[], span: SegmentSpan) => spans.filter((o) => o.start <= span.start && wantedUntil(o) >= span.start);

/** The most spans under way at one time, and which. */
export function mostAtOnce(spans: SegmentSpan[]): { most: number; busiest: SegmentSpan[] } {
  let busiest: SegmentSpan[] = [];
  for (const span of spans) {
    const under = underWayAt(spans, span);
    if (under.length > busiest.length) busiest = under;
  }
  return { most: busiest.length, busiest };
}
