import Hls, { type ErrorData } from 'hls.js';
import { MeshcastError } from '../errors';
import { Disposer } from '../utils/disposer';
import { hlsListener } from '../utils/hls-listeners';
import { decideRecovery, type RecoveryAttempts } from './error-recovery';

/**
 * Recovers hls.js from fatal errors by the ladder in {@link decideRecovery} (network retries with a
 * growing delay, media recovery, codec swap) and reports what it cannot recover. A buffered fragment
 * is progress: the next failure starts the ladder again.
 */
export class ErrorRecoveryController {
  private readonly disposer = new Disposer();
  private readonly attempts: RecoveryAttempts = { network: 0, media: 0 };
  private retryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly hls: Hls, private readonly src: string, private readonly onFatal: (error: MeshcastError) => void) {
    this.registerListeners();
  }

  private registerListeners(): void {
    const onHls = hlsListener(this.hls, this.disposer);
    onHls(Hls.Events.ERROR, (_event, data) => this.onError(data));
    onHls(Hls.Events.FRAG_BUFFERED, () => {
      this.attempts.network = 0;
      this.attempts.media = 0;
    });
    this.disposer.add(() => clearTimeout(this.retryTimer));
  }

  private onError(data: ErrorData): void {
    if (!data.fatal) return;
    const { hls, attempts } = this;
    const type = data.type === Hls.ErrorTypes.NETWORK_ERROR
      ? 'networkError'
      : data.type === Hls.ErrorTypes.MEDIA_ERROR ? 'mediaError' : 'otherError';
    const action = decideRecovery({ type, details: data.details }, attempts);
    if (action === 'restartLoading' || action === 'reloadSource') {
      attempts.network += 1;
      this.retryTimer = setTimeout(() => {
        if (action === 'reloadSource') hls.loadSource(this.src);
        else hls.startLoad();
      }, 1000 * attempts.network);
    } else if (action === 'recoverMedia' || action === 'swapAudioCodecAndRecover') {
      attempts.media += 1;
      if (action === 'swapAudioCodecAndRecover') hls.swapAudioCodec();
      hls.recoverMediaError();
    } else {
      this.onFatal(new MeshcastError(type, data.details, `hls.js fatal error: ${data.details}`, { fatal: true, cause: data.error }));
    }
  }

  /** Removes its listeners and any pending retry. */
  destroy(): void {
    this.disposer.dispose();
  }
}
