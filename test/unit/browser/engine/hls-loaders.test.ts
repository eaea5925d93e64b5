import { withoutDeliveryDirectives } from '../../../../src/browser/engine/hls-loaders';

describe('withoutDeliveryDirectives', () => {
  test('drops the LL-HLS blocking-reload parameters and keeps the rest of the query', () => {
    expect(withoutDeliveryDirectives('https://cdn.example/ll/index.m3u8?_HLS_msn=12&_HLS_part=3')).toBe('https://cdn.example/ll/index.m3u8');
    expect(withoutDeliveryDirectives('https://cdn.example/index.m3u8?token=a&_HLS_msn=12&_HLS_skip=YES&b=2')).toBe('https://cdn.example/index.m3u8?token=a&b=2');
    expect(withoutDeliveryDirectives('https://cdn.example/index.m3u8?_HLS_msn=1#t=5')).toBe('https://cdn.example/index.m3u8#t=5');
  });

  test('leaves URLs without directives as they are', () => {
    for (const url of ['https://cdn.example/index.m3u8', 'https://cdn.example/index.m3u8?token=_HLS', 'https://cdn.example/a_HLS_b.m3u8?x=1']) {
      expect(withoutDeliveryDirectives(url)).toBe(url);
    }
  });
});
