import type { SegmentLoadDetails } from 'p2p-media-loader-core';
import { wholeFrom, type SegmentBytes } from '../stats/session-stats';

/** p2p-media-loader's details, with the bytes by source that Meshcast's patch of it adds. */
export type PatchedSegmentLoadDetails = SegmentLoadDetails & Partial<{ httpBytes: number; p2pBytes: number }>;

/**
 * A loaded segment's bytes by source. p2p-media-loader resumes a segment a peer did not finish over HTTP
 * (a Range request from where the peer stopped) and the other way round, and names only the last source;
 * its patch counts each chunk by source. Without those counts (or if they do not add up), all bytes go
 * to the last source.
 */
export function segmentParts(details: PatchedSegmentLoadDetails): SegmentBytes {
  const { httpBytes, p2pBytes, bytesLength } = details;
  if (httpBytes !== undefined && p2pBytes !== undefined && httpBytes >= 0 && p2pBytes >= 0 && httpBytes + p2pBytes === bytesLength) {
    return { http: httpBytes, p2p: p2pBytes };
  }
  return wholeFrom(details.downloadSource, bytesLength);
}
