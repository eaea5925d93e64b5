import type { QoeStats } from './playback-qoe';
import type { DeliveryStats } from './session-stats';

/**
 * What `engine.stats()` reports for a viewing session: delivery by source plus the viewer's QoE.
 * Cumulative over the engine's life, across sources.
 */
export interface MeshcastStats extends DeliveryStats, QoeStats {
  /** Seconds between real time and the frame playing, for live streams; null for VOD. */
  liveLatencyS: number | null;
}
