import type Hls from 'hls.js';
import type { HlsJsP2PEngine } from 'p2p-media-loader-hlsjs';
import type { ResolvedPolicy } from '../policy/policy-options';
import { PolicyController, type HttpSeeder } from '../policy/policy-controller';
import type { SessionStats } from '../stats/session-stats';

/** What the policy reads besides hls.js and p2p-media-loader. */
export interface PolicyInputs {
  stats: SessionStats;
  /** This viewer's peer ID in the swarm. */
  peerId: string;
  /** Viewers of the stream as the collector last counted them; undefined without a collector. */
  audience(): number | undefined;
  /** Viewers of the rendition this viewer plays (its swarm), as the collector last estimated them. */
  renditionAudience(): number | undefined;
}

/** The media playlist hls.js plays now (or last loaded). */
function playingDetails(hls: Hls) {
  return hls.levels[hls.currentLevel]?.details ?? hls.latestLevelDetails;
}

/**
 * p2p-media-loader-hlsjs's ID of a segment: its URL, and the byte range (inclusive) when it has one, as its
 * segment manager builds it (its helper is not exported).
 */
export function segmentId(url: string, byteRange: number[]): string {
  const [start, end] = byteRange;
  return start !== undefined && end !== undefined && start < end ? `${url}|${start}-${end - 1}` : url;
}

/**
 * The engine's p2p-media-loader core (a private field of p2p-media-loader-hlsjs 2.3.1), for the
 * methods Meshcast's patch adds to it.
 */
function coreOf(engine: HlsJsP2PEngine): PatchedCore | undefined {
  return (engine as unknown as { core?: PatchedCore }).core;
}

/** The methods Meshcast's patch (patches/p2p-media-loader-core+2.3.1.patch) adds to p2p-media-loader's core. */
interface PatchedCore {
  isSegmentAnnouncedByPeers?(segmentId: string): boolean;
  setHttpSeeder?(seeder: HttpSeeder | undefined): void;
}

/**
 * The delivery policy bound to one source: a {@link PolicyController} that reads the stream from hls.js
 * and the swarm from the session's stats, and drives p2p-media-loader's dynamic config.
 * Released with `destroy()`.
 */
export function createPolicy(hls: Hls, media: HTMLMediaElement | null, engine: HlsJsP2PEngine, policy: ResolvedPolicy, inputs: PolicyInputs): PolicyController {
  return new PolicyController({
    applyDynamicConfig: (config) => engine.applyDynamicConfig(config),
    addEventListener: (name, listener) => engine.addEventListener(name, listener),
    removeEventListener: (name, listener) => engine.removeEventListener(name, listener),
    stream: () => {
      const details = playingDetails(hls);
      if (!details) return undefined;
      // hls.js's own target: the policy's, unless the stream declares a hold-back (LL-HLS: PART-HOLD-BACK).
      const targetLatencyS = details.live ? hls.targetLatency ?? undefined : undefined;
      const bitsPerS = hls.levels[hls.currentLevel]?.averageBitrate;
      return {
        segmentDurationS: details.targetduration,
        live: details.live,
        ...(targetLatencyS !== undefined && { targetLatencyS }),
        ...(bitsPerS && { bitsPerS }),
      };
    },
    uploadsInFlight: (now) => inputs.stats.uploadsInFlight(now),
    peers: () => inputs.stats.peerCount(),
    swarm: () => ({ selfId: inputs.peerId, peerIds: inputs.stats.peerIds(), audience: inputs.audience(), renditionAudience: inputs.renditionAudience() }),
    liveSegments: () => {
      const details = playingDetails(hls);
      const playing = hls.media;
      if (!details?.live || !playing) return undefined;
      const positionS = playing.currentTime;
      const segments = details.fragments
        .filter((frag) => frag.start + frag.duration > positionS)
        .map((frag) => ({ sequence: Number(frag.sn), startS: frag.start, url: frag.url, id: segmentId(frag.url, frag.byteRange) }));
      return { positionS, segments };
    },
    announcedByPeers: (id) => coreOf(engine)?.isSegmentAnnouncedByPeers?.(id) ?? false,
    setHttpSeeder: (seeder) => coreOf(engine)?.setHttpSeeder?.(seeder),
  }, policy, media);
}
