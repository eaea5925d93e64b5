// Chromium answers canPlayType('application/vnd.apple.mpegurl') with "maybe", so a <video> with an HLS
// source starts the browser's own HLS pipeline as soon as it is parsed, fetching playlists and segments
// that hls.js then fetches again. The drop-in claims plain <video> elements the moment it sees them: it
// keeps their HLS source here and leaves the element nothing the browser can load, until Meshcast plays
// it. This module imports nothing, so it runs before the bundled libraries.

const HLS_URL = /\.m3u8($|[?#])/i;
const HLS_TYPE = /mpegurl/i;
const HLS_MIME = 'application/x-mpegURL';
/** A `<source>` type no browser plays: the element skips it. */
const CLAIMED_TYPE = 'application/x-meshcast-claimed';

interface Claim {
  /** The HLS playlist URL, absolute. */
  src: string;
  /** Its `<source>` children it took. */
  sources: HTMLSourceElement[];
  /** What the markup offered, in order (the `src` attribute, then each `<source>`), before the claim. */
  markup: Array<{ src: string; type: string }>;
}

const claims = new WeakMap<HTMLMediaElement, Claim>();

/** Whether this browser plays HLS through hls.js at all (Media Source Extensions or ManagedMediaSource). */
export function canPlayThroughHlsJs(): boolean {
  const w = window as unknown as { MediaSource?: typeof MediaSource; ManagedMediaSource?: typeof MediaSource };
  const MediaSourceImpl = w.ManagedMediaSource ?? w.MediaSource;
  return typeof MediaSourceImpl?.isTypeSupported === 'function' && MediaSourceImpl.isTypeSupported('video/mp4; codecs="avc1.42E01E,mp4a.40.2"');
}

/** The HLS playlist in an element's markup: its `src`, or the first unclaimed `<source>` that is one. */
function markupSource(video: HTMLMediaElement): string | undefined {
  const src = video.getAttribute('src');
  if (src && HLS_URL.test(src)) return new URL(src, document.baseURI).href;
  for (const source of Array.from(video.querySelectorAll('source'))) {
    const url = source.getAttribute('src');
    if (source.type === CLAIMED_TYPE) continue;
    if (url && (HLS_URL.test(url) || HLS_TYPE.test(source.type))) return new URL(url, document.baseURI).href;
  }
  return undefined;
}

/**
 * The sources a claimed element's markup offered, for video.js to set the player up with (the
 * element itself now offers the browser nothing); undefined for an element never claimed.
 */
export function claimedSources(video: Element): Array<{ src: string; type: string }> | undefined {
  return video instanceof HTMLMediaElement ? claims.get(video)?.markup : undefined;
}

/** The HLS source Meshcast keeps for a claimed element, or the one its markup shows. */
export function hlsSourceOf(video: HTMLMediaElement): string | undefined {
  return claims.get(video)?.src ?? markupSource(video);
}

/**
 * Takes an element's HLS source away from the browser's own pipeline: its `src` attribute goes and
 * its HLS `<source>`s get a type no browser plays, then `load()` stops whatever had started. A later
 * call with a new HLS `src` claims that one instead. Returns the claimed source.
 */
export function claimNative(video: HTMLMediaElement): string | undefined {
  const src = markupSource(video);
  if (!src) return claims.get(video)?.src;
  const sources = claims.get(video)?.sources ?? [];
  const markup: Claim['markup'] = [];
  const srcAttribute = video.getAttribute('src');
  if (srcAttribute) markup.push({ src: new URL(srcAttribute, document.baseURI).href, type: HLS_URL.test(srcAttribute) ? HLS_MIME : '' });
  for (const source of Array.from(video.querySelectorAll('source'))) {
    if (source.type === CLAIMED_TYPE) continue;
    const url = source.getAttribute('src');
    if (url) markup.push({ src: new URL(url, document.baseURI).href, type: source.type || (HLS_URL.test(url) ? HLS_MIME : '') });
    sources.push(source);
    source.type = CLAIMED_TYPE;
  }
  claims.set(video, { src, sources, markup });
  if (srcAttribute && HLS_URL.test(srcAttribute)) video.removeAttribute('src');
  video.load();
  return src;
}

type ClaimListener = (video: HTMLVideoElement, src: string) => void;
let listener: ClaimListener | undefined;
const pending = new Map<HTMLVideoElement, string>();

/** Who plays what is claimed: called for each claim, those made before it was set included. */
export function onClaimed(fn: ClaimListener): void {
  listener = fn;
  for (const [video, src] of pending) fn(video, src);
  pending.clear();
}

/**
 * Claims every `<video>` with an HLS source that `shouldClaim` accepts: those in the page now, those
 * parsed or added later, their `<source>`s added later, and new HLS `src` values set on them.
 */
export function startClaiming(shouldClaim: (video: HTMLVideoElement) => boolean): void {
  const consider = (video: HTMLVideoElement): void => {
    if (!shouldClaim(video)) return;
    const before = claims.get(video)?.src;
    if (!markupSource(video)) return;
    const src = claimNative(video)!;
    if (src === before) return;
    if (listener) listener(video, src);
    else pending.set(video, src);
  };
  const scan = (node: Node): void => {
    if (node instanceof HTMLVideoElement) consider(node);
    else if (node instanceof HTMLSourceElement && node.parentElement instanceof HTMLVideoElement) consider(node.parentElement);
    if (node instanceof Element) node.querySelectorAll('video').forEach(consider);
  };
  scan(document.documentElement);
  new MutationObserver((mutations) => {
    for (const mutation of mutations) {
      if (mutation.type === 'attributes') scan(mutation.target);
      else mutation.addedNodes.forEach(scan);
    }
  }).observe(document.documentElement, { childList: true, subtree: true, attributes: true, attributeFilter: ['src'] });
}
