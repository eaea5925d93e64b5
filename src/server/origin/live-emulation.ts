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

/** The live edge on the live timeline at `nowMs`, in seconds. */
const edgeS = (clock: LiveClock, nowMs: number) => Math.max(0, (nowMs - clock.startedAtMs) / 1000) + clock.windowS;
const atMs = (clock: LiveClock, liveS: number) => clock.startedAtMs + (liveS - clock.windowS) * 1000;

/** The parts of live segment `msn` (its VOD segment's EXT-X-PART list; empty for media without parts). */
const partsOf = (vod: MediaPlaylist, msn: number) => vod.segments[msn % vod.segments.length].parts ?? [];

/** When (ms since epoch) part `part` of live segment `msn` is complete; a part past the last is the next segment's first. */
export function partAvailableAtMs(vod: MediaPlaylist, clock: LiveClock, msn: number, part: number): number {
  const parts = partsOf(vod, msn);
  if (part >= parts.length) return part === 0 ? segmentAvailableAtMs(vod, clock, msn) : partAvailableAtMs(vod, clock, msn + 1, 0);
  const { startS } = liveSegmentAt(vod, msn);
  return atMs(clock, startS + parts.slice(0, part + 1).reduce((sum, p) => sum + p.duration, 0));
}

/** When (ms since epoch) live segment `msn` is complete. */
export function segmentAvailableAtMs(vod: MediaPlaylist, clock: LiveClock, msn: number): number {
  const { index, startS } = liveSegmentAt(vod, msn);
  return atMs(clock, startS + vod.segments[index].duration);
}

/** How many parts of the segment in progress (`msn` = completedSegments) are complete at `nowMs`. */
function partsDone(vod: MediaPlaylist, clock: LiveClock, msn: number, nowMs: number): number {
  const parts = partsOf(vod, msn);
  let done = 0;
  while (done < parts.length && partAvailableAtMs(vod, clock, msn, done) <= nowMs) done += 1;
  return done;
}

/** URIs of an emulated LL-HLS stream's parts: part `part` of live segment `msn`. */
export type PartUri = (msn: number, part: number) => string;

/**
 * The live media playlist at `nowMs`; segment URIs come from `uriFor(msn)`. With `partUri`, an LL-HLS
 * playlist: EXT-X-SERVER-CONTROL (blocking reload, PART-HOLD-BACK of three part targets), the parts of
 * the segments of the last three target durations and of the segment in progress, and a preload hint
 * for the next part.
 */
export function liveMediaPlaylist(
  vod: MediaPlaylist,
  clock: LiveClock,
  nowMs: number,
  uriFor: (msn: number) => string,
  partUri?: PartUri,
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
  const lowLatency = partUri && vod.partTarget ? { partUri, partTarget: vod.partTarget } : undefined;
  const lines = [
    '#EXTM3U',
    ...vod.headerTags.filter((tag) => !tag.startsWith('#EXT-X-MAP')),
    `#EXT-X-TARGETDURATION:${vod.targetDuration}`,
    ...(lowLatency ? [
      `#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=${(3 * lowLatency.partTarget).toFixed(3)}`,
      `#EXT-X-PART-INF:PART-TARGET=${lowLatency.partTarget.toFixed(3)}`,
    ] : []),
    `#EXT-X-MEDIA-SEQUENCE:${first}`,
    `#EXT-X-DISCONTINUITY-SEQUENCE:${Math.floor(first / count)}`,
  ];
  const map = vod.headerTags.find((tag) => tag.startsWith('#EXT-X-MAP'));
  const partsFrom = edgeS(clock, nowMs) - 3 * vod.targetDuration;
  const partLines = (msn: number, count: number) => partsOf(vod, msn).slice(0, count).map((part, i) =>
    `#EXT-X-PART:DURATION=${part.duration.toFixed(5)},URI="${lowLatency!.partUri(msn, i)}"${part.independent ? ',INDEPENDENT=YES' : ''}`);
  const inProgress = lowLatency ? partsDone(vod, clock, end, nowMs) : 0;
  for (let msn = first; msn <= end; msn += 1) {
    if (msn === end && !lowLatency) break;
    const { index, startS } = liveSegmentAt(vod, msn);
    if (index === 0 && msn > first) lines.push('#EXT-X-DISCONTINUITY');
    if (map && (msn === first || index === 0)) lines.push(map);
    lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date((epochS + startS) * 1000).toISOString()}`);
    if (msn === end) {
      lines.push(...partLines(msn, inProgress));
      const next = inProgress < partsOf(vod, msn).length ? lowLatency!.partUri(msn, inProgress) : lowLatency!.partUri(msn + 1, 0);
      lines.push(`#EXT-X-PRELOAD-HINT:TYPE=PART,URI="${next}"`);
      break;
    }
    if (lowLatency && startS + vod.segments[index].duration > partsFrom) lines.push(...partLines(msn, Infinity));
    lines.push(`#EXTINF:${vod.segments[index].duration.toFixed(3)},`);
    lines.push(uriFor(msn));
  }
  return `${lines.join('\n')}\n`;
}
