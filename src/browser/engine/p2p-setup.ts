import type { HlsConfig } from 'hls.js';
import { HlsJsP2PEngine } from 'p2p-media-loader-hlsjs';
import type { ResolvedOptions } from '../config';
import { IntegrityGuard } from '../integrity/integrity-guard';
import { initialWindows } from '../policy/policy-controller';
import type { SessionStats } from '../stats/session-stats';
import type { CmcdBridge } from './cmcd-bridge';
import { meshcastLoaders } from './hls-loaders';

/** The P2P side of one source: p2p-media-loader's engine, the integrity guard, and hls.js loaders over them. */
export interface P2PSetup {
  engine: HlsJsP2PEngine;
  integrity: IntegrityGuard;
  /** hls.js's fragment and playlist loaders, through p2p-media-loader. */
  loaders: Pick<HlsConfig, 'fLoader' | 'pLoader'>;
}

/**
 * Creates p2p-media-loader's engine for a swarm, configured from Meshcast's options: trackers, STUN,
 * integrity hooks and, under the guarded policy, its initial windows, memory cap and this viewer's peer ID.
 */
export interface P2PContext {
  stats: SessionStats;
  /** A segment came over HTTP past p2p-media-loader, which does not report it. */
  onHttpSegment(bytes: number, url: string): void;
  /** Set when hls.js sends CMCD: p2p-media-loader's own HTTP requests carry it too. */
  cmcd: CmcdBridge | undefined;
  /** The origin's measured delivery to this viewer (the guarded policy's), bits per second. */
  httpBitsPerS?: () => number | undefined;
}

export function createP2P(options: ResolvedOptions, swarmId: string, peerId: string | undefined, { stats, onHttpSegment, cmcd, httpBitsPerS }: P2PContext): P2PSetup {
  const guarded = options.policy.mode === 'guarded';
  let engine: HlsJsP2PEngine | undefined;
  // P2P waits for a sidecar under `integrity.mode: 'required'`; the guard switches it on once one loads.
  const integrity = new IntegrityGuard(options.integrity, stats, () => {
    engine?.applyDynamicConfig({ core: { isP2PDisabled: false } });
  });
  engine = new HlsJsP2PEngine({
    core: {
      swarmId,
      ...(options.trackers && { announceTrackers: options.trackers }),
      ...(options.rtcConfig && { rtcConfig: options.rtcConfig }),
      ...(integrity.p2pInitiallyDisabled && { isP2PDisabled: true }),
      ...integrity.hooks(),
      ...(cmcd && { httpRequestSetup: cmcd.requestSetup }),
      ...(guarded && {
        ...initialWindows(options.policy),
        segmentMemoryStorageLimit: options.policy.prefetch.memoryMiB,
        // A full-length prefix is the whole peer ID: the policy must know its own.
        trackerClientVersionPrefix: peerId,
        httpDownloadInitialTimeoutMs: options.policy.startup.waitForPeersMs,
      }),
    },
  });
  const { fLoader, pLoader } = engine.getConfigForHlsJs();
  return {
    engine,
    integrity,
    loaders: meshcastLoaders({ fLoader: fLoader as HlsConfig['fLoader'], pLoader: pLoader as HlsConfig['pLoader'] }, { onHttpSegment, cmcd, httpBitsPerS }),
  };
}
