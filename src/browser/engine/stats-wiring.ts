import Hls, { type FragLoadedData, type LevelSwitchedData, type ManifestLoadedData } from 'hls.js';
import type { CoreEventMap, PeerDetails, SegmentStartDetails } from 'p2p-media-loader-core';
import type { HlsJsP2PEngine } from 'p2p-media-loader-hlsjs';
import type { IntegrityGuard } from '../integrity/integrity-guard';
import type { PolicyController } from '../policy/policy-controller';
import type { PlaybackQoe } from '../stats/playback-qoe';
import type { QoeObserver } from '../stats/qoe-observer';
import { segmentParts, type PatchedSegmentLoadDetails } from './segment-parts';
import type { SegmentBytes, SegmentSource, SessionStats } from '../stats/session-stats';
import { Disposer } from '../utils/disposer';
import { hlsListener } from '../utils/hls-listeners';

/** `#EXT-X-SESSION-DATA:DATA-ID="com.meshcast.integrity",URI="…"` declares a stream's hash manifest. */
export const INTEGRITY_DATA_ID = 'com.meshcast.integrity';

/** Where one source's delivery is counted. */
export interface StatsSinks {
  stats: SessionStats;
  qoe: PlaybackQoe;
  observer: QoeObserver;
  onSegment(source: SegmentSource, bytes: number, url: string, parts?: SegmentBytes): void;
}


/** The P2P parts that follow what hls.js and p2p-media-loader report; absent with P2P off. */
export interface P2PParts {
  engine: HlsJsP2PEngine;
  integrity: IntegrityGuard;
  policy: PolicyController | undefined;
}

/**
 * Wires what hls.js and p2p-media-loader report into the session's stats, QoE, integrity and policy:
 * every segment a player takes counts once, whatever path it took. Released with `destroy()`.
 */
export class StatsWiring {
  private readonly disposer = new Disposer();

  constructor(private readonly hls: Hls, private readonly sinks: StatsSinks, private readonly p2p: P2PParts | undefined) {
    this.registerHlsListeners();
    if (p2p) this.registerP2PListeners(p2p);
  }

  private registerHlsListeners(): void {
    const { hls, sinks, p2p } = this;
    const onHls = hlsListener(hls, this.disposer);
    onHls(Hls.Events.LEVEL_SWITCHED, (_event: string, data: LevelSwitchedData) => {
      const bitrate = hls.levels[data.level]?.bitrate;
      if (bitrate) sinks.qoe.bitrate(performance.now(), bitrate / 1000);
    });
    // Without p2p-media-loader every fragment came over HTTP. With it, what it passes on to plain HTTP
    // (init segments, subtitles, segments while P2P waits for a sidecar) is counted by Meshcast's loaders.
    if (!p2p) {
      onHls(Hls.Events.FRAG_LOADED, (_event: string, data: FragLoadedData) => sinks.onSegment('http', data.payload.byteLength, data.frag.url));
      return;
    }
    const onPlaylistLoaded = (_event: string, data: { details: { url: string; live: boolean }; stats?: { loading: { start: number; end: number } } }): void => {
      p2p.integrity.playlistLoaded(data.details.url, data.details.live);
      const loading = data.stats?.loading;
      if (loading && loading.end > loading.start) p2p.policy?.originResponded((loading.end - loading.start) / 1000);
    };
    onHls(Hls.Events.MANIFEST_LOADED, (_event: string, data: ManifestLoadedData) => {
      const declared = data.sessionData?.[INTEGRITY_DATA_ID]?.URI;
      if (typeof declared === 'string' && declared !== '') p2p.integrity.manifestDeclared(new URL(declared, data.url).href);
    });
    onHls(Hls.Events.LEVEL_LOADED, onPlaylistLoaded);
    onHls(Hls.Events.AUDIO_TRACK_LOADED, onPlaylistLoaded);
    onHls(Hls.Events.LEVEL_UPDATED, () => p2p.policy?.playlistUpdated());
  }

  private registerP2PListeners({ engine, integrity }: P2PParts): void {
    const { sinks } = this;
    const on = <K extends keyof CoreEventMap>(name: K, listener: CoreEventMap[K]): void => {
      engine.addEventListener(name, listener);
      this.disposer.add(() => engine.removeEventListener(name, listener));
    };
    // onSegmentLoaded fires for completed segments only, unlike onChunkDownloaded, which also counts
    // bytes of requests that later abort or fail validation.
    on('onSegmentLoaded', (details: PatchedSegmentLoadDetails) => {
      sinks.observer.p2pRequestEnded(details.segmentUrl);
      integrity.peers.requestEnded(details.segmentUrl);
      sinks.onSegment(details.downloadSource, details.bytesLength, details.segmentUrl, segmentParts(details));
    });
    on('onSegmentStart', ({ segment, downloadSource, peerId }: SegmentStartDetails) => {
      if (downloadSource !== 'p2p') return;
      sinks.observer.p2pRequestStarted(segment.url, segment.startTime, segment.endTime);
      if (peerId) integrity.peers.requestStarted(segment.url, peerId);
    });
    const requestEnded = ({ segment }: { segment: { url: string } }): void => {
      sinks.observer.p2pRequestEnded(segment.url);
      integrity.peers.requestEnded(segment.url);
    };
    on('onSegmentError', requestEnded);
    on('onSegmentAbort', requestEnded);
    on('onPeerConnect', (peer: PeerDetails) => sinks.stats.peerConnected(peer.peerId));
    on('onPeerClose', (peer: PeerDetails) => sinks.stats.peerClosed(peer.peerId));
    on('onChunkUploaded', (bytes: number, peerId: string) => sinks.stats.chunkUploaded(peerId, bytes));
  }

  /** Removes every listener it added, from hls.js and from p2p-media-loader. */
  destroy(): void {
    this.disposer.dispose();
  }
}
