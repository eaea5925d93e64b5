// Runs first in the drop-in bundle, before hls.js and p2p-media-loader are even set up: from here on no
// <video> that Meshcast will play lets the browser's own HLS pipeline fetch anything (see native-claim).
// That includes video.js markup not yet set up (`<video class="video-js" data-setup>`, which video.js
// reads at window load): video.js gets its sources back in a `beforesetup` hook. The <video> inside a
// player video.js has already made (`vjs-tech`) is video.js's own, except for `<source>` children parsed
// after video.js set the player up (its autoSetup can run while the page is parsed): those go to the
// player.
import { canPlayThroughHlsJs, startClaiming } from './native-claim';

const script = document.currentScript as HTMLScriptElement | null;

/** Whether the drop-in claims `<video>` elements (auto-attach on, and hls.js can play here). */
export const claiming = script?.dataset.autoAttach !== 'false' && canPlayThroughHlsJs();

const lateSources = (video: HTMLVideoElement) => !video.hasAttribute('src') && video.querySelector('source') !== null;

if (claiming) {
  startClaiming((video) => !video.closest('[data-meshcast="off"]') && (!video.classList.contains('vjs-tech') || lateSources(video)));
}
