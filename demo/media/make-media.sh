#!/usr/bin/env bash
# Rebuilds the committed test media: a 3-rendition H.264/AAC HLS ladder, 2 s segments,
# 120 s long, from ffmpeg's synthetic sources (no external input), a few MB in all.
# Usage: bash demo/media/make-media.sh   (needs Debian's ffmpeg)
set -euo pipefail
cd "$(dirname "$0")"
DURATION=${DURATION:-120}
FPS=24
SEG=2

rm -rf vod
mkdir -p vod

# One encode feeds three renditions so the segment boundaries (forced keyframes every SEG s) line up.
ffmpeg -hide_banner -loglevel error -y \
  -f lavfi -i "testsrc2=size=854x480:rate=${FPS}:duration=${DURATION}" \
  -f lavfi -i "sine=frequency=440:beep_factor=4:sample_rate=48000:duration=${DURATION}" \
  -filter_complex "[0:v]split=3[a][b][c];[a]scale=426:240[v240];[b]scale=640:360[v360];[c]scale=854:480[v480]" \
  -map "[v240]" -map "[v360]" -map "[v480]" -map 1:a -map 1:a -map 1:a \
  -c:v libx264 -preset veryfast -profile:v main -pix_fmt yuv420p \
  -force_key_frames "expr:gte(t,n_forced*${SEG})" -sc_threshold 0 \
  -b:v:0 40k  -maxrate:v:0 50k  -bufsize:v:0 100k \
  -b:v:1 64k  -maxrate:v:1 80k  -bufsize:v:1 160k \
  -b:v:2 96k  -maxrate:v:2 120k -bufsize:v:2 240k \
  -c:a aac -b:a 32k -ac 1 \
  -f hls -hls_time ${SEG} -hls_playlist_type vod -hls_flags independent_segments \
  -hls_segment_filename "vod/%v/seg_%03d.ts" \
  -master_pl_name master.m3u8 \
  -var_stream_map "v:0,a:0,name:240p v:1,a:1,name:360p v:2,a:2,name:480p" \
  "vod/%v/index.m3u8"

du -sh vod
# The other streams' scripts hash what they make with the built CLI.
(cd ../.. && npm run --silent build >/dev/null)
bash "$(dirname "$0")/make-captioned.sh"
bash "$(dirname "$0")/make-byterange.sh"
bash "$(dirname "$0")/make-encrypted.sh"
bash "$(dirname "$0")/make-cenc.sh"
bash "$(dirname "$0")/make-lowlatency.sh"

# Integrity sidecars (segment URI -> SHA-256) next to each media playlist.
(cd ../.. && node packages/meshcast-server/dist/cli.js hash demo/media)
