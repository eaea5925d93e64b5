import { webcrypto } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import WebSocket from 'ws';
import { deriveSwarmId } from '../../src/browser/config';
import { parseMediaPlaylist } from '../../src/server/media/playlists';
import { ROOT } from '../e2e/harness';
import { shapeDataChannels } from './wire-shaper';

/**
 * A misbehaving peer in Node: p2p-media-loader's own core bundle (the same code the browsers run)
 * over @roamhq/wrtc, joining the same swarm as the viewers, with a segment storage that lies:
 * - corrupt: serves segments of the right size with altered bytes;
 * - absent: announces every segment, serves none;
 * - slow: serves real bytes, trickled at `slowBytesPerS` (a transfer that keeps going, too slowly);
 * - stall: starts sending a segment and stops mid-way, every time.
 */
export type AdversaryMode = 'corrupt' | 'absent' | 'slow' | 'stall';
export const ADVERSARY_MODES: readonly AdversaryMode[] = ['corrupt', 'absent', 'slow', 'stall'];

export interface AdversaryOptions {
  mode: AdversaryMode;
  /** Absolute URL of the multivariant playlist the viewers play. */
  masterUrl: string;
  /** Which variant (index in the multivariant playlist) the adversary joins. */
  level: number;
  trackers: string[];
  /** `slow` mode's upload rate. @default 3000 */
  slowBytesPerS?: number;
}

export interface RunningAdversary {
  /** Segments the adversary holds (and announces). */
  readonly segments: number;
  /** Segment requests peers sent it. */
  readonly requests: number;
  /** Bytes it sent to peers (p2p-media-loader's onChunkUploaded). */
  readonly uploadedBytes: number;
  /** Peer connections it has made, in all. */
  readonly peersConnected: number;
  stop(): void;
}

interface Variant { uri: string; bandwidth: number; videoCodec?: string; width?: number; height?: number; frameRate?: string; videoRange?: string }

/** The variants of a multivariant playlist with the attributes p2p-media-loader derives stream ids from. */
function parseVariants(text: string): Variant[] {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  const variants: Variant[] = [];
  lines.forEach((line, i) => {
    if (!line.startsWith('#EXT-X-STREAM-INF:')) return;
    const attrs = line.slice('#EXT-X-STREAM-INF:'.length);
    const attr = (name: string): string | undefined => {
      const match = new RegExp(`(?:^|,)${name}=(?:"([^"]*)"|([^,]*))`).exec(attrs);
      return match ? (match[1] ?? match[2]) : undefined;
    };
    const [width, height] = (attr('RESOLUTION') ?? '').split('x').map(Number);
    const codecs = (attr('CODECS') ?? '').split(',').map((c) => c.trim());
    variants.push({
      uri: lines.slice(i + 1).find((l) => l && !l.startsWith('#'))!,
      bandwidth: Number(attr('BANDWIDTH')),
      videoCodec: codecs.find((c) => /^(avc|hvc|hev|av01|vp0)/.test(c)),
      width: width || undefined,
      height: height || undefined,
      frameRate: attr('FRAME-RATE'),
      videoRange: attr('VIDEO-RANGE'),
    });
  });
  return variants;
}

function installBrowserGlobals(options: AdversaryOptions): void {
  // @roamhq/wrtc is installed under the name webrtc-polyfill (package.json overrides).
  const require = createRequire(path.join(ROOT, 'package.json'));
  const wrtc = require('webrtc-polyfill') as Record<string, unknown>;
  const channel = wrtc.RTCDataChannel as Parameters<typeof shapeDataChannels>[0];
  if (options.mode === 'slow') shapeDataChannels(channel, { kind: 'trickle', bytesPerS: options.slowBytesPerS ?? 3000 });
  if (options.mode === 'stall') shapeDataChannels(channel, { kind: 'stall', bytesBeforeStall: 4096 });
  const webrtc = {
    RTCPeerConnection: (globalThis as { RTCPeerConnection?: unknown }).RTCPeerConnection ?? wrtc.RTCPeerConnection,
    RTCSessionDescription: wrtc.RTCSessionDescription,
    RTCIceCandidate: wrtc.RTCIceCandidate,
  };
  Object.assign(globalThis, { ...webrtc, WebSocket });
  // jest's Node environment has no Web Crypto global; the bundle draws peer ids from it.
  if (typeof (globalThis as { crypto?: Crypto }).crypto?.getRandomValues !== 'function') {
    Object.defineProperty(globalThis, 'crypto', { value: webcrypto, configurable: true });
  }
  // What the browser bundle reads from the page: `self`, `navigator`, and a few `window` members.
  // Its WebRTC shim looks for RTCPeerConnection on `window` when there is one: without it there,
  // the tracker client announces without offers and no peer ever connects.
  const g = globalThis as { navigator?: unknown; self?: unknown; window?: unknown };
  g.navigator ??= { userAgent: 'meshcast-adversary' };
  g.self ??= globalThis;
  g.window ??= { setTimeout, clearTimeout, setInterval, clearInterval, fetch, console, process, location: { protocol: 'http:' }, crypto: globalThis.crypto, ...webrtc };
}

export async function startAdversary(options: AdversaryOptions): Promise<RunningAdversary> {
  installBrowserGlobals(options);
  const bundle = path.join(ROOT, 'node_modules/p2p-media-loader-core/dist/p2p-media-loader-core.es.js');
  const { Core, generateStreamShortId } = (await import(bundle)) as typeof import('p2p-media-loader-core');

  const master = await (await fetch(options.masterUrl)).text();
  const variant = parseVariants(master)[options.level];
  if (!variant) throw new Error(`adversary: no variant ${options.level} in ${options.masterUrl}`);
  const variantUrl = new URL(variant.uri, options.masterUrl).href;
  const media = parseMediaPlaylist(await (await fetch(variantUrl)).text(), variantUrl);

  const stored = new Map<number, ArrayBuffer>();
  // `absent` fetches like the others, then starts lying once it holds everything.
  let servesNothing = false;
  let requests = 0;
  let onChange: ((streamId: string) => void) | undefined;
  let lastStreamId = '';
  const storage = {
    initialize: async () => undefined,
    onPlaybackUpdated: () => undefined,
    onSegmentRequested: () => undefined,
    async storeSegment(_swarmId: string, streamId: string, segmentId: number, data: ArrayBuffer) {
      const bytes = new Uint8Array(data.slice(0));
      // Altered bytes of the right length: only a hash check can tell.
      if (options.mode === 'corrupt') for (let i = 188; i < bytes.length; i += 97) bytes[i] ^= 0x5a;
      stored.set(segmentId, bytes.buffer);
      lastStreamId = streamId;
      onChange?.(streamId);
    },
    async getSegmentData(_swarmId: string, _streamId: string, segmentId: number) {
      requests += 1;
      if (servesNothing) return undefined;
      return stored.get(segmentId);
    },
    getUsage: () => ({ totalCapacity: 1e9, usedCapacity: 0 }),
    hasSegment: (_swarmId: string, _streamId: string, segmentId: number) => servesNothing ? true : stored.has(segmentId),
    getStoredSegmentIds: () => (servesNothing ? media.segments.map((_s, i) => i) : [...stored.keys()]),
    setSegmentChangeCallback: (callback: (streamId: string) => void) => { onChange = callback; },
    destroy: () => stored.clear(),
  };

  const core = new Core({
    announceTrackers: options.trackers,
    rtcConfig: { iceServers: [] },
    swarmId: deriveSwarmId(options.masterUrl),
    customSegmentStorageFactory: () => storage as never,
    // Small messages, so a trickle or a stall happens within a segment, not between segments.
    ...((options.mode === 'slow' || options.mode === 'stall') && { webRtcMaxMessageSize: 1024 }),
  });
  let peersConnected = 0;
  let uploadedBytes = 0;
  core.addEventListener('onPeerConnect', () => { peersConnected += 1; });
  core.addEventListener('onChunkUploaded', (bytes) => { uploadedBytes += bytes; });
  core.setManifestResponseUrl(options.masterUrl);
  core.addStreamIfNoneExists({
    runtimeId: variantUrl,
    type: 'main',
    index: generateStreamShortId({
      bitrate: variant.bandwidth,
      codecs: variant.videoCodec,
      width: variant.width,
      height: variant.height,
      frameRate: variant.frameRate,
      videoRange: variant.videoRange,
    }),
  });
  let start = 0;
  const segments = media.segments.map((s, i) => {
    const url = new URL(s.uri, variantUrl).href;
    const segment = { runtimeId: url, externalId: i, url, startTime: start, endTime: start + s.duration };
    start += s.duration;
    return segment;
  });
  core.updateStream(variantUrl, segments, []);
  core.setIsLive(false);

  // Fetch everything (over HTTP, or from peers) so there is something to lie about.
  for (const segment of segments) {
    core.updatePlayback(segment.startTime, 1);
    await new Promise<void>((resolve, reject) => {
      core.loadSegment(segment.runtimeId, { onSuccess: () => resolve(), onError: () => resolve() }).catch(reject);
    });
  }
  if (options.mode === 'absent') {
    servesNothing = true;
    onChange?.(lastStreamId);
  }

  return {
    get segments() { return stored.size; },
    get requests() { return requests; },
    get uploadedBytes() { return uploadedBytes; },
    get peersConnected() { return peersConnected; },
    stop: () => core.destroy(),
  };
}
