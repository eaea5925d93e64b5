import { MeshcastError } from '../../../../src/browser/errors';
import { mediaErrorCode } from '../../../../src/browser/videojs/media-error';
import { levelConstraints } from '../../../../src/browser/videojs/quality-levels';
import { statsDisplayText } from '../../../../src/browser/videojs/stats-display';

describe('levelConstraints', () => {
  test('all or none enabled: ABR is free', () => {
    expect(levelConstraints([true, true, true])).toBe('free');
    expect(levelConstraints([false, false, false])).toBe('free');
  });
  test('one enabled: forced', () => {
    expect(levelConstraints([false, true, false])).toEqual({ forced: 1 });
  });
  test('several: ABR bounded by the lowest and highest enabled', () => {
    expect(levelConstraints([false, true, true, false])).toEqual({ min: 1, max: 2 });
    expect(levelConstraints([true, false, true])).toEqual({ min: 0, max: 2 });
  });
});

test('statsDisplayText', () => {
  expect(statsDisplayText({ offloadRatio: 0.6449, peers: 3 })).toBe('P2P 64% · 3 peers');
  expect(statsDisplayText({ offloadRatio: 0, peers: 1 })).toBe('P2P 0% · 1 peer');
});

test('mediaErrorCode maps Meshcast errors to video.js MediaError codes', () => {
  const error = (type: 'networkError' | 'mediaError' | 'otherError', details: string) => new MeshcastError(type, details, details, { fatal: true });
  expect(mediaErrorCode(error('networkError', 'fragLoadError'))).toBe(2);
  expect(mediaErrorCode(error('mediaError', 'bufferAppendError'))).toBe(3);
  expect(mediaErrorCode(error('mediaError', 'manifestIncompatibleCodecsError'))).toBe(4);
  expect(mediaErrorCode(error('otherError', 'fragParsingError'))).toBe(4);
});
