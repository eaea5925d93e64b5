import { signViewerToken, streamIdentity, verifyViewerToken } from '../../../../src/server/collector/viewer-token';

const NOW = 1_800_000_000;
const STREAM = 'cdn.example.com/live/master.m3u8';
const BEACON_STREAM = `meshcast/1/${STREAM}`;

describe('viewer tokens', () => {
  test('a token verifies for its stream, with any of the secrets in rotation', () => {
    const token = signViewerToken('old-secret-0123456', STREAM, 3600, NOW);
    expect(verifyViewerToken(['new-secret-0123456', 'old-secret-0123456'], token, BEACON_STREAM, 86_400, NOW + 10)).toBe('valid');
    expect(verifyViewerToken(['new-secret-0123456'], token, BEACON_STREAM, 86_400, NOW + 10)).toBe('bad-signature');
  });

  test.each([
    ['missing', undefined, BEACON_STREAM, NOW],
    ['malformed', 'v1.abc', BEACON_STREAM, NOW],
    ['other-stream', signViewerToken('s3cret-0123456789', 'cdn.example.com/other.m3u8', 3600, NOW), BEACON_STREAM, NOW],
    ['expired', signViewerToken('s3cret-0123456789', STREAM, 60, NOW), BEACON_STREAM, NOW + 61],
    ['too-long-lived', signViewerToken('s3cret-0123456789', STREAM, 7 * 86_400, NOW), BEACON_STREAM, NOW],
    ['too-long-lived', signViewerToken('s3cret-0123456789', STREAM, 60, NOW + 3600), BEACON_STREAM, NOW],
  ])('%s', (verdict, token, stream, now) => {
    expect(verifyViewerToken(['s3cret-0123456789'], token, stream, 86_400, now)).toBe(verdict);
  });

  test('a token cannot be re-pointed at another stream or expiry: the signature covers both', () => {
    const token = signViewerToken('s3cret-0123456789', STREAM, 60, NOW);
    const [v, , issued, expires, mac] = token.split('.');
    const otherStream = [v, Buffer.from('cdn.example.com/other.m3u8').toString('base64url'), issued, expires, mac].join('.');
    const later = [v, Buffer.from(STREAM).toString('base64url'), issued, String(Number(expires) + 3600), mac].join('.');
    expect(verifyViewerToken(['s3cret-0123456789'], otherStream, 'meshcast/1/cdn.example.com/other.m3u8', 86_400, NOW)).toBe('bad-signature');
    expect(verifyViewerToken(['s3cret-0123456789'], later, BEACON_STREAM, 86_400, NOW + 120)).toBe('bad-signature');
  });

  test('the stream identity drops the protocol prefix only', () => {
    expect(streamIdentity('meshcast/1/my-event')).toBe('my-event');
    expect(streamIdentity('my-event')).toBe('my-event');
  });
});
