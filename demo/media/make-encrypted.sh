#!/usr/bin/env bash
# Builds the AES-128 stream: one H.264/AAC rendition, 2 s MPEG-TS segments encrypted with AES-128 (CBC,
# EXT-X-KEY METHOD=AES-128), 40 s, from ffmpeg's synthetic sources; then its sidecar, which holds the
# hashes of the encrypted segments: peers share ciphertext, and only the player's own HTTP request gets
# the key. The key is a fixed test key, committed with the media.
# Usage: bash demo/media/make-encrypted.sh   (needs Debian's ffmpeg)
set -euo pipefail
cd "$(dirname "$0")"
DURATION=${DURATION:-40}
FPS=24
SEG=2

rm -rf aes128
mkdir -p aes128/360p
printf '\x4d\x65\x73\x68\x63\x61\x73\x74\x2d\x74\x65\x73\x74\x2d\x6b\x31' > aes128/360p/key.bin
printf 'key.bin\naes128/360p/key.bin\n000102030405060708090a0b0c0d0e0f\n' > aes128/keyinfo
ffmpeg -hide_banner -loglevel error -y \
  -f lavfi -i "testsrc2=size=640x360:rate=${FPS}:duration=${DURATION}" \
  -f lavfi -i "sine=frequency=550:beep_factor=4:sample_rate=48000:duration=${DURATION}" \
  -c:v libx264 -preset veryfast -profile:v main -pix_fmt yuv420p \
  -force_key_frames "expr:gte(t,n_forced*${SEG})" -sc_threshold 0 \
  -b:v 64k -maxrate 80k -bufsize 160k -c:a aac -b:a 32k -ac 1 \
  -f hls -hls_time ${SEG} -hls_playlist_type vod -hls_flags independent_segments \
  -hls_key_info_file aes128/keyinfo \
  -hls_segment_filename "aes128/360p/seg_%03d.ts" \
  "aes128/360p/index.m3u8"
rm aes128/keyinfo
cat > aes128/master.m3u8 <<'M3U8'
#EXTM3U
#EXT-X-VERSION:6
#EXT-X-STREAM-INF:BANDWIDTH=105600,RESOLUTION=640x360,CODECS="avc1.4d401e,mp4a.40.2"
360p/index.m3u8
M3U8
du -sh aes128

(cd ../.. && node packages/meshcast-server/dist/cli.js hash demo/media/aes128)
