type LoaderCallbacks = { onSuccess: (response: { data: unknown }, ...rest: unknown[]) => void };
type LoaderClass = new (...args: any[]) => { load(context: unknown, config: unknown, callbacks: LoaderCallbacks): void };

/**
 * Wraps p2p-media-loader's fragment loader so hls.js gets its own copy of each segment. hls.js
 * builds that run the transmuxer in a worker transfer the buffer they get, which detaches it, and
 * p2p-media-loader keeps the same buffer to share with peers: without the copy it would upload
 * empty segments (measured: 0-byte segments failing verification at the receiver).
 */
export function copyingFragmentLoader<T extends LoaderClass>(Base: T): T {
  return class CopyingFragmentLoader extends Base {
    override load(context: unknown, config: unknown, callbacks: LoaderCallbacks): void {
      super.load(context, config, {
        ...callbacks,
        onSuccess: (response, ...rest) => {
          const data = response.data instanceof ArrayBuffer ? response.data.slice(0) : response.data;
          callbacks.onSuccess({ ...response, data }, ...rest);
        },
      });
    }
  };
}
