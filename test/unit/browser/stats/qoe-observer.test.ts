import { PlaybackQoe } from '../../../../src/browser/stats/playback-qoe';
import { QoeObserver } from '../../../../src/browser/stats/qoe-observer';

/** A media element reduced to what the observer reads: events, seeking, paused, currentTime. */
class FakeMedia extends EventTarget {
  seeking = false;
  paused = true;
  ended = false;
  autoplay = false;
  currentTime = 0;
  fire(type: string): void {
    this.dispatchEvent(new Event(type));
  }
}

function setup(autoplay = false) {
  let now = 0;
  const media = new FakeMedia();
  media.autoplay = autoplay;
  const qoe = new PlaybackQoe();
  const observer = new QoeObserver(media as unknown as HTMLMediaElement, qoe, () => now);
  return { media, qoe, observer, at: (t: number) => { now = t; } };
}

describe('QoeObserver', () => {
  test('with autoplay, start-up counts from attach', () => {
    const { media, qoe, at } = setup(true);
    at(700);
    media.fire('play');
    media.fire('playing');
    expect(qoe.snapshot(700).startupMs).toBe(700);
  });

  test('a stall over a segment a peer is fetching counts as a P2P stall; over another one it does not', () => {
    const { media, qoe, observer, at } = setup();
    media.fire('play');
    media.fire('playing');
    observer.p2pRequestStarted('seg-5', 10, 12);
    at(5_000);
    media.currentTime = 4;
    media.fire('waiting'); // segment 2 (4-6 s) is missing; no peer is fetching it
    at(5_500);
    media.fire('playing');
    media.currentTime = 10.1;
    media.fire('waiting'); // segment 5 is missing and a peer is fetching it
    at(6_000);
    media.fire('playing');
    expect(qoe.snapshot(6_000)).toMatchObject({ rebufferCount: 2, p2pStalls: 1, rebufferMs: 1_000 });
  });

  test('a P2P request for the missing segment that starts during the stall makes it a P2P stall', () => {
    const { media, qoe, observer } = setup();
    media.fire('play');
    media.fire('playing');
    media.currentTime = 20;
    media.fire('waiting');
    observer.p2pRequestStarted('seg-10', 20, 22);
    expect(qoe.snapshot(0).p2pStalls).toBe(1);
  });

  test('a waiting event during a seek is not a stall; a finished request no longer counts', () => {
    const { media, qoe, observer } = setup();
    media.fire('play');
    media.fire('playing');
    observer.p2pRequestStarted('seg-3', 6, 8);
    observer.p2pRequestEnded('seg-3');
    media.seeking = true;
    media.fire('seeking');
    media.fire('waiting');
    media.seeking = false;
    media.fire('seeked');
    media.fire('playing');
    media.currentTime = 6.5;
    media.fire('waiting');
    expect(qoe.snapshot(0)).toMatchObject({ rebufferCount: 1, p2pStalls: 0 });
  });

  test('dispose stops listening', () => {
    const { media, qoe, observer } = setup();
    observer.dispose();
    media.fire('play');
    media.fire('playing');
    expect(qoe.snapshot(0).startupMs).toBeNull();
  });
});
