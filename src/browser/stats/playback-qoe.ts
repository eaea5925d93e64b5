/** Viewer quality of experience, measured from the media element (standard QoE definitions). */
export interface QoeStats {
  /** Video Start Time: from the first play request to the first frame playing; null until then. */
  startupMs: number | null;
  /** Stalls after start-up with the playhead waiting for data; seeks are not stalls. */
  rebufferCount: number;
  /** Time spent in those stalls, the current one included. */
  rebufferMs: number;
  /** Stalls during which a P2P request for the missing segment was in flight. */
  p2pStalls: number;
  /** Time spent playing (not paused, stalled, seeking or ended). */
  playingMs: number;
  /** Bitrate of the rendition played, averaged over playing time; 0 before playback. */
  bitrateKbps: number;
}

type State = 'idle' | 'starting' | 'playing' | 'stalled' | 'seeking' | 'paused' | 'ended';

/**
 * The QoE state machine, fed with media element events and their times. No DOM access and no
 * clock of its own, so a whole playback timeline can be replayed in a unit test.
 */
export class PlaybackQoe {
  private state: State = 'idle';
  private since = 0;
  private playRequestedAt: number | undefined;
  private startupMs: number | null = null;
  private rebufferCount = 0;
  private rebufferMs = 0;
  private p2pStalls = 0;
  private currentStallIsP2P = false;
  private playingMs = 0;
  private bitrateTimeProduct = 0;
  private bitrateKbps = 0;

  /** Playback was requested (the element's `play` event, autoplay included). */
  play(now: number): void {
    if (this.startupMs === null && this.playRequestedAt === undefined) {
      this.playRequestedAt = now;
      this.enter('starting', now);
    } else if (this.state === 'paused' || this.state === 'ended') {
      this.enter('playing', now);
    }
  }

  /** The element's `playing` event: frames are moving. */
  playing(now: number): void {
    if (this.startupMs === null) {
      this.startupMs = Math.round(Math.max(0, now - (this.playRequestedAt ?? now)));
    }
    this.enter('playing', now);
  }

  /**
   * The element's `waiting` event: the playhead needs data it does not have. After start-up and
   * outside a seek this is a rebuffering stall.
   */
  waiting(now: number, p2pRequestInFlight: boolean): void {
    if (this.state !== 'playing') return;
    this.rebufferCount += 1;
    this.currentStallIsP2P = false;
    this.enter('stalled', now);
    this.p2pRequestSeen(p2pRequestInFlight);
  }

  /** A P2P request for the missing segment is (or is not) in flight while stalled. */
  p2pRequestSeen(inFlight: boolean): void {
    if (this.state === 'stalled' && inFlight && !this.currentStallIsP2P) {
      this.currentStallIsP2P = true;
      this.p2pStalls += 1;
    }
  }

  seeking(now: number): void {
    if (this.state === 'idle' || this.state === 'starting') return;
    this.enter('seeking', now);
  }

  /** The element's `seeked` event; playback resumes with `playing` (or stays paused). */
  seeked(now: number, paused: boolean): void {
    if (this.state === 'seeking') this.enter(paused ? 'paused' : 'seeking', now);
  }

  pause(now: number): void {
    if (this.state === 'playing' || this.state === 'stalled' || this.state === 'seeking') this.enter('paused', now);
  }

  ended(now: number): void {
    this.enter('ended', now);
  }

  /** The rendition now playing changed (kbps of its declared bandwidth). */
  bitrate(now: number, kbps: number): void {
    this.settle(now);
    this.bitrateKbps = kbps;
  }

  /** Whether the playhead is stalled now (for attributing a stall to a request starting later). */
  get stalled(): boolean {
    return this.state === 'stalled';
  }

  snapshot(now: number): QoeStats {
    this.settle(now);
    return {
      startupMs: this.startupMs,
      rebufferCount: this.rebufferCount,
      rebufferMs: Math.round(this.rebufferMs),
      p2pStalls: this.p2pStalls,
      playingMs: Math.round(this.playingMs),
      bitrateKbps: this.playingMs > 0 ? Math.round(this.bitrateTimeProduct / this.playingMs) : 0,
    };
  }

  private enter(state: State, now: number): void {
    this.settle(now);
    this.state = state;
  }

  /** Adds the time since the last event to the bucket of the current state. */
  private settle(now: number): void {
    const elapsed = Math.max(0, now - this.since);
    if (this.state === 'playing') {
      this.playingMs += elapsed;
      this.bitrateTimeProduct += elapsed * this.bitrateKbps;
    } else if (this.state === 'stalled') {
      this.rebufferMs += elapsed;
    }
    this.since = now;
  }
}
