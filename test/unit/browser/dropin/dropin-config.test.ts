import { dropinOptions } from '../../../../src/browser/dropin/dropin-config';

describe('dropinOptions', () => {
  test('reads the script tag data attributes', () => {
    expect(dropinOptions({ trackers: 'wss://a.example, wss://b.example', swarmId: 'match-1', p2p: 'true', integrity: 'required', statsDisplay: 'false' }, undefined)).toEqual({
      trackers: ['wss://a.example', 'wss://b.example'],
      swarmId: 'match-1',
      p2p: true,
      integrity: { mode: 'required' },
      statsDisplay: false,
    });
  });

  test('data attributes override window.MeshcastConfig', () => {
    expect(dropinOptions({ trackers: 'wss://tag.example' }, { trackers: ['wss://global.example'], p2p: false })).toEqual({
      trackers: ['wss://tag.example'],
      p2p: false,
    });
  });

  test('a malformed flag or config is a clear error naming it', () => {
    expect(() => dropinOptions({ p2p: 'no' }, undefined)).toThrow('Meshcast option "data-p2p" must be "true" or "false", got "no"');
    expect(() => dropinOptions({}, 'wss://x')).toThrow('window.MeshcastConfig must be an object');
  });
});
