// Entry of dist/meshcast.min.js (global `Meshcast`): the public API with hls.js and
// p2p-media-loader bundled. Loaded with one <script> tag after video.js (if the page uses it), it
// upgrades every video.js player and every plain <video> with an HLS source on the page.
// First: claims <video> elements before the bundled libraries even start (see native-claim.ts).
import { claiming } from './early-claim';
import type { MeshcastPluginOptions } from '../videojs/meshcast-plugin';
import type { VideoJs } from '../videojs/videojs-types';
import { attach as attachTarget, autoAttach, stats } from './auto-attach';
import { dropinOptions } from './dropin-config';

export * from '../index';
export { stats, dropinOptions };

const pageVideojs = (): VideoJs | undefined => (window as unknown as { videojs?: VideoJs }).videojs;

/** `Meshcast.attach(target, options)`: a video.js player, a `<video>`, or an hls.js instance. */
export function attach(target: unknown, options?: MeshcastPluginOptions): ReturnType<typeof attachTarget> {
  return attachTarget(target, options, pageVideojs());
}

const script = document.currentScript as HTMLScriptElement | null;
if (script?.dataset.autoAttach !== 'false') {
  try {
    autoAttach(dropinOptions({ ...script?.dataset }, (window as unknown as { MeshcastConfig?: unknown }).MeshcastConfig), pageVideojs(), claiming);
  } catch (error) {
    console.error('Meshcast:', error);
  }
}
