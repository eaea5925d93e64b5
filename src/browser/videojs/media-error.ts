import type { MeshcastError } from '../errors';

/** The video.js MediaError code for a fatal error that recovery could not fix. */
export function mediaErrorCode(error: MeshcastError): number {
  if (error.type === 'networkError') return 2; // MEDIA_ERR_NETWORK
  if (/parsing|incompatible|codec/i.test(error.details)) return 4; // MEDIA_ERR_SRC_NOT_SUPPORTED
  return 3; // MEDIA_ERR_DECODE
}
