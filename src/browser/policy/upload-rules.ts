import type { ResolvedPolicy } from './policy-options';

/** What the page tells about the viewer's situation, and what uploading looks like right now. */
export interface UploadSituation {
  hidden: boolean;
  saveData: boolean;
  /** Network Information API: `type` cellular, or `metered` (where a browser reports it). */
  metered: boolean;
  /** What the rate limit still allows, bytes (see {@link UploadBudget}); undefined without a limit. */
  budgetBytes: number | undefined;
  /** Peers with an upload under way. */
  uploadsInFlight: number;
}

export type UploadVerdict = { allowed: true } | { allowed: false; reason: 'hidden' | 'saveData' | 'metered' | 'rate' | 'concurrency' };

/**
 * Whether this viewer may take new upload requests now. p2p-media-loader's only lever is its upload
 * switch (declined requests are answered "absent", so peers ask someone else), so a rate limit is
 * an average: uploads pause while the budget is spent and resume once a quarter second of it is
 * back. `wasAllowed` adds that hysteresis, so the switch (which makes p2p-media-loader re-announce)
 * does not flap.
 */
export function decideUpload(situation: UploadSituation, rules: ResolvedPolicy['upload'], wasAllowed: boolean): UploadVerdict {
  if (situation.hidden && !rules.whenHidden) return { allowed: false, reason: 'hidden' };
  if (situation.saveData && !rules.onSaveData) return { allowed: false, reason: 'saveData' };
  if (situation.metered && !rules.onMetered) return { allowed: false, reason: 'metered' };
  if (rules.maxBytesPerS !== undefined && situation.budgetBytes !== undefined) {
    const needed = wasAllowed ? 0 : rules.maxBytesPerS * 0.25;
    if (situation.budgetBytes <= needed) return { allowed: false, reason: 'rate' };
  }
  if (situation.uploadsInFlight >= rules.maxConcurrent) return { allowed: false, reason: 'concurrency' };
  return { allowed: true };
}

/**
 * A token bucket for the upload rate: it refills at `bytesPerS` up to two seconds' worth, and every
 * byte sent is taken from it, even past zero, so uploads that finish after the switch went off are
 * paid back before the next ones start. Over any span the bytes sent stay within the rate times the
 * span, plus two seconds' worth, plus the uploads under way when it ran out.
 */
export class UploadBudget {
  private balance: number;
  private updatedAt: number;

  constructor(private readonly bytesPerS: number, nowMs: number) {
    this.balance = bytesPerS * 2;
    this.updatedAt = nowMs;
  }

  sent(bytes: number, nowMs: number): void {
    this.refill(nowMs);
    this.balance -= bytes;
  }

  available(nowMs: number): number {
    this.refill(nowMs);
    return this.balance;
  }

  private refill(nowMs: number): void {
    this.balance = Math.min(this.bytesPerS * 2, this.balance + ((nowMs - this.updatedAt) / 1000) * this.bytesPerS);
    this.updatedAt = nowMs;
  }
}
