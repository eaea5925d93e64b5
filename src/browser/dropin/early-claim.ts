// Runs first in the drop-in bundle, before hls.js and p2p-media-loader are even set up: from here on no
// plain <video> that Meshcast will play lets the browser's own HLS pipeline fetch anything (see
// native-claim). video.js elements are left to video.js: it reads their markup when it sets them up.
import { canPlayThroughHlsJs, startClaiming } from './native-claim';

const script = document.currentScript as HTMLScriptElement | null;

/** Whether the drop-in claims `<video>` elements (auto-attach on, and hls.js can play here). */
export const claiming = script?.dataset.autoAttach !== 'false' && canPlayThroughHlsJs();

if (claiming) startClaiming((video) => !video.closest('[data-meshcast="off"]') && !video.closest('.video-js'));
