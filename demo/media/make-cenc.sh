#!/usr/bin/env bash
# Builds the CENC stream for EME with ClearKey: one H.264/AAC rendition in fMP4 (EXT-X-MAP), 2 s segments,
# 40 s, from ffmpeg's synthetic sources, then encrypted by cenc-package.mjs with cenc (AES-CTR, one key for
# audio and video, a Common PSSH in the init segment); the playlist's EXT-X-KEY names the ClearKey key
# system and the key ID.
# The key is a fixed test key: clearkey.json beside the media is what the dev origin's ClearKey licence
# server (POST /origin/clearkey/cenc) answers with. Then the sidecar, which hashes the ciphertext.
# Usage: bash demo/media/make-cenc.sh   (needs Debian's ffmpeg)
set -euo pipefail
cd "$(dirname "$0")"
DURATION=${DURATION:-40}
FPS=24
SEG=2
KID=4d657368636173742d636c6561726b31
KEY=0f1e2d3c4b5a69788796a5b4c3d2e1f0

rm -rf cenc
mkdir -p cenc/360p
ffmpeg -hide_banner -loglevel error -y \
  -f lavfi -i "testsrc2=size=640x360:rate=${FPS}:duration=${DURATION}" \
  -f lavfi -i "sine=frequency=770:beep_factor=4:sample_rate=48000:duration=${DURATION}" \
  -c:v libx264 -preset veryfast -profile:v main -pix_fmt yuv420p \
  -force_key_frames "expr:gte(t,n_forced*${SEG})" -sc_threshold 0 \
  -b:v 64k -maxrate 80k -bufsize 160k -c:a aac -b:a 32k -ac 1 \
  -f hls -hls_time ${SEG} -hls_playlist_type vod -hls_flags independent_segments \
  -hls_segment_type fmp4 -hls_fmp4_init_filename init.mp4 \
  -hls_segment_filename "cenc/360p/seg_%03d.m4s" \
  "cenc/360p/index.m3u8"
node cenc-package.mjs cenc/360p "${KEY}" "${KID}"

# EXT-X-KEY before EXT-X-MAP, so it applies to the init segment and every media segment.
KID_B64=$(printf '%s' "${KID}" | xxd -r -p | base64)
sed -i "s|^#EXT-X-MAP:|#EXT-X-KEY:METHOD=SAMPLE-AES-CTR,KEYFORMAT=\"org.w3.clearkey\",KEYFORMATVERSIONS=\"1\",URI=\"data:text/plain;base64,${KID_B64}\"\n#EXT-X-MAP:|" cenc/360p/index.m3u8
cat > cenc/master.m3u8 <<'M3U8'
#EXTM3U
#EXT-X-VERSION:7
#EXT-X-STREAM-INF:BANDWIDTH=105600,RESOLUTION=640x360,CODECS="avc1.4d401e,mp4a.40.2"
360p/index.m3u8
M3U8
b64url() { xxd -r -p | base64 | tr '+/' '-_' | tr -d '='; }
printf '{ "keys": [{ "kty": "oct", "kid": "%s", "k": "%s" }] }\n' \
  "$(printf '%s' "${KID}" | b64url)" "$(printf '%s' "${KEY}" | b64url)" > cenc/clearkey.json
du -sh cenc

(cd ../.. && node packages/meshcast-server/dist/cli.js hash demo/media/cenc)
