import { jest } from '@jest/globals';
import { BeaconSender, newSessionId } from '../../../../src/browser/stats/beacon-sender';

const payload = () => ({ v: 1 as const, sessionId: 'session-a', streamId: 's', live: false } as never);

describe('BeaconSender', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  test('sends cumulative beacons every interval with rising sequence numbers, as text/plain', async () => {
    const sent: Array<{ url: string; body: { seq: number } }> = [];
    const sender = new BeaconSender('https://stats.example/', payload, 10_000, {
      fetch: async (url, init) => {
        sent.push({ url, body: JSON.parse(String(init.body)) });
        expect(init).toMatchObject({ method: 'POST', keepalive: true, headers: { 'content-type': 'text/plain' } });
      },
    });
    await jest.advanceTimersByTimeAsync(30_000);
    expect(sent.map((s) => s.body.seq)).toEqual([1, 2, 3]);
    expect(sent[0].url).toBe('https://stats.example/v1/beacons');
    sender.stop();
  });

  test('at most one beacon in flight: a tick during a pending request is skipped', async () => {
    let calls = 0;
    let release: () => void = () => undefined;
    const sender = new BeaconSender('https://stats.example', payload, 1_000, {
      fetch: () => {
        calls += 1;
        return new Promise<void>((resolve) => { release = resolve; });
      },
    });
    await jest.advanceTimersByTimeAsync(5_000);
    expect(calls).toBe(1);
    release();
    await jest.advanceTimersByTimeAsync(1_000);
    expect(calls).toBe(2);
    sender.stop();
  });

  test('stop sends a last beacon by sendBeacon, then nothing more', async () => {
    const beacons: string[] = [];
    let fetches = 0;
    const sender = new BeaconSender('https://stats.example', payload, 1_000, {
      sendBeacon: (_url, body) => {
        void body.text().then((text) => beacons.push(text));
        return true;
      },
      fetch: async () => { fetches += 1; },
    });
    sender.stop();
    await jest.advanceTimersByTimeAsync(5_000);
    expect(fetches).toBe(0);
    expect(beacons.map((b) => JSON.parse(b).seq)).toEqual([1]);
  });

  test('no beacon before there is something to report', async () => {
    let fetches = 0;
    const sender = new BeaconSender('https://stats.example', () => undefined, 1_000, { fetch: async () => { fetches += 1; } });
    await jest.advanceTimersByTimeAsync(5_000);
    sender.stop();
    expect(fetches).toBe(0);
  });
});

test('session ids are URL-safe and distinct', () => {
  const ids = new Set(Array.from({ length: 100 }, newSessionId));
  expect(ids.size).toBe(100);
  for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
});
