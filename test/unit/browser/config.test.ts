import { deriveSwarmId, MESHCAST_PROTOCOL_VERSION, resolveOptions } from '../../../src/browser/config';
import { MeshcastError } from '../../../src/browser/errors';

function errorOf(input: unknown): MeshcastError {
  try {
    resolveOptions(input);
  } catch (e) {
    return e as MeshcastError;
  }
  throw new Error(`resolveOptions(${JSON.stringify(input)}) did not throw`);
}

describe('resolveOptions', () => {
  test('defaults: P2P on, PML trackers and STUN left to their defaults, no extra hls.js config', () => {
    expect(resolveOptions()).toEqual({
      trackers: undefined,
      rtcConfig: undefined,
      swarmId: undefined,
      p2p: true,
      hlsConfig: {},
      integrity: { mode: 'auto', manifestUrl: undefined, verifyHttp: false, maxPeerFailures: 2 },
      statsUrl: undefined,
      statsToken: undefined,
      statsIntervalS: 10,
      policy: {
        mode: 'guarded',
        live: { targetLatency: 15, seeding: 'staggered' },
        liveTargetExplicit: false,
        startup: { waitForPeersMs: 0 },
        upload: { maxBytesPerS: undefined, maxConcurrent: 4, onMetered: false, onSaveData: false, whenHidden: false },
        prefetch: { httpS: undefined, p2pS: 120, memoryMiB: 256 },
      },
    });
  });

  test('configured trackers switch STUN off unless rtcConfig is given', () => {
    expect(resolveOptions({ trackers: ['wss://t.example/announce'] }).rtcConfig).toEqual({ iceServers: [] });
    const rtcConfig = { iceServers: [{ urls: 'stun:stun.example:3478' }] };
    expect(resolveOptions({ trackers: ['ws://127.0.0.1:8081'], rtcConfig }).rtcConfig).toBe(rtcConfig);
  });

  test.each([
    [{ trackers: 'ws://x' }, 'trackers', 'a non-empty array of ws:// or wss:// URLs'],
    [{ trackers: [] }, 'trackers', 'a non-empty array'],
    [{ trackers: ['ws://ok', 'https://tracker.example'] }, 'trackers[1]', 'a ws:// or wss:// URL'],
    [{ rtcConfig: 'stun:x' }, 'rtcConfig', 'an RTCConfiguration object'],
    [{ rtcConfig: { iceServers: {} } }, 'rtcConfig.iceServers', 'an array'],
    [{ rtcConfig: { iceServers: [{ urls: [] }] } }, 'rtcConfig.iceServers[0].urls', 'a URL string'],
    [{ swarmId: '' }, 'swarmId', 'a non-empty string'],
    [{ swarmId: 'x'.repeat(513) }, 'swarmId', 'a non-empty string of at most 512 characters'],
    [{ p2p: 1 }, 'p2p', 'a boolean'],
    [{ hlsConfig: [] }, 'hlsConfig', 'an hls.js config object'],
    [{ hlsConfig: { pLoader: class {} } }, 'hlsConfig.pLoader', 'left unset'],
    [null, 'options', 'an object'],
    [{ integrity: 'on' }, 'integrity', 'an object'],
    [{ integrity: { mode: 'strict' } }, 'integrity.mode', 'one of "auto", "required", "off"'],
    [{ integrity: { manifestUrl: 3 } }, 'integrity.manifestUrl', 'a URL string'],
    [{ integrity: { verifyHttp: 'yes' } }, 'integrity.verifyHttp', 'a boolean'],
    [{ integrity: { mod: 'off' } }, 'integrity.mod', 'not set (known: mode, manifestUrl, verifyHttp, maxPeerFailures)'],
    [{ integrity: { maxPeerFailures: 0 } }, 'integrity.maxPeerFailures', 'an integer of at least 1'],
    [{ integrity: { maxPeerFailures: 1.5 } }, 'integrity.maxPeerFailures', 'an integer of at least 1'],
    [{ statsUrl: 'ftp://stats.example' }, 'statsUrl', 'an http:// or https:// URL'],
    [{ statsIntervalS: 0 }, 'statsIntervalS', 'a number of seconds from 1 to 3600'],
    [{ policy: 'fast' }, 'policy', 'one of "guarded", "pml-defaults"'],
    [{ live: { targetLatency: 2 } }, 'live.targetLatency', 'a number from 4 to 600'],
    [{ live: { seeding: 'elected' } }, 'live.seeding', 'one of "staggered", "random"'],
    [{ live: { latency: 10 } }, 'live.latency', 'not set (known: targetLatency, seeding)'],
    [{ startup: { waitForPeersMs: -1 } }, 'startup.waitForPeersMs', 'a number from 0 to 10000'],
    [{ startup: 200 }, 'startup', 'an object'],
    [{ upload: { maxBytesPerS: 'fast' } }, 'upload.maxBytesPerS', 'a number from 1000 to 10000000000'],
    [{ upload: { maxConcurrent: 2.5 } }, 'upload.maxConcurrent', 'an integer from 1 to 64'],
    [{ upload: { whenHidden: 'yes' } }, 'upload.whenHidden', 'a boolean'],
    [{ prefetch: { memoryMiB: 1 } }, 'prefetch.memoryMiB', 'a number from 16 to 4096'],
    [{ prefetch: [] }, 'prefetch', 'an object'],
  ])('%j is rejected naming "%s"', (input, option, expected) => {
    const error = errorOf(input);
    expect(error).toBeInstanceOf(MeshcastError);
    expect(error).toMatchObject({ type: 'configError', details: 'invalidOption', fatal: true, option });
    expect(error.message).toContain(`"${option}" must be ${expected}`);
  });

  test('an unknown option is rejected by name, listing the known ones', () => {
    const error = errorOf({ tracker: ['ws://x'] });
    expect(error).toMatchObject({ details: 'unknownOption', option: 'tracker' });
    expect(error.message).toBe(
      'Unknown Meshcast option "tracker"; known options: trackers, rtcConfig, swarmId, p2p, hlsConfig, integrity, statsUrl, statsToken, statsIntervalS, policy, live, startup, upload, prefetch',
    );
  });

  test('the error shows what it got, shortened', () => {
    expect(errorOf({ swarmId: 42 }).message).toBe('Meshcast option "swarmId" must be a non-empty string of at most 512 characters, got number 42');
    expect(errorOf({ trackers: ['x'.repeat(100)] }).message).toMatch(/got "x{57}\.\.\."$/);
  });
});

describe('deriveSwarmId', () => {
  const prefix = `meshcast/${MESHCAST_PROTOCOL_VERSION}/`;

  test('the stream identity ignores scheme, query, fragment and host case', () => {
    const id = deriveSwarmId('https://CDN.example.com/live/master.m3u8?token=abc#t=1');
    expect(id).toBe(`${prefix}cdn.example.com/live/master.m3u8`);
    expect(deriveSwarmId('http://cdn.example.com/live/master.m3u8?token=other')).toBe(id);
  });

  test('different streams get different swarms', () => {
    expect(deriveSwarmId('https://cdn.example.com/a/master.m3u8')).not.toBe(deriveSwarmId('https://cdn.example.com/b/master.m3u8'));
  });

  test('an explicit id still carries the protocol version, so incompatible versions never meet', () => {
    expect(deriveSwarmId('https://cdn.example.com/x.m3u8', 'match-42')).toBe(`${prefix}match-42`);
  });
});

describe('policy defaults by device', () => {
  test('a phone gets a smaller segment cache than a desktop', async () => {
    const { resolvePolicy, isMobileDevice } = await import('../../../src/browser/policy/policy-options');
    expect(isMobileDevice({ userAgent: 'Mozilla/5.0 (Linux; Android 14) Mobile Safari' })).toBe(true);
    expect(isMobileDevice({ userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/140', userAgentData: { mobile: false } })).toBe(false);
    expect(resolvePolicy({}, { userAgent: 'iPhone' } as Navigator).prefetch.memoryMiB).toBe(96);
    expect(resolvePolicy({}, { userAgent: 'X11' } as Navigator).prefetch.memoryMiB).toBe(256);
    expect(resolvePolicy({ prefetch: { memoryMiB: 64 } }, { userAgent: 'iPhone' } as Navigator).prefetch.memoryMiB).toBe(64);
  });
});
