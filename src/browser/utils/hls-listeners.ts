import type Hls from 'hls.js';
import type { HlsListeners } from 'hls.js';
import type { Disposer } from './disposer';

/** An `hls.on` whose matching `hls.off` is registered with `disposer`, so all are released together. */
export function hlsListener(hls: Hls, disposer: Disposer) {
  return <E extends keyof HlsListeners>(event: E, listener: HlsListeners[E]): void => {
    hls.on(event, listener);
    disposer.add(() => hls.off(event, listener));
  };
}
