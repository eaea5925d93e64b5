import { openViewer, useTestbed } from './harness';

// (d) An invalid option gives a clear error naming the option, in the real bed.browser build.
describe('invalid options', () => {
  const bed = useTestbed();

  test('the script-tag build throws MeshcastError naming the option and what was expected', async () => {
    const viewer = await openViewer(bed.browser, `${bed.server.url}/demo/index.html`);
    await viewer.page.addScriptTag({ url: '/dist/meshcast.min.js' });
    const errors = await viewer.page.evaluate(() => {
      const attempts: unknown[] = [
        { trackers: 'ws://127.0.0.1:1' },
        { trackers: ['http://tracker.example'] },
        { trakers: ['ws://127.0.0.1:1'] },
        { p2p: 'yes' },
        { rtcConfig: { iceServers: [{ url: 'stun:x' }] } },
        { hlsConfig: { fLoader: class {} } },
      ];
      const M = (window as unknown as { Meshcast: { MeshcastEngine: new (o: unknown) => unknown } }).Meshcast;
      return attempts.map((options) => {
        try {
          new M.MeshcastEngine(options);
          return null;
        } catch (e) {
          const err = e as { name: string; type: string; option: string; message: string };
          return { name: err.name, type: err.type, option: err.option, message: err.message };
        }
      });
    });
    expect(errors.map((e) => e?.option)).toEqual([
      'trackers',
      'trackers[0]',
      'trakers',
      'p2p',
      'rtcConfig.iceServers[0].urls',
      'hlsConfig.fLoader',
    ]);
    for (const error of errors) {
      expect(error).toMatchObject({ name: 'MeshcastError', type: 'configError' });
      expect(error!.message).toContain(`"${error!.option}"`);
    }
    expect(errors[0]!.message).toBe('Meshcast option "trackers" must be a non-empty array of ws:// or wss:// URLs, got "ws://127.0.0.1:1"');
    expect(errors[2]!.message).toMatch(/Unknown Meshcast option "trakers"; known options: trackers,/);
    await viewer.close();
  });

  test('the demo page shows the error to the user and plays nothing', async () => {
    const viewer = await openViewer(bed.browser, `${bed.server.url}/demo/hlsjs.html?trackers=http://127.0.0.1:1`);
    const alert = viewer.page.getByRole('alert');
    await alert.filter({ hasText: 'trackers[0]' }).waitFor({ timeout: 10_000 });
    expect(await alert.textContent()).toBe('Meshcast option "trackers[0]" must be a ws:// or wss:// URL, got "http://127.0.0.1:1"');
    expect((await bed.server.originBytes()).segmentRequests).toBe(0);
    await viewer.close();
  });
});
