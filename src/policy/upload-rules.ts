import type { ResolvedPolicy } from './policy-options';

/** What the page tells about the viewer's situation, and what uploading looks like right now. */
export interface UploadSituation {
  hidden: boolean;
  saveData: boolean;
  /** Network Information API: `type` cellular, or `metered` (where a browser reports it). */
  metered: boolean;
  /** Bytes sent to peers over the last `rateWindowS` seconds. */
  recentBytes: number;
  rateWindowS: number;
  /** Peers with an upload under way. */
  uploadsInFlight: number;
}

export type UploadVerdict = { allowed: true } | { allowed: false; reason: 'hidden' | 'saveData' | 'metered' | 'rate' | 'concurrency' };

/**
 * Whether this viewer may take new upload requests now. p2p-media-loader's only lever is its upload
 * switch (declined requests are answered "absent", so peers ask someone else), so a rate limit is
 * an average: uploads pause while the recent rate is above it. `wasAllowed` adds hysteresis, so the
 * switch (which makes p2p-media-loader re-announce) does not flap around the limits.
 */
export function decideUpload(situation: UploadSituation, rules: ResolvedPolicy['upload'], wasAllowed: boolean): UploadVerdict {
  if (situation.hidden && !rules.whenHidden) return { allowed: false, reason: 'hidden' };
  if (situation.saveData && !rules.onSaveData) return { allowed: false, reason: 'saveData' };
  if (situation.metered && !rules.onMetered) return { allowed: false, reason: 'metered' };
  if (rules.maxBytesPerS !== undefined) {
    const rate = situation.recentBytes / situation.rateWindowS;
    const limit = wasAllowed ? rules.maxBytesPerS : rules.maxBytesPerS * 0.8;
    if (rate > limit) return { allowed: false, reason: 'rate' };
  }
  if (situation.uploadsInFlight >= rules.maxConcurrent) return { allowed: false, reason: 'concurrency' };
  return { allowed: true };
}
