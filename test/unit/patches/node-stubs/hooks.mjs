// Module hooks that let p2p-media-loader-core's Node library (lib/) build a Core outside a browser for
// the patch tests: WebRTC and the tracker client are stand-ins, as no connection is ever made; the test
// hands the tracker client its peer connections itself (`globalThis.__trackerClients`).
const STUBS = {
  'webrtc-polyfill': 'export class RTCPeerConnection {} export class RTCSessionDescription {} export class RTCIceCandidate {} export default {};',
  'bittorrent-tracker': `import { EventEmitter } from 'node:events';
    export default class Client extends EventEmitter {
      constructor(options) { super(); this.options = options; (globalThis.__trackerClients ??= []).push(this); }
      start() {} stop() {} destroy() {} update() {} complete() {}
    }`,
};
export async function resolve(specifier, context, next) {
  if (specifier in STUBS) return { url: `meshcast-stub:${specifier}`, shortCircuit: true };
  return next(specifier, context);
}
export async function load(url, context, next) {
  if (url.startsWith('meshcast-stub:')) return { format: 'module', shortCircuit: true, source: STUBS[url.slice('meshcast-stub:'.length)] };
  return next(url, context);
}
