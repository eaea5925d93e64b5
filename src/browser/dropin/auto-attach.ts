import { MeshcastEngine } from '../engine/meshcast-engine';
import type { MeshcastStats } from '../stats/meshcast-stats';
import type { MeshcastPlugin, MeshcastPluginOptions } from '../videojs/meshcast-plugin';
import { registerMeshcast } from '../videojs/register';
import type { VideoJs, VjsPlayer } from '../videojs/videojs-types';
import type Hls from 'hls.js';
import { claimedSources, claimNative, hlsSourceOf, onClaimed } from './native-claim';

const HLS_URL = /\.m3u8($|[?#])/i;
const HLS_TYPE = /mpegurl/i;

type PlayerWithPlugin = VjsPlayer & { meshcast(options?: unknown): MeshcastPlugin; usingPlugin(name: string): boolean };

/** Engines the drop-in started for plain `<video>` elements and adopted hls.js instances. */
const engines = new WeakMap<object, MeshcastEngine>();

function isPlayer(target: unknown): target is PlayerWithPlugin {
  return typeof target === 'object' && target !== null && typeof (target as VjsPlayer).tech === 'function' && typeof (target as VjsPlayer).currentSource === 'function';
}

function isHls(target: unknown): target is Hls {
  return typeof target === 'object' && target !== null && typeof (target as Hls).loadSource === 'function' && 'config' in target;
}

function optedOut(el: Element | null | undefined): boolean {
  return (el as HTMLElement | null)?.dataset?.meshcast === 'off';
}

/** Upgrades a video.js player: Meshcast plugin with these options, current HLS source reloaded through it. */
function attachPlayer(player: PlayerWithPlugin, options: MeshcastPluginOptions): MeshcastPlugin {
  const plugin = player.usingPlugin('meshcast') ? player.meshcast() : player.meshcast(options);
  const tech = player.tech(true) as unknown as { sourceHandler_?: { tech?: unknown } } | undefined;
  const current = player.currentSource();
  const handledByMeshcast = Boolean(tech?.sourceHandler_ && 'tech' in tech.sourceHandler_);
  if (current?.src && !handledByMeshcast && (HLS_URL.test(current.src) || HLS_TYPE.test(current.type ?? ''))) {
    // Playing through VHS (the player existed before Meshcast): load the same sources again.
    player.src(player.currentSources());
  }
  return plugin;
}

/** Plays a plain `<video>`'s HLS source through hls.js with P2P; native playback stays where MSE is missing. */
function attachVideo(video: HTMLVideoElement, options: MeshcastPluginOptions, src = hlsSourceOf(video)): MeshcastEngine | undefined {
  const existing = engines.get(video);
  if (existing) return existing;
  if (!src) return undefined;
  if (!MeshcastEngine.isSupported()) {
    console.info('Meshcast: this browser has no Media Source Extensions; native HLS playback stays, without P2P.');
    return undefined;
  }
  const { statsDisplay: _videojsOnly, ...engineOptions } = options;
  const engine = new MeshcastEngine(engineOptions);
  engines.set(video, engine);
  engine.load(video, src);
  return engine;
}

/** `Meshcast.attach(target, options)`: a video.js player, a `<video>`, or an hls.js instance. */
export function attach(target: unknown, options: MeshcastPluginOptions = {}, videojs?: VideoJs): MeshcastPlugin | MeshcastEngine | undefined {
  if (isPlayer(target)) {
    if (videojs) registerMeshcast(videojs);
    return attachPlayer(target, options);
  }
  if (typeof HTMLVideoElement !== 'undefined' && target instanceof HTMLVideoElement) return attachVideo(target, options);
  if (isHls(target)) {
    const existing = engines.get(target);
    if (existing) return existing;
    const { statsDisplay: _videojsOnly, ...engineOptions } = options;
    const engine = new MeshcastEngine(engineOptions);
    engine.attachHls(target);
    engines.set(target, engine);
    return engine;
  }
  throw new TypeError('Meshcast.attach(target): target must be a video.js player, a <video> element or an hls.js instance');
}

/** `Meshcast.stats(target)`: the stats of whatever Meshcast plays for that target. */
export function stats(target: unknown): MeshcastStats | undefined {
  if (isPlayer(target)) return target.usingPlugin('meshcast') ? target.meshcast().stats() : undefined;
  return engines.get(target as object)?.stats();
}

/**
 * What the one script tag does: every video.js player (present and future) and every plain
 * `<video>` with an HLS source (present and added later) gets Meshcast, except those marked
 * `data-meshcast="off"`.
 */
export function autoAttach(options: MeshcastPluginOptions, videojs: VideoJs | undefined, claiming = false): void {
  if (videojs) {
    registerMeshcast(videojs);
    // video.js reads a player's sources from its markup, which the claim emptied: give them back. Its
    // autoSetup can reach a `data-setup` element before the claim does: claim it here, then.
    videojs.hook('beforesetup', (el) => {
      if (claiming && !claimedSources(el) && el instanceof HTMLMediaElement && !optedOut(el.closest('[data-meshcast]'))) claimNative(el);
      const sources = claimedSources(el);
      return sources ? { sources } : {};
    });
    videojs.hook('setup', (player) => {
      if (!optedOut(player.el()) && !optedOut(player.el().querySelector('video'))) (player as PlayerWithPlugin).meshcast(options);
    });
    for (const player of Object.values(videojs.getPlayers())) {
      if (player && !player.isDisposed() && !optedOut(player.el()) && !optedOut(player.tech(true)?.el())) {
        attachPlayer(player as PlayerWithPlugin, options);
      }
    }
  }

  const consider = (video: HTMLVideoElement): void => {
    // video.js players are handled above (their <video> sits inside the player's .video-js element).
    if (optedOut(video) || video.closest('.video-js') || engines.has(video)) return;
    try {
      attachVideo(video, options);
    } catch (error) {
      console.error('Meshcast:', error);
    }
  };
  const scan = (root: ParentNode): void => {
    if (root instanceof HTMLVideoElement) consider(root);
    root.querySelectorAll?.('video').forEach(consider);
  };

  if (claiming) {
    // Every plain <video> Meshcast plays was claimed from the browser's own HLS pipeline first.
    onClaimed((video, src) => {
      if (video.classList.contains('vjs-tech')) {
        // Sources parsed after video.js set its player up: the player plays them.
        const player = (video.closest('.video-js') as (Element & { player?: VjsPlayer }) | null)?.player;
        const sources = claimedSources(video);
        if (player && sources) player.src(sources);
        return;
      }
      if (video.closest('.video-js')) return; // video.js markup not set up yet: the beforesetup hook gives it its sources
      const engine = engines.get(video);
      if (engine) engine.load(video, src);
      else consider(video);
    });
    return;
  }
  const start = (): void => {
    scan(document);
    new MutationObserver((mutations) => {
      for (const mutation of mutations) {
        if (mutation.type === 'attributes' && mutation.target instanceof HTMLVideoElement) {
          // hls.js itself sets src to a blob: URL; only a new playlist URL is a new source.
          const video = mutation.target;
          const src = hlsSourceOf(video);
          const engine = engines.get(video);
          if (engine && src && !optedOut(video)) engine.load(video, src);
          else consider(video);
        }
        mutation.addedNodes.forEach((node) => {
          if (node instanceof Element) scan(node);
        });
      }
    }).observe(document.documentElement, { childList: true, subtree: true, attributes: true, attributeFilter: ['src'] });
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start, { once: true });
  else start();
}
