// The read API's answers (`/v1/summary`, `/v1/series`): written by the collector, read by the dashboard page.

/** What the read API reports for a time window, over one stream or all. */
export interface Summary {
  from: number;
  to: number;
  streamId: string | null;
  /** P2P / (P2P + HTTP) of the segment bytes delivered in the window. */
  offloadRatio: number;
  httpBytes: number;
  p2pBytes: number;
  /** Segment bytes viewers sent to each other (completed uploads). */
  uploadedBytes: number;
  /** Bytes the CDN did not send because peers did: the P2P bytes. */
  cdnBytesSaved: number;
  /** Viewers active in the window's last minute with data. */
  concurrentViewers: number;
  /** Peers per viewer in that minute. */
  peersPerViewer: number;
  sessions: number;
  startupMsMedian: number | null;
  startupMsP95: number | null;
  /** Rebuffering time / (playing + rebuffering time). */
  rebufferingRatio: number;
  rebufferCount: number;
  integrityFailures: number;
  p2pStalls: number;
}

export interface SeriesPoint {
  minute: number;
  offloadRatio: number;
  /** Average throughput over the minute, bits per second. */
  httpBps: number;
  p2pBps: number;
  viewers: number;
  rebufferingRatio: number;
  /** Median start-up of the sessions that started in that minute. */
  startupMsMedian: number | null;
}
