import { decideUpload, type UploadSituation } from '../../../src/policy/upload-rules';
import type { ResolvedPolicy } from '../../../src/policy/policy-options';

const rules: ResolvedPolicy['upload'] = { maxBytesPerS: 100_000, maxConcurrent: 2, onMetered: false, onSaveData: false, whenHidden: false };
const calm: UploadSituation = { hidden: false, saveData: false, metered: false, recentBytes: 0, rateWindowS: 2, uploadsInFlight: 0 };

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

  test('the rate limit pauses uploads above it and resumes below 80 % of it', () => {
    expect(decideUpload({ ...calm, recentBytes: 210_000 }, rules, true)).toEqual({ allowed: false, reason: 'rate' });
    expect(decideUpload({ ...calm, recentBytes: 190_000 }, rules, true)).toEqual({ allowed: true });
    expect(decideUpload({ ...calm, recentBytes: 190_000 }, rules, false)).toEqual({ allowed: false, reason: 'rate' });
    expect(decideUpload({ ...calm, recentBytes: 150_000 }, rules, false)).toEqual({ allowed: true });
    expect(decideUpload({ ...calm, recentBytes: 1e9 }, { ...rules, maxBytesPerS: undefined }, true)).toEqual({ allowed: true });
  });

  test('no new upload while maxConcurrent peers are being served', () => {
    expect(decideUpload({ ...calm, uploadsInFlight: 1 }, rules, true)).toEqual({ allowed: true });
    expect(decideUpload({ ...calm, uploadsInFlight: 2 }, rules, true)).toEqual({ allowed: false, reason: 'concurrency' });
  });
});
