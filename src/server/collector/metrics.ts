import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { BeaconDelta } from './store';

/** At most this many stream label values; later streams are counted under `other`. */
export const MAX_STREAM_LABELS = 50;

export type BeaconOutcome = 'accepted' | 'duplicate' | 'invalid' | 'implausible' | 'rate_limited' | 'unauthorized' | 'server_error';

/**
 * Prometheus metrics of one collector, with bounded labels only: result, source, and a capped
 * stream label, never session or peer ids. Counters grow with the increases the store accepted,
 * so summing them across collectors gives fleet-wide figures.
 */
export class CollectorMetrics {
  readonly registry = new Registry();
  private readonly streams = new Set<string>();
  private readonly beacons = new Counter({ name: 'meshcast_beacons_total', help: 'Beacons received, by outcome', labelNames: ['result'], registers: [this.registry] });
  private readonly serverErrors = new Counter({ name: 'meshcast_server_errors_total', help: 'Requests that failed inside the server (answered 5xx)', labelNames: ['route'], registers: [this.registry] });
  private readonly bytes = new Counter({ name: 'meshcast_segment_bytes_total', help: 'Segment bytes viewers received, by source', labelNames: ['stream', 'source'], registers: [this.registry] });
  private readonly uploaded = new Counter({ name: 'meshcast_uploaded_bytes_total', help: 'Segment bytes viewers sent to peers, completed uploads', labelNames: ['stream'], registers: [this.registry] });
  private readonly rebuffer = new Counter({ name: 'meshcast_rebuffer_seconds_total', help: 'Time viewers spent rebuffering', labelNames: ['stream'], registers: [this.registry] });
  private readonly playing = new Counter({ name: 'meshcast_playing_seconds_total', help: 'Time viewers spent playing', labelNames: ['stream'], registers: [this.registry] });
  private readonly integrity = new Counter({ name: 'meshcast_integrity_failures_total', help: 'Segments from peers that failed verification', labelNames: ['stream'], registers: [this.registry] });
  private readonly stalls = new Counter({ name: 'meshcast_p2p_stalls_total', help: 'Stalls with a P2P request in flight', labelNames: ['stream'], registers: [this.registry] });

  /** `activeViewers` is read at each scrape: sessions per stream that sent a beacon in the last minute. */
  constructor(activeViewers: () => Promise<Array<{ streamId: string; viewers: number }>>) {
    collectDefaultMetrics({ register: this.registry, prefix: 'meshcast_' });
    const metrics = this;
    new Gauge({
      name: 'meshcast_viewers',
      help: 'Sessions that sent a beacon in the last minute',
      labelNames: ['stream'],
      registers: [this.registry],
      async collect() {
        this.reset();
        let active: Array<{ streamId: string; viewers: number }>;
        try {
          active = await activeViewers();
        } catch {
          // The store failing must not take the rest of the scrape (and the count of failures) with it.
          metrics.serverError('/metrics');
          return;
        }
        const byLabel = new Map<string, number>();
        for (const { streamId, viewers } of active) {
          const stream = metrics.streamLabel(streamId);
          byLabel.set(stream, (byLabel.get(stream) ?? 0) + viewers);
        }
        for (const [stream, viewers] of byLabel) this.set({ stream }, viewers);
      },
    });
  }

  /**
   * The stream's label value, capped so label cardinality stays bounded. A stream not yet `eligible`
   * for a label of its own (not vouched for: see the collector) is counted under `other`.
   */
  streamLabel(streamId: string, eligible = true): string {
    if (this.streams.has(streamId)) return streamId;
    if (!eligible) return 'other';
    if (this.streams.size >= MAX_STREAM_LABELS) return 'other';
    this.streams.add(streamId);
    return streamId;
  }

  outcome(result: BeaconOutcome): void {
    this.beacons.inc({ result });
  }

  /** A request that failed inside the server; `route` is the route pattern, never the URL. */
  serverError(route: string): void {
    this.serverErrors.inc({ route });
  }

  /** The increases one accepted beacon added. */
  accepted(streamId: string, delta: BeaconDelta, eligible = true): void {
    const stream = this.streamLabel(streamId, eligible);
    this.bytes.inc({ stream, source: 'http' }, delta.httpBytes);
    this.bytes.inc({ stream, source: 'p2p' }, delta.p2pBytes);
    this.uploaded.inc({ stream }, delta.uploadedBytes);
    this.rebuffer.inc({ stream }, delta.rebufferMs / 1000);
    this.playing.inc({ stream }, delta.playingMs / 1000);
    this.integrity.inc({ stream }, delta.integrityFailures);
    this.stalls.inc({ stream }, delta.p2pStalls);
  }
}
