import { CUMULATIVE_FIELDS, type Beacon } from '../../browser/stats/beacon-schema';

/** What one session could really have done, given the operator's streams. */
export interface PlausibilityLimits {
  /** The highest bitrate any of the operator's streams has, bits per second. @default 40e6 */
  maxBitrateBps: number;
  /** New sessions one client address may start per hour (a household's devices). @default 20 */
  sessionsPerAddressPerHour: number;
}

export const DEFAULT_PLAUSIBILITY: PlausibilityLimits = { maxBitrateBps: 40e6, sessionsPerAddressPerHour: 20 };

/** What the store knows of a session before this beacon. */
export interface SessionHistory {
  counters: Record<string, number>;
  /** When the collector first heard from the session (ms since epoch). */
  firstSeen: number;
}

/** A stream's totals so far, and how many sessions it has now. */
export interface StreamTotals {
  p2pBytes: number;
  uploadedBytes: number;
  audience: number;
}

/** Players send their first beacon at most `statsIntervalS` (≤ 3600 s) after they start: play before the collector heard of them. */
const FIRST_BEACON_MAX_S = 3600;
/** Play time may run ahead of the collector's clock by network jitter and a beacon held while hidden. */
const CLOCK_SLACK_S = 30;
/** Downloads run ahead of play by the buffer, and seeks fetch what is never played: this much media. */
const DOWNLOAD_AHEAD_S = 300;
/** A viewer uploads to at most this many peers at once (`upload.maxConcurrent` is at most 64; 4 by default). */
const UPLOAD_FANOUT = 8;
/** P2P received may run ahead of uploads reported, per active session, by this much media (beacons lag). */
const P2P_LEAD_S = 60;

/**
 * Why a beacon cannot be true, or undefined when it can: counters that went down; more play time than
 * the session has existed (the collector's clock since its first beacon, plus what a first beacon may
 * cover); more bytes than the top bitrate allows for the play time; more uploads than a viewer's uplink
 * fan-out allows over the session's life; more received from peers in the stream than its viewers
 * reported uploading. Failing beacons are counted and not stored; being cumulative,
 * whatever part of them is true arrives with a later, plausible beacon.
 */
export function implausibility(previous: SessionHistory | undefined, beacon: Beacon, nowMs: number, stream: StreamTotals, limits: PlausibilityLimits): string | undefined {
  const before = previous?.counters ?? {};
  for (const field of CUMULATIVE_FIELDS) {
    if (beacon[field] < (before[field] ?? 0)) return `${field} went down`;
  }
  const bytesPerS = limits.maxBitrateBps / 8;
  // Cumulative, from the session's first beacon: frequent beacons earn no extra time.
  const lifeS = (previous ? Math.max(0, (nowMs - previous.firstSeen) / 1000) : 0) + FIRST_BEACON_MAX_S + CLOCK_SLACK_S;
  if (beacon.playingMs / 1000 > lifeS) return `playingMs is ${Math.round(beacon.playingMs / 1000)} s in a session at most ${Math.round(lifeS)} s old`;
  if (beacon.httpBytes + beacon.p2pBytes > bytesPerS * (beacon.playingMs / 1000 + DOWNLOAD_AHEAD_S)) {
    return 'more bytes than the top bitrate allows for the time played';
  }
  const uploadedDelta = beacon.uploadedBytes - (before.uploadedBytes ?? 0);
  if (beacon.uploadedBytes > UPLOAD_FANOUT * bytesPerS * lifeS) return 'more uploaded than a viewer can send in the time';
  const p2pDelta = beacon.p2pBytes - (before.p2pBytes ?? 0);
  const lead = bytesPerS * P2P_LEAD_S * (stream.audience + 1);
  if (p2pDelta > 0 && stream.p2pBytes + p2pDelta > stream.uploadedBytes + uploadedDelta + lead) {
    return 'more received from peers than the stream\'s viewers uploaded';
  }
  return undefined;
}

/** New sessions per client address over the last hour, to bound how many one address can start. */
export class SessionStarts {
  private readonly starts = new Map<string, number[]>();

  constructor(private readonly perHour: number, private readonly maxAddresses = 100_000) {}

  /** Whether `address` may start one more session now; if so, counts it. */
  admit(address: string, nowMs: number): boolean {
    const since = nowMs - 3_600_000;
    const recent = (this.starts.get(address) ?? []).filter((t) => t > since);
    if (recent.length >= this.perHour) {
      this.starts.set(address, recent);
      return false;
    }
    recent.push(nowMs);
    this.starts.delete(address);
    this.starts.set(address, recent);
    // Oldest-touched addresses go first when too many are tracked.
    if (this.starts.size > this.maxAddresses) this.starts.delete(this.starts.keys().next().value as string);
    return true;
  }
}
