import type { HlsConfig } from 'hls.js';
import type { MeshcastOptions } from '../config';
import { MeshcastEngine } from '../engine/meshcast-engine';
import { MeshcastError } from '../errors';
import { OPTION_DEFAULTS } from '../option-defaults';
import type { MeshcastStats } from '../stats/meshcast-stats';
import { Disposer } from '../utils/disposer';
import { mediaErrorCode } from './media-error';
import { bridgeAudioTracks, bridgeTextTracks } from './media-tracks';
import { bridgeQualityLevels } from './quality-levels';
import type { MeshcastSourceController } from './source-handler';
import { STATS_DISPLAY_NAME } from './stats-display';
import type { VideoJs, VjsComponent, VjsPlayer } from './videojs-types';

/** Options of `player.meshcast()`: Meshcast's options plus the video.js-only ones. */
export interface MeshcastPluginOptions extends MeshcastOptions {
  /**
   * Show the P2P share and peer count in the control bar.
   * @default true
   */
  statsDisplay?: boolean;
}

/** The public face of `player.meshcast()`. */
export interface MeshcastPlugin {
  /** Delivery and QoE statistics of this player's session. */
  stats(): MeshcastStats;
  /** The engine behind the player (hls.js instance, swarm id, options). */
  readonly engine: MeshcastEngine;
  dispose(): void;
}

const STATS_INTERVAL_MS = 1000;

/** hls.js settings a video.js player needs: live duration/seekable as video.js expects, and captions through video.js. */
const VIDEOJS_HLS_DEFAULTS: Partial<HlsConfig> = { liveDurationInfinity: true, renderTextTracksNatively: false };

export function createMeshcastPlugin(videojs: VideoJs): unknown {
  const Plugin = videojs.getPlugin('plugin')!;

  return class Meshcast extends Plugin implements MeshcastPlugin {
    readonly engine: MeshcastEngine;
    private readonly disposer = new Disposer();
    private statsTimer: ReturnType<typeof setInterval> | undefined;

    constructor(player: VjsPlayer, options: MeshcastPluginOptions = {}) {
      // Validate before touching the player, so a bad option leaves it as it was.
      if (typeof options !== 'object' || options === null) {
        throw new MeshcastError('configError', 'invalidOption', 'Meshcast option "options" must be an object', { fatal: true, option: 'options' });
      }
      const { statsDisplay = OPTION_DEFAULTS.statsDisplay, ...engineOptions } = options;
      if (typeof statsDisplay !== 'boolean') {
        throw new MeshcastError('configError', 'invalidOption', `Meshcast option "statsDisplay" must be a boolean, got ${typeof statsDisplay}`, { fatal: true, option: 'statsDisplay' });
      }
      const engine = new MeshcastEngine({
        ...engineOptions,
        hlsConfig: { ...VIDEOJS_HLS_DEFAULTS, ...engineOptions.hlsConfig },
      });
      super(player, options);
      this.engine = engine;

      let display: (VjsComponent & { update(stats: MeshcastStats): void }) | undefined;
      if (statsDisplay && player.controlBar) {
        const bar = player.controlBar;
        const fullscreen = bar.getChild('FullscreenToggle');
        const index = fullscreen ? bar.children().indexOf(fullscreen) : undefined;
        display = bar.addChild(STATS_DISPLAY_NAME, {}, index) as typeof display;
        this.disposer.add(() => {
          if (!bar.isDisposed()) bar.removeChild(display!);
          display!.dispose();
        });
      }

      const tick = (): void => {
        const stats = this.engine.stats();
        display?.update(stats);
        player.trigger({ type: 'meshcast:stats', stats });
      };
      const startTicking = (): void => {
        if (this.statsTimer === undefined) this.statsTimer = setInterval(tick, STATS_INTERVAL_MS);
      };
      const stopTicking = (): void => {
        clearInterval(this.statsTimer);
        this.statsTimer = undefined;
        tick();
      };
      player.on('playing', startTicking);
      player.on(['pause', 'ended'], stopTicking);
      this.disposer.add(() => {
        player.off('playing', startTicking);
        player.off(['pause', 'ended'], stopTicking);
        clearInterval(this.statsTimer);
      });
      if (!player.paused()) startTicking();

      const onError = (error: MeshcastError): void => {
        player.error({ code: mediaErrorCode(error), message: error.message });
      };
      this.engine.on('error', onError);
    }

    stats(): MeshcastStats {
      return this.engine.stats();
    }

    /** Plays one source handed over by the source handler; returns what stops it. */
    play(controller: MeshcastSourceController): () => void {
      const player = (this as unknown as { player: VjsPlayer }).player;
      this.engine.load(controller.tech.el(), controller.src);
      const hls = this.engine.hls!;
      const releases = [
        bridgeQualityLevels(player, hls),
        bridgeAudioTracks(videojs, player, hls),
        bridgeTextTracks(player, hls),
      ];
      return () => {
        for (const release of releases) release();
        this.engine.unload();
      };
    }

    override dispose(): void {
      this.disposer.dispose();
      this.engine.destroy();
      super.dispose();
    }
  };
}
