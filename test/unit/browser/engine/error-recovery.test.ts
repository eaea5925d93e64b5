import { decideRecovery, MAX_NETWORK_RETRIES } from '../../../../src/browser/engine/error-recovery';

describe('decideRecovery', () => {
  test('network errors restart loading, or reload the playlist when the manifest failed, then give up', () => {
    expect(decideRecovery({ type: 'networkError', details: 'fragLoadError' }, { network: 0, media: 0 })).toBe('restartLoading');
    expect(decideRecovery({ type: 'networkError', details: 'manifestLoadError' }, { network: 1, media: 0 })).toBe('reloadSource');
    expect(decideRecovery({ type: 'networkError', details: 'levelLoadTimeOut' }, { network: MAX_NETWORK_RETRIES, media: 0 })).toBe('giveUp');
  });

  test('media errors: recover, then swap the audio codec and recover, then give up', () => {
    const error = { type: 'mediaError', details: 'bufferAppendError' };
    expect(decideRecovery(error, { network: 0, media: 0 })).toBe('recoverMedia');
    expect(decideRecovery(error, { network: 0, media: 1 })).toBe('swapAudioCodecAndRecover');
    expect(decideRecovery(error, { network: 0, media: 2 })).toBe('giveUp');
  });

  test('other errors are not recoverable', () => {
    expect(decideRecovery({ type: 'otherError', details: 'internalException' }, { network: 0, media: 0 })).toBe('giveUp');
  });
});
