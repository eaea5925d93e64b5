import { PlaybackQoe } from '../../../../src/browser/stats/playback-qoe';

// Timelines in ms, replayed through the state machine as the media element would report them.
describe('PlaybackQoe', () => {
  test('nothing measured before playback', () => {
    expect(new PlaybackQoe().snapshot(5_000)).toEqual({
      startupMs: null, rebufferCount: 0, rebufferMs: 0, p2pStalls: 0, playingMs: 0, bitrateKbps: 0,
    });
  });

  test('steady playback: start-up time, then playing time only', () => {
    const qoe = new PlaybackQoe();
    qoe.play(1_000);
    qoe.waiting(1_100, false); // waiting before the first frame is start-up, not a stall
    qoe.playing(1_850);
    expect(qoe.snapshot(11_850)).toMatchObject({ startupMs: 850, rebufferCount: 0, rebufferMs: 0, playingMs: 10_000 });
  });

  test('a draining buffer: each stall counts once, with its duration, the current one included', () => {
    const qoe = new PlaybackQoe();
    qoe.play(0);
    qoe.playing(500);
    qoe.waiting(10_500, false);
    qoe.playing(12_500);
    qoe.waiting(20_500, false);
    expect(qoe.snapshot(21_500)).toMatchObject({ rebufferCount: 2, rebufferMs: 3_000, playingMs: 18_000, p2pStalls: 0 });
    qoe.playing(23_500);
    expect(qoe.snapshot(23_500).rebufferMs).toBe(5_000);
  });

  test('seeks are not stalls, and their time is neither playing nor rebuffering', () => {
    const qoe = new PlaybackQoe();
    qoe.play(0);
    qoe.playing(0);
    qoe.seeking(5_000);
    qoe.waiting(5_010, false); // the element is seeking: no stall
    qoe.seeked(6_000, false);
    qoe.playing(6_200);
    expect(qoe.snapshot(10_200)).toMatchObject({ rebufferCount: 0, rebufferMs: 0, playingMs: 9_000 });
  });

  test('pause stops the clocks; resuming does not measure start-up again', () => {
    const qoe = new PlaybackQoe();
    qoe.play(0);
    qoe.playing(300);
    qoe.pause(2_300);
    qoe.play(60_000);
    qoe.playing(60_000);
    expect(qoe.snapshot(61_000)).toMatchObject({ startupMs: 300, playingMs: 3_000, rebufferCount: 0 });
  });

  test('a stall is attributed to P2P when a P2P request for the missing segment is in flight, once', () => {
    const qoe = new PlaybackQoe();
    qoe.play(0);
    qoe.playing(0);
    qoe.waiting(1_000, true);
    qoe.p2pRequestSeen(true);
    qoe.playing(2_000);
    qoe.waiting(3_000, false);
    qoe.p2pRequestSeen(true); // a P2P request for it started during the stall
    qoe.playing(4_000);
    qoe.waiting(5_000, false);
    qoe.playing(6_000);
    qoe.p2pRequestSeen(true); // not stalled any more: ignored
    expect(qoe.snapshot(6_000)).toMatchObject({ rebufferCount: 3, p2pStalls: 2 });
  });

  test('bitrate is averaged over playing time', () => {
    const qoe = new PlaybackQoe();
    qoe.bitrate(0, 400);
    qoe.play(0);
    qoe.playing(0);
    qoe.bitrate(3_000, 1_000); // 3 s at 400 kbps, then 1 s at 1000 kbps
    expect(qoe.snapshot(4_000).bitrateKbps).toBe(550);
  });

  test('ended playback stops the clocks', () => {
    const qoe = new PlaybackQoe();
    qoe.play(0);
    qoe.playing(0);
    qoe.ended(120_000);
    qoe.pause(120_001);
    expect(qoe.snapshot(200_000)).toMatchObject({ playingMs: 120_000, rebufferCount: 0 });
  });
});
