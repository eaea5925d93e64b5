#!/usr/bin/env bash
# Builds the CMAF ladder for realistic runs: fMP4 segments with EXT-X-MAP, 4 s segments, three renditions
# at about 0.8 / 2 / 4.5 Mbit/s (480p, 720p, 1080p H.264 + 128 kbit/s AAC), from ffmpeg's synthetic
# sources. About 110 MB for the default 120 s, so it is made on demand into demo/media/cmaf (not committed):
#   bash demo/media/make-cmaf.sh && npm run bench -- --scenario vod --viewers 4 --media cmaf --json out.json
# Usage: DURATION=S bash demo/media/make-cmaf.sh   (needs Debian's ffmpeg; a few minutes on 2 cores)
set -euo pipefail
cd "$(dirname "$0")"
DURATION=${DURATION:-120}
FPS=30
SEG=4

rm -rf cmaf
mkdir -p cmaf
ffmpeg -hide_banner -loglevel error -y \
  -f lavfi -i "testsrc2=size=1920x1080:rate=${FPS}:duration=${DURATION}" \
  -f lavfi -i "sine=frequency=440:beep_factor=4:sample_rate=48000:duration=${DURATION}" \
  -filter_complex "[0:v]split=3[a][b][c];[a]scale=854:480[v480];[b]scale=1280:720[v720];[c]copy[v1080]" \
  -map "[v480]" -map "[v720]" -map "[v1080]" -map 1:a -map 1:a -map 1:a \
  -c:v libx264 -preset veryfast -profile:v high -pix_fmt yuv420p \
  -force_key_frames "expr:gte(t,n_forced*${SEG})" -sc_threshold 0 \
  -b:v:0 700k  -maxrate:v:0 800k  -bufsize:v:0 1600k \
  -b:v:1 1850k -maxrate:v:1 2100k -bufsize:v:1 4200k \
  -b:v:2 4300k -maxrate:v:2 4800k -bufsize:v:2 9600k \
  -c:a aac -b:a 128k -ac 2 \
  -f hls -hls_time ${SEG} -hls_playlist_type vod -hls_flags independent_segments \
  -hls_segment_type fmp4 -hls_fmp4_init_filename init.mp4 \
  -hls_segment_filename "cmaf/%v/seg_%03d.m4s" \
  -master_pl_name master.m3u8 \
  -var_stream_map "v:0,a:0,name:480p v:1,a:1,name:720p v:2,a:2,name:1080p" \
  "cmaf/%v/index.m3u8"
du -sh cmaf

(cd ../.. && node packages/meshcast-server/dist/cli.js hash demo/media/cmaf)
