#!/usr/bin/env bash
# Builds the CMAF ladder for realistic runs: fMP4 segments with EXT-X-MAP, 4 s segments, three renditions
# at about 0.8 / 2 / 4.5 Mbit/s (480p, 720p, 1080p H.264 + 128 kbit/s AAC), from ffmpeg's synthetic
# sources. About 110 MB for the default 120 s, so it is made on demand into demo/media/cmaf (not committed):
#   bash demo/media/make-cmaf.sh && npm run bench -- --scenario vod --viewers 4 --media cmaf --json out.json
# LADDER=light makes demo/media/cmaf-light instead: 360p / 540p / 720p at about 0.8 / 1.5 / 2.9 Mbit/s,
# lighter to decode (the network testbed runs every viewer's Chromium on the same cores).
# Usage: [DURATION=S] [LADDER=full|light] bash demo/media/make-cmaf.sh   (needs Debian's ffmpeg; a few minutes on 2 cores)
set -euo pipefail
cd "$(dirname "$0")"
DURATION=${DURATION:-120}
LADDER=${LADDER:-full}
FPS=30
SEG=4

case "$LADDER" in
  full)
    OUT=cmaf
    SIZES=(854:480 1280:720 1920:1080); NAMES=(480p 720p 1080p)
    RATES=(700k 1850k 4300k); MAXRATES=(800k 2100k 4800k) ;;
  light)
    OUT=cmaf-light
    SIZES=(640:360 960:540 1280:720); NAMES=(360p 540p 720p)
    RATES=(650k 1300k 2700k); MAXRATES=(750k 1500k 3000k) ;;
  *) echo "make-cmaf: LADDER must be full or light, got \"$LADDER\"" >&2; exit 2 ;;
esac

rm -rf "$OUT"
mkdir -p "$OUT"
ffmpeg -hide_banner -loglevel error -y \
  -f lavfi -i "testsrc2=size=${SIZES[2]/:/x}:rate=${FPS}:duration=${DURATION}" \
  -f lavfi -i "sine=frequency=440:beep_factor=4:sample_rate=48000:duration=${DURATION}" \
  -filter_complex "[0:v]split=3[a][b][c];[a]scale=${SIZES[0]}[v0];[b]scale=${SIZES[1]}[v1];[c]copy[v2]" \
  -map "[v0]" -map "[v1]" -map "[v2]" -map 1:a -map 1:a -map 1:a \
  -c:v libx264 -preset veryfast -profile:v high -pix_fmt yuv420p \
  -force_key_frames "expr:gte(t,n_forced*${SEG})" -sc_threshold 0 \
  -b:v:0 "${RATES[0]}" -maxrate:v:0 "${MAXRATES[0]}" -bufsize:v:0 "$((2 * ${MAXRATES[0]%k}))k" \
  -b:v:1 "${RATES[1]}" -maxrate:v:1 "${MAXRATES[1]}" -bufsize:v:1 "$((2 * ${MAXRATES[1]%k}))k" \
  -b:v:2 "${RATES[2]}" -maxrate:v:2 "${MAXRATES[2]}" -bufsize:v:2 "$((2 * ${MAXRATES[2]%k}))k" \
  -c:a aac -b:a 128k -ac 2 \
  -f hls -hls_time ${SEG} -hls_playlist_type vod -hls_flags independent_segments \
  -hls_segment_type fmp4 -hls_fmp4_init_filename init.mp4 \
  -hls_segment_filename "$OUT/%v/seg_%03d.m4s" \
  -master_pl_name master.m3u8 \
  -var_stream_map "v:0,a:0,name:${NAMES[0]} v:1,a:1,name:${NAMES[1]} v:2,a:2,name:${NAMES[2]}" \
  "$OUT/%v/index.m3u8"
du -sh "$OUT"

# Integrity sidecars, with the server's CLI (built by `npm run build`).
cd ../..
[ -f packages/meshcast-server/dist/cli.js ] || npm run build
node packages/meshcast-server/dist/cli.js hash "demo/media/$OUT"
