import { Disposer } from '../utils/disposer';
import type { PlaybackQoe } from './playback-qoe';

/** Slack when matching the stalled playhead to a segment's time range, in seconds. */
const SEGMENT_EDGE_S = 0.25;

/**
 * Feeds a {@link PlaybackQoe} from a media element's events, and tracks the P2P requests in
 * flight so a stall can be attributed to P2P when one was fetching the segment the playhead needs.
 */
export class QoeObserver {
  private readonly disposer = new Disposer();
  private readonly p2pInFlight = new Map<string, { startTime: number; endTime: number }>();

  constructor(
    readonly media: HTMLMediaElement,
    private readonly qoe: PlaybackQoe,
    private readonly now: () => number = () => performance.now(),
  ) {
    const on = (type: string, handler: () => void) => {
      media.addEventListener(type, handler);
      this.disposer.add(() => media.removeEventListener(type, handler));
    };
    on('play', () => qoe.play(this.now()));
    on('playing', () => qoe.playing(this.now()));
    on('waiting', () => {
      // A seek's own waiting is not a stall; the element reports seeking before it.
      if (!media.seeking) qoe.waiting(this.now(), this.p2pCovers(media.currentTime));
    });
    on('seeking', () => qoe.seeking(this.now()));
    on('seeked', () => qoe.seeked(this.now(), media.paused));
    on('pause', () => {
      if (!media.ended) qoe.pause(this.now());
    });
    on('ended', () => qoe.ended(this.now()));
    // With autoplay the viewer asked to play when the source was loaded, not when the element's
    // `play` event fires (that waits for data); a play request may also predate Meshcast.
    if (media.autoplay || !media.paused) qoe.play(this.now());
  }

  /** A P2P request for the segment covering [startTime, endTime) of the media timeline started. */
  p2pRequestStarted(id: string, startTime: number, endTime: number): void {
    this.p2pInFlight.set(id, { startTime, endTime });
    if (this.qoe.stalled) this.qoe.p2pRequestSeen(this.p2pCovers(this.media.currentTime));
  }

  /** The request finished, failed or was aborted. */
  p2pRequestEnded(id: string): void {
    this.p2pInFlight.delete(id);
  }

  /** Forget in-flight requests of a source that is gone. */
  clearRequests(): void {
    this.p2pInFlight.clear();
  }

  private p2pCovers(time: number): boolean {
    for (const { startTime, endTime } of this.p2pInFlight.values()) {
      if (time >= startTime - SEGMENT_EDGE_S && time < endTime) return true;
    }
    return false;
  }

  dispose(): void {
    this.disposer.dispose();
    this.p2pInFlight.clear();
  }
}
