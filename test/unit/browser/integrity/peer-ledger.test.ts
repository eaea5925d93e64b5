import { PeerLedger } from '../../../../src/browser/integrity/peer-ledger';

describe('PeerLedger', () => {
  test('knows who sends a segment until its request ends', () => {
    const ledger = new PeerLedger(2);
    ledger.requestStarted('/seg1.ts', 'peer-a');
    expect(ledger.senderOf('/seg1.ts')).toBe('peer-a');
    ledger.requestEnded('/seg1.ts');
    expect(ledger.senderOf('/seg1.ts')).toBeUndefined();
  });

  test('refuses a peer at its maxFailures-th bad segment, for good', () => {
    const ledger = new PeerLedger(2);
    expect(ledger.failed('peer-a')).toBe(false);
    expect(ledger.isRefused('peer-a')).toBe(false);
    expect(ledger.failed('peer-b')).toBe(false);
    expect(ledger.failed('peer-a')).toBe(true);
    expect(ledger.isRefused('peer-a')).toBe(true);
    expect(ledger.isRefused('peer-b')).toBe(false);
    // Further failures change nothing and are not a new refusal.
    expect(ledger.failed('peer-a')).toBe(false);
    expect(ledger.refusedCount).toBe(1);
  });

  test('a failure with no known sender refuses no one', () => {
    const ledger = new PeerLedger(1);
    expect(ledger.failed(undefined)).toBe(false);
    expect(ledger.isRefused(undefined)).toBe(false);
    expect(ledger.refusedCount).toBe(0);
  });
});
