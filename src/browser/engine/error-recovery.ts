/** What to do about a fatal hls.js error. */
export type RecoveryAction = 'restartLoading' | 'reloadSource' | 'recoverMedia' | 'swapAudioCodecAndRecover' | 'giveUp';

/** Recovery attempts so far, reset once playback makes progress again. */
export interface RecoveryAttempts {
  network: number;
  media: number;
}

/** Network errors are retried this often (with growing delay) before the error is reported. */
export const MAX_NETWORK_RETRIES = 3;

/**
 * The usual hls.js recovery ladder: network errors reload (the playlist when the manifest failed),
 * media errors try `recoverMediaError`, then once more after swapping the audio codec. Anything
 * else, or a ladder climbed to the top, is reported as fatal.
 */
export function decideRecovery(error: { type: string; details: string }, attempts: RecoveryAttempts): RecoveryAction {
  if (error.type === 'networkError') {
    if (attempts.network >= MAX_NETWORK_RETRIES) return 'giveUp';
    return /^manifest/i.test(error.details) ? 'reloadSource' : 'restartLoading';
  }
  if (error.type === 'mediaError') {
    if (attempts.media === 0) return 'recoverMedia';
    if (attempts.media === 1) return 'swapAudioCodecAndRecover';
    return 'giveUp';
  }
  return 'giveUp';
}
