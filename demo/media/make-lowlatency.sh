#!/usr/bin/env bash
# Builds the stream the dev origin serves as LL-HLS (under /ll/): one H.264/AAC rendition in fMP4 with
# EXT-X-MAP, 2 s segments each made of four 0.5 s fragments (moof+mdat), which the origin announces as
# EXT-X-PART parts; 60 s, from ffmpeg's synthetic sources; then its sidecar (complete segments only:
# parts always come over HTTP).
# Usage: bash demo/media/make-lowlatency.sh   (needs Debian's ffmpeg)
set -euo pipefail
cd "$(dirname "$0")"
DURATION=${DURATION:-60}
FPS=24
SEG=2

rm -rf lowlatency
mkdir -p lowlatency/360p
ffmpeg -hide_banner -loglevel error -y \
  -f lavfi -i "testsrc2=size=640x360:rate=${FPS}:duration=${DURATION}" \
  -f lavfi -i "sine=frequency=880:beep_factor=4:sample_rate=48000:duration=${DURATION}" \
  -c:v libx264 -preset veryfast -profile:v main -pix_fmt yuv420p \
  -force_key_frames "expr:gte(t,n_forced*${SEG})" -sc_threshold 0 \
  -b:v 64k -maxrate 80k -bufsize 160k -c:a aac -b:a 32k -ac 1 \
  -f hls -hls_time ${SEG} -hls_playlist_type vod -hls_flags independent_segments \
  -hls_segment_type fmp4 -hls_fmp4_init_filename init.mp4 \
  -hls_segment_options "frag_duration=500000" \
  -hls_segment_filename "lowlatency/360p/seg_%03d.m4s" \
  "lowlatency/360p/index.m3u8"
node mark-parts.mjs lowlatency/360p
cat > lowlatency/master.m3u8 <<'M3U8'
#EXTM3U
#EXT-X-VERSION:7
#EXT-X-STREAM-INF:BANDWIDTH=105600,RESOLUTION=640x360,CODECS="avc1.4d401e,mp4a.40.2"
360p/index.m3u8
M3U8
du -sh lowlatency

(cd ../.. && node packages/meshcast-server/dist/cli.js hash demo/media/lowlatency)
