/** What kind of failure a {@link MeshcastError} reports. */
export type MeshcastErrorType = 'configError' | 'networkError' | 'mediaError' | 'otherError';

/**
 * The one error shape Meshcast throws and emits, in hls.js's style: a `type`, a machine-readable
 * `details` code and whether playback cannot continue (`fatal`).
 */
export class MeshcastError extends Error {
  override readonly name = 'MeshcastError';
  readonly type: MeshcastErrorType;
  readonly details: string;
  readonly fatal: boolean;
  /** For `configError`: the option at fault, e.g. `trackers[0]`. */
  readonly option?: string;

  constructor(
    type: MeshcastErrorType,
    details: string,
    message: string,
    extra: { fatal: boolean; option?: string; cause?: unknown },
  ) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.type = type;
    this.details = details;
    this.fatal = extra.fatal;
    this.option = extra.option;
  }
}
