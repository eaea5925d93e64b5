import { MeshcastEngine } from '../engine/meshcast-engine';
import type { VideoJs, VjsPlayer, VjsSourceHandler, VjsTech } from './videojs-types';

const HLS_MIME = /^(application\/(x-mpegurl|vnd\.apple\.mpegurl)|audio\/mpegurl)$/i;
const HLS_URL = /\.m3u8($|[?#])/i;

/** Player (or Html5 tech) option that keeps Meshcast away from one player: `{ html5: { meshcast: false } }`. */
function optedOut(options: unknown): boolean {
  return typeof options === 'object' && options !== null && (options as { meshcast?: unknown }).meshcast === false;
}

/** Plays one source of one player through the player's Meshcast engine. */
export interface MeshcastSourceController {
  readonly src: string;
  readonly tech: VjsTech;
  dispose(): void;
}

/**
 * The Html5 source handler that plays HLS (by MIME type or `.m3u8` URL) through hls.js and
 * p2p-media-loader. It is registered ahead of video.js's own VHS. Playback starts on the next tick,
 * so `player.meshcast(options)` called right after `videojs()` applies to the first source.
 */
export function createSourceHandler(
  videojs: VideoJs,
  start: (player: VjsPlayer, controller: MeshcastSourceController) => (() => void) | undefined,
): VjsSourceHandler {
  const canPlayType = (type: string): string => (MeshcastEngine.isSupported() && HLS_MIME.test(type) ? 'probably' : '');
  return {
    canPlayType,
    canHandleSource(source, options) {
      if (optedOut(options) || !MeshcastEngine.isSupported()) return '';
      if (source.type) return canPlayType(source.type);
      return source.src && HLS_URL.test(source.src) ? 'maybe' : '';
    },
    handleSource(source, tech) {
      let stop: (() => void) | undefined;
      let disposed = false;
      const controller: MeshcastSourceController = {
        src: source.src,
        tech,
        dispose() {
          disposed = true;
          clearTimeout(timer);
          stop?.();
        },
      };
      const timer = setTimeout(() => {
        const player = tech.options_.playerId ? videojs.getPlayer(tech.options_.playerId) : undefined;
        if (!disposed && player && !player.isDisposed()) stop = start(player, controller);
      }, 0);
      return controller;
    },
  };
}
