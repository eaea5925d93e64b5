import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { SessionStats } from '../../../src/browser/stats/session-stats';

// patches/p2p-media-loader-core+2.3.1.patch: a peer reports its close once. Stock 2.3.1 destroys a peer
// on each of its connection's `close` and `error` events and dispatches `onPeerClose` every time, so a
// listener counting connections per peer counts one close twice. A viewer of several renditions is
// connected to the same peer once per rendition's swarm; when p2p-media-loader destroys the old
// rendition's loader, the count reached 0 while the current swarm's connection was still up, and the
// policy took the viewer for alone and fetched everything within 15 s over HTTP.

interface Closes { onPeerClose: number; trackerClientClosed: number }

/** One real p2p-media-loader `Peer` (the Node library) whose connection emits `events` in order. */
function closesAfter(events: string): Closes {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', `
    import { EventEmitter } from 'node:events';
    import { Peer } from './node_modules/p2p-media-loader-core/lib/p2p/peer.js';
    import { EventTarget } from './node_modules/p2p-media-loader-core/lib/utils/event-target.js';
    const connection = Object.assign(new EventEmitter(), { id: Buffer.from('remote').toString('hex'), idUtf8: 'remote', write() { return true; }, destroy() {} });
    const peerConfig = { webRtcMaxMessageSize: 65535, p2pNotReceivingBytesTimeoutMs: 2000, p2pErrorRetries: 3 };
    const eventTarget = new EventTarget();
    const closes = { onPeerClose: 0, trackerClientClosed: 0 };
    eventTarget.addEventListener('onPeerClose', () => { closes.onPeerClose += 1; });
    const handlers = { onSegmentRequested() {}, onSegmentsAnnouncement() {}, onPeerClosed: () => { closes.trackerClientClosed += 1; } };
    new Peer(connection, handlers, peerConfig, 'main', eventTarget);
    ${events}
    process.stdout.write(JSON.stringify(closes));
  `], { encoding: 'utf8' });
  return JSON.parse(out) as Closes;
}

const CHANNEL_ERROR = `connection.emit('error', Object.assign(new Error('User-Initiated Abort, reason=Close called'), { code: 'ERR_DATA_CHANNEL' }));`;

describe('p2p-media-loader peer-close-once patch', () => {
  test('a connection closing with an error (both events) closes the peer once', () => {
    expect(closesAfter(`${CHANNEL_ERROR} connection.emit('close');`)).toEqual({ onPeerClose: 1, trackerClientClosed: 1 });
  });

  test('a connection closing cleanly closes the peer once', () => {
    expect(closesAfter(`connection.emit('close');`)).toEqual({ onPeerClose: 1, trackerClientClosed: 1 });
  });

  test('Meshcast\'s peer count stays right when the same peer is connected in two swarms and one connection closes', () => {
    const { onPeerClose } = closesAfter(`${CHANNEL_ERROR} connection.emit('close');`);
    const stats = new SessionStats();
    stats.peerConnected('remote'); // the old rendition's swarm
    stats.peerConnected('remote'); // the current rendition's swarm
    for (let i = 0; i < onPeerClose; i += 1) stats.peerClosed('remote');
    expect(stats.peerCount()).toBe(1);
  });

  test('the bundle rollup builds the browser package from carries the same patch', () => {
    const bundle = readFileSync('node_modules/p2p-media-loader-core/dist/p2p-media-loader-core.es.js', 'utf8');
    expect(bundle).toContain('if (this.meshcastDestroyed) return;');
  });
});
