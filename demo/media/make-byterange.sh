#!/usr/bin/env bash
# Builds the single-file byte-range stream: one H.264/AAC rendition in one fragmented MP4 file, its init
# segment and media segments addressed by EXT-X-MAP BYTERANGE and EXT-X-BYTERANGE (as packagers that
# write one file per rendition do), 2 s segments, 60 s, from ffmpeg's synthetic sources; then its sidecar.
# Usage: bash demo/media/make-byterange.sh   (needs Debian's ffmpeg)
set -euo pipefail
cd "$(dirname "$0")"
DURATION=${DURATION:-60}
FPS=24
SEG=2

rm -rf byterange
mkdir -p byterange/360p
ffmpeg -hide_banner -loglevel error -y \
  -f lavfi -i "testsrc2=size=640x360:rate=${FPS}:duration=${DURATION}" \
  -f lavfi -i "sine=frequency=660:beep_factor=4:sample_rate=48000:duration=${DURATION}" \
  -c:v libx264 -preset veryfast -profile:v main -pix_fmt yuv420p \
  -force_key_frames "expr:gte(t,n_forced*${SEG})" -sc_threshold 0 \
  -b:v 64k -maxrate 80k -bufsize 160k -c:a aac -b:a 32k -ac 1 \
  -f hls -hls_time ${SEG} -hls_playlist_type vod -hls_flags single_file+independent_segments \
  -hls_segment_type fmp4 -hls_fmp4_init_filename main.mp4 \
  -hls_segment_filename "byterange/360p/main.mp4" \
  "byterange/360p/index.m3u8"
cat > byterange/master.m3u8 <<'M3U8'
#EXTM3U
#EXT-X-VERSION:7
#EXT-X-STREAM-INF:BANDWIDTH=105600,RESOLUTION=640x360,CODECS="avc1.4d401e,mp4a.40.2"
360p/index.m3u8
M3U8
du -sh byterange

# Integrity sidecar: file -> byte range -> SHA-256, as PeerTube's segments-sha256.json.
(cd ../.. && node packages/meshcast-server/dist/cli.js hash demo/media/byterange)
