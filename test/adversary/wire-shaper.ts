/**
 * Misbehaviour on the wire, below p2p-media-loader: wraps a WebRTC implementation's
 * `RTCDataChannel.prototype.send`. p2p-media-loader 2.3 frames each command as a message starting
 * with `cstr`/`dstr` (its type in the next byte: 2 = segment data follows, 3 = sending completed)
 * and sends segment bytes as plain messages in between; everything else is passed on in order.
 * - `trickle`: segment bytes leave at `bytesPerS`, so a transfer keeps going but far too slowly;
 * - `stall`: a transfer's first `bytesBeforeStall` bytes leave, then nothing more of it.
 */
export type WireBehaviour = { kind: 'trickle'; bytesPerS: number } | { kind: 'stall'; bytesBeforeStall: number };

type Payload = ArrayBuffer | ArrayBufferView | string | Blob;
interface Channel { readyState: string }

const COMMAND_STARTS = ['cstr', 'dstr'].map((s) => [...s].map((c) => c.charCodeAt(0)));
const SEGMENT_DATA = 2;
const SENDING_COMPLETED = 3;

function bytesOf(payload: Payload): Uint8Array | undefined {
  if (payload instanceof ArrayBuffer) return new Uint8Array(payload);
  if (ArrayBuffer.isView(payload)) return new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength);
  return undefined;
}

/** The command type of a message that starts a command, or undefined for segment bytes. */
function commandType(bytes: Uint8Array): number | undefined {
  const isCommand = COMMAND_STARTS.some((start) => start.every((b, i) => bytes[i] === b));
  return isCommand ? bytes[4] : undefined;
}

export function shapeDataChannels(RTCDataChannel: { prototype: { send(payload: Payload): void } }, behaviour: WireBehaviour): void {
  const send = RTCDataChannel.prototype.send;
  const queues = new WeakMap<object, { queue: Payload[]; busy: boolean; transferBytes: number; stalled: boolean }>();

  RTCDataChannel.prototype.send = function shapedSend(this: Channel, payload: Payload): void {
    const bytes = bytesOf(payload);
    const type = bytes ? commandType(bytes) : undefined;
    if (behaviour.kind === 'stall') {
      let state = queues.get(this);
      if (!state) queues.set(this, (state = { queue: [], busy: false, transferBytes: 0, stalled: false }));
      if (type === SEGMENT_DATA) {
        state.transferBytes = 0;
        state.stalled = false;
      } else if (type === undefined && bytes) {
        state.transferBytes += bytes.byteLength;
        if (state.transferBytes > behaviour.bytesBeforeStall) state.stalled = true;
      }
      if (state.stalled && (type === undefined || type === SENDING_COMPLETED)) return;
      send.call(this, payload);
      return;
    }
    let state = queues.get(this);
    if (!state) queues.set(this, (state = { queue: [], busy: false, transferBytes: 0, stalled: false }));
    state.queue.push(payload);
    const channel = this;
    const pump = (): void => {
      const next = state!.queue.shift();
      if (next === undefined || channel.readyState !== 'open') {
        state!.busy = false;
        return;
      }
      send.call(channel, next);
      const nextBytes = bytesOf(next);
      const isSegmentBytes = nextBytes !== undefined && commandType(nextBytes) === undefined;
      setTimeout(pump, isSegmentBytes ? (nextBytes.byteLength / behaviour.bytesPerS) * 1000 : 0);
    };
    if (!state.busy) {
      state.busy = true;
      pump();
    }
  };
}
