import type { MediaPlaylist } from '../media/playlists';

/**
 * Emulates a live stream over VOD media: the live edge advances with the wall clock, segments
 * repeat the VOD media in a loop with ever-increasing media sequence numbers, and every loop
 * starts a discontinuity. Pure functions of time so tests can drive them.
 */
export interface LiveClock {
  /** When the emulated stream was started (ms since epoch). The window is already full then. */
  startedAtMs: number;
  /** How much of the stream the playlist shows behind the edge, in seconds. */
  windowS: number;
}

/** The VOD segment index and the start time (s, on the live timeline) of live segment `msn`. */
export function liveSegmentAt(vod: MediaPlaylist, msn: number): { index: number; startS: number } {
  const count = vod.segments.length;
  const loop = Math.floor(msn / count);
  const index = msn % count;
  let startS = loop * loopDuration(vod);
  for (let i = 0; i < index; i += 1) startS += vod.segments[i].duration;
  return { index, startS };
}

function loopDuration(vod: MediaPlaylist): number {
  return vod.segments.reduce((sum, s) => sum + s.duration, 0);
}

/** How many live segments are complete at `nowMs`; segment `n` exists when `n` < this count. */
export function completedSegments(vod: MediaPlaylist, clock: LiveClock, nowMs: number): number {
  const elapsedS = Math.max(0, (nowMs - clock.startedAtMs) / 1000) + clock.windowS;
  const loops = Math.floor(elapsedS / loopDuration(vod));
  let rest = elapsedS - loops * loopDuration(vod);
  let done = 0;
  for (const segment of vod.segments) {
    if (rest < segment.duration) break;
    rest -= segment.duration;
    done += 1;
  }
  return loops * vod.segments.length + done;
}

/** The live media playlist at `nowMs`; segment URIs come from `uriFor(msn)`. */
export function liveMediaPlaylist(
  vod: MediaPlaylist,
  clock: LiveClock,
  nowMs: number,
  uriFor: (msn: number) => string,
): string {
  const end = completedSegments(vod, clock, nowMs);
  let first = end;
  let shownS = 0;
  // At least three segments, as HLS players need them to sit a safe distance from the edge.
  while (first > 0) {
    const duration = vod.segments[(first - 1) % vod.segments.length].duration;
    if (shownS + duration > clock.windowS && end - first >= 3) break;
    shownS += duration;
    first -= 1;
  }
  const count = vod.segments.length;
  const epochS = clock.startedAtMs / 1000 - clock.windowS;
  const lines = [
    '#EXTM3U',
    ...vod.headerTags.filter((tag) => !tag.startsWith('#EXT-X-MAP')),
    `#EXT-X-TARGETDURATION:${vod.targetDuration}`,
    `#EXT-X-MEDIA-SEQUENCE:${first}`,
    `#EXT-X-DISCONTINUITY-SEQUENCE:${Math.floor(first / count)}`,
  ];
  const map = vod.headerTags.find((tag) => tag.startsWith('#EXT-X-MAP'));
  for (let msn = first; msn < end; msn += 1) {
    const { index, startS } = liveSegmentAt(vod, msn);
    if (index === 0 && msn > first) lines.push('#EXT-X-DISCONTINUITY');
    if (map && (msn === first || index === 0)) lines.push(map);
    lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date((epochS + startS) * 1000).toISOString()}`);
    lines.push(`#EXTINF:${vod.segments[index].duration.toFixed(3)},`);
    lines.push(uriFor(msn));
  }
  return `${lines.join('\n')}\n`;
}
