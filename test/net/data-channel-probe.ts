import type { Page } from 'playwright-core';

/**
 * One WebRTC data channel between two pages, signalled by the test (no tracker), and a bulk transfer
 * over it timed at the receiver: what a peer's segment upload can reach on a path, whatever
 * p2p-media-loader does with it.
 */

type ProbeWindow = Window & { __pc?: RTCPeerConnection; __dc?: RTCDataChannel; __rx?: { bytes: number; marks: [number, number][] } };

/** Connects `sender` to `receiver` over one data channel; resolves once it is open. */
export async function openDataChannel(sender: Page, receiver: Page, iceServers: RTCIceServer[]): Promise<void> {
  const offer = await sender.evaluate(async (iceServers) => {
    const w = window as ProbeWindow;
    w.__pc = new RTCPeerConnection({ iceServers });
    w.__dc = w.__pc.createDataChannel('probe');
    await w.__pc.setLocalDescription();
    // Every candidate in the description: the test carries no trickled ones.
    while (w.__pc.iceGatheringState !== 'complete') await new Promise((resolve) => setTimeout(resolve, 20));
    return w.__pc.localDescription!.toJSON();
  }, iceServers);
  const answer = await receiver.evaluate(async ({ iceServers, offer }) => {
    const w = window as ProbeWindow;
    w.__pc = new RTCPeerConnection({ iceServers });
    w.__rx = { bytes: 0, marks: [] };
    w.__pc.ondatachannel = ({ channel }) => {
      channel.binaryType = 'arraybuffer';
      channel.onmessage = ({ data }) => {
        w.__rx!.bytes += (data as ArrayBuffer).byteLength;
        w.__rx!.marks.push([performance.now(), w.__rx!.bytes]);
      };
    };
    await w.__pc.setRemoteDescription(offer);
    await w.__pc.setLocalDescription();
    while (w.__pc.iceGatheringState !== 'complete') await new Promise((resolve) => setTimeout(resolve, 20));
    return w.__pc.localDescription!.toJSON();
  }, { iceServers, offer });
  await sender.evaluate(async (answer) => {
    const w = window as ProbeWindow;
    await w.__pc!.setRemoteDescription(answer);
    if (w.__dc!.readyState !== 'open') await new Promise((resolve) => w.__dc!.addEventListener('open', resolve));
  }, answer);
}

/**
 * Sends `bytes` in 16 KiB messages (p2p-media-loader's chunk size is of that order), keeping up to 1 MiB
 * queued, and returns the receiver's rate over the second half of the transfer in Mbit/s (the first half
 * includes the congestion window's start).
 */
export async function bulkRateMbit(sender: Page, receiver: Page, bytes: number): Promise<number> {
  await sender.evaluate(async (total) => {
    const dc = (window as ProbeWindow).__dc!;
    const threshold = 1 << 20;
    dc.bufferedAmountLowThreshold = threshold;
    const chunk = new Uint8Array(16 * 1024);
    for (let sent = 0; sent < total; ) {
      while (dc.bufferedAmount <= threshold && sent < total) {
        dc.send(chunk);
        sent += chunk.length;
      }
      if (sent < total) await new Promise((resolve) => dc.addEventListener('bufferedamountlow', resolve, { once: true }));
    }
  }, bytes);
  return receiver.evaluate(async (total) => {
    const rx = (window as ProbeWindow).__rx!;
    while (rx.bytes < total) await new Promise((resolve) => setTimeout(resolve, 50));
    const half = rx.marks.find(([, received]) => received >= total / 2)!;
    const [end] = rx.marks[rx.marks.length - 1];
    return ((total - half[1]) * 8) / 1e6 / ((end - half[0]) / 1000);
  }, bytes);
}
