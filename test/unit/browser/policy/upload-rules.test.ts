import { decideUpload, UploadBudget, type UploadSituation } from '../../../../src/browser/policy/upload-rules';
import type { ResolvedPolicy } from '../../../../src/browser/policy/policy-options';

const rules: ResolvedPolicy['upload'] = { maxBytesPerS: 100_000, maxConcurrent: 2, onMetered: false, onSaveData: false, whenHidden: false };
const calm: UploadSituation = { hidden: false, saveData: false, metered: false, budgetBytes: 200_000, uploadsInFlight: 0 };

describe('upload rules', () => {
  test('uploads on a visible tab, unmetered, without Save-Data, under the limits', () => {
    expect(decideUpload(calm, rules, true)).toEqual({ allowed: true });
  });

  test.each([
    ['hidden', { hidden: true }, 'whenHidden'],
    ['saveData', { saveData: true }, 'onSaveData'],
    ['metered', { metered: true }, 'onMetered'],
  ] as const)('%s stops uploads unless its rule allows them', (reason, situation, rule) => {
    expect(decideUpload({ ...calm, ...situation }, rules, true)).toEqual({ allowed: false, reason });
    expect(decideUpload({ ...calm, ...situation }, { ...rules, [rule]: true }, true)).toEqual({ allowed: true });
  });

  test('the rate limit pauses uploads once the budget is spent and resumes at a quarter second of it', () => {
    expect(decideUpload({ ...calm, budgetBytes: 0 }, rules, true)).toEqual({ allowed: false, reason: 'rate' });
    expect(decideUpload({ ...calm, budgetBytes: 1 }, rules, true)).toEqual({ allowed: true });
    expect(decideUpload({ ...calm, budgetBytes: 20_000 }, rules, false)).toEqual({ allowed: false, reason: 'rate' });
    expect(decideUpload({ ...calm, budgetBytes: 30_000 }, rules, false)).toEqual({ allowed: true });
    expect(decideUpload({ ...calm, budgetBytes: undefined }, { ...rules, maxBytesPerS: undefined }, true)).toEqual({ allowed: true });
  });

  test('the budget refills at the rate, up to two seconds of it, and goes into debt for late bytes', () => {
    const budget = new UploadBudget(10_000, 0);
    expect(budget.available(0)).toBe(20_000);
    budget.sent(50_000, 0);
    expect(budget.available(0)).toBe(-30_000);
    expect(budget.available(3_000)).toBe(0);
    expect(budget.available(60_000)).toBe(20_000);
    // Over a long span, what may be sent is the rate times the span plus the two-second burst.
    const paced = new UploadBudget(10_000, 0);
    let sent = 0;
    for (let t = 0; t <= 30_000; t += 250) {
      if (paced.available(t) > 0) {
        paced.sent(26_000, t);
        sent += 26_000;
      }
    }
    expect(sent).toBeLessThanOrEqual(10_000 * 30 + 20_000 + 26_000);
  });

  test('no new upload while maxConcurrent peers are being served', () => {
    expect(decideUpload({ ...calm, uploadsInFlight: 1 }, rules, true)).toEqual({ allowed: true });
    expect(decideUpload({ ...calm, uploadsInFlight: 2 }, rules, true)).toEqual({ allowed: false, reason: 'concurrency' });
  });
});
