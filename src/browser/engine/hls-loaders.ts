import type { HlsConfig } from 'hls.js';
import type { CmcdBridge } from './cmcd-bridge';
import { withoutCmcdQuery } from './cmcd-bridge';
import { raiseToBandwidth, type LoadingStats } from './abr-stats';
import { copyingFragmentLoader } from './copying-fragment-loader';

type Callbacks = { onSuccess: (response: { data?: unknown; url?: string }, ...rest: unknown[]) => void };
type Context = { url: string; headers?: Record<string, string>; rangeStart?: number; rangeEnd?: number };
type LoaderClass = new (...args: any[]) => { load(context: any, config: unknown, callbacks: any): void };

/** What Meshcast's loaders report and use besides p2p-media-loader. */
export interface LoaderHooks {
  /** A segment hls.js asked for came over HTTP past p2p-media-loader (init segments, subtitles, P2P paused). */
  onHttpSegment(bytes: number, url: string): void;
  /** Set when hls.js sends CMCD. */
  cmcd: CmcdBridge | undefined;
  /** Bits per second the origin delivers to this viewer now, when measured: hls.js's estimate never says less. */
  httpBitsPerS?: () => number | undefined;
}

/**
 * A playlist URL without LL-HLS delivery directives (`_HLS_msn`, `_HLS_part`, `_HLS_skip`), which hls.js
 * adds to blocking reloads: p2p-media-loader knows a media playlist by its URL and would not recognise
 * the reloaded one.
 */
export function withoutDeliveryDirectives(url: string): string {
  const query = url.indexOf('?');
  if (query < 0 || !url.includes('_HLS_')) return url;
  const hash = url.indexOf('#', query);
  const end = hash < 0 ? url.length : hash;
  const kept = url.slice(query + 1, end).split('&').filter((param) => !param.startsWith('_HLS_'));
  return `${url.slice(0, query)}${kept.length > 0 ? `?${kept.join('&')}` : ''}${url.slice(end)}`;
}

const byteLength = (data: unknown): number =>
  data instanceof ArrayBuffer ? data.byteLength : typeof data === 'string' ? new TextEncoder().encode(data).byteLength : 0;

/**
 * hls.js's loaders over p2p-media-loader's. The fragment loader hands p2p-media-loader a copy of each
 * segment's buffer, takes hls.js's CMCD out of the URL p2p-media-loader matches segments by, and counts
 * what p2p-media-loader passes through to plain HTTP (which it does not report), with the request as
 * hls.js made it. The playlist loader gives hls.js playlist URLs without CMCD and without LL-HLS delivery
 * directives, as p2p-media-loader knows its streams by them.
 */
export function meshcastLoaders(pml: Pick<HlsConfig, 'fLoader' | 'pLoader'>, hooks: LoaderHooks): Pick<HlsConfig, 'fLoader' | 'pLoader'> {
  const requestedUrls = new WeakMap<object, string>();
  const Fragment = copyingFragmentLoader(pml.fLoader as unknown as LoaderClass);
  const Playlist = pml.pLoader as unknown as LoaderClass;

  /** The loader p2p-media-loader falls back to: hls.js's own, given the request as hls.js made it. */
  const pastP2P = (Base: LoaderClass): LoaderClass => class PastP2PLoader extends Base {
    override load(context: Context, config: unknown, callbacks: Callbacks): void {
      const requested = requestedUrls.get(context);
      const url = context.url;
      if (requested) context.url = requested;
      super.load(context, config, {
        ...callbacks,
        onSuccess: (response: { data?: unknown; url?: string }, ...rest: unknown[]) => {
          hooks.onHttpSegment(byteLength(response.data), url);
          callbacks.onSuccess(response, ...rest);
        },
      });
    }
  };

  class MeshcastFragmentLoader extends Fragment {
    constructor(config: HlsConfig, ...rest: unknown[]) {
      // p2p-media-loader builds its fallback as `new config.loader(config)`.
      super(Object.create(config, { loader: { value: pastP2P(config.loader as unknown as LoaderClass) } }), ...rest);
    }

    override load(context: Context, config: unknown, callbacks: Callbacks): void {
      if (hooks.cmcd) {
        const url = hooks.cmcd.take(context);
        if (url === undefined) return; // a probe for CMCD, not a request
        if (url !== context.url) {
          requestedUrls.set(context, context.url);
          context.url = url;
        }
      }
      const { httpBitsPerS } = hooks;
      super.load(context, config, httpBitsPerS ? {
        ...callbacks,
        onSuccess: (response: { data?: unknown; url?: string }, stats: unknown, ...rest: unknown[]) => {
          raiseToBandwidth(stats as LoadingStats, httpBitsPerS());
          callbacks.onSuccess(response, stats, ...rest);
        },
      } : callbacks);
    }
  }

  class MeshcastPlaylistLoader extends Playlist {
    override load(context: Context, config: unknown, callbacks: Callbacks): void {
      super.load(context, config, {
        ...callbacks,
        onSuccess: (response: { data?: unknown; url?: string }, ...rest: unknown[]) => {
          const url = typeof response.url === 'string'
            ? withoutDeliveryDirectives(hooks.cmcd ? withoutCmcdQuery(response.url).url : response.url)
            : response.url;
          callbacks.onSuccess({ ...response, url }, ...rest);
        },
      });
    }
  }

  return {
    fLoader: MeshcastFragmentLoader as unknown as HlsConfig['fLoader'],
    pLoader: MeshcastPlaylistLoader as unknown as HlsConfig['pLoader'],
  };
}
