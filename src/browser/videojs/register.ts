import type { MeshcastPlugin } from './meshcast-plugin';
import { createMeshcastPlugin } from './meshcast-plugin';
import { createSourceHandler } from './source-handler';
import { createStatsDisplay, STATS_DISPLAY_NAME } from './stats-display';
import type { VideoJs, VjsPlayer } from './videojs-types';

const registered = new WeakSet<object>();

/**
 * Adds Meshcast to a video.js 8 build: the `meshcast` plugin, the control-bar display, and the
 * Html5 source handler for HLS (ahead of VHS). A player whose element has `data-meshcast="off"`
 * (or the option `html5: { meshcast: false }`) is left to VHS. Safe to call more than once.
 */
export function registerMeshcast(videojs: VideoJs): void {
  if (registered.has(videojs)) return;
  registered.add(videojs);

  videojs.registerComponent(STATS_DISPLAY_NAME, createStatsDisplay(videojs));
  videojs.registerPlugin('meshcast', createMeshcastPlugin(videojs));
  videojs.getTech('Html5').registerSourceHandler(
    createSourceHandler(videojs, (player, controller) => {
      try {
        // Options given as `videojs(el, { meshcast: {...} })` or `player.meshcast({...})` before the source loaded.
        const api = player as VjsPlayer & { meshcast(options?: unknown): MeshcastPlugin & { play: (c: typeof controller) => () => void }; usingPlugin(name: string): boolean };
        const plugin = api.usingPlugin('meshcast') ? api.meshcast() : api.meshcast(player.options_.meshcast);
        return plugin.play(controller);
      } catch (error) {
        videojs.log.error('meshcast:', error);
        player.error({ code: 4, message: (error as Error).message });
        return undefined;
      }
    }),
    0,
  );
  videojs.hook('beforesetup', (el) => (el.dataset.meshcast === 'off' ? { html5: { meshcast: false } } : {}));
}
