import { openViewer, sleep } from '../e2e/harness';
import { ICE_RECORDER } from './ice-recorder';
import { planNetwork } from './profiles';
import { NetworkTestbed } from './testbed';

test('debug', async () => {
  const bed = await NetworkTestbed.create(planNetwork('home', { viewers: 2, topBitrateKbps: 96 }));
  try {
    const server = await bed.startServer();
    const options = { rtcConfig: { iceServers: bed.iceServers() } };
    const url = `${server.pageUrl}/demo/hlsjs.html?src=/media/cmaf/master.m3u8&level=1&options=${encodeURIComponent(JSON.stringify(options))}`;
    const vs = [];
    for (let i = 0; i < 2; i++) {
      const { browser: b } = await bed.launchBrowser(i, server.pageUrl);
      const v = await openViewer(b, url, undefined, ICE_RECORDER);
      v.page.on('console', (m) => { if (!/Failed to load/.test(m.text())) console.log(`[v${i}] ${m.text()}`); });
      vs.push(v);
      await sleep(8000);
    }
    for (let k = 0; k < 8; k++) {
      await sleep(5000);
      for (const v of vs) {
        const s = await v.stats();
        console.log(JSON.stringify({ http: s.httpBytes, p2p: s.p2pBytes, up: s.uploadedBytes, sh: s.segmentsHttp, sp: s.segmentsP2P, peers: s.peers, br: s.bitrateKbps, t: await v.currentTime() }));
      }
    }
    console.log(JSON.stringify(await server.originBytes().then((o) => ({ seg: o.segmentBytes, req: o.segmentRequests }))));
  } finally {
    await bed.destroy();
  }
}, 120000);
