#!/usr/bin/env bash
# The "captioned" stream: the VOD video renditions plus two alternate audio renditions and an English
# WebVTT subtitle rendition, for the tests of audio and text tracks. Reuses vod/ for video; the cue
# times are aligned to the first video PTS. Needs Debian's ffmpeg.
set -euo pipefail
cd "$(dirname "$0")"
DURATION=${DURATION:-120}
start_pts=$(ffprobe -v error -show_entries format=start_time -of csv=p=0 vod/240p/seg_000.ts)
mpegts=$(awk -v s="$start_pts" 'BEGIN { printf "%d", s * 90000 }')

rm -rf captioned
mkdir -p captioned/subs captioned/audio/main captioned/audio/commentary

# Two audio-only renditions (2 s segments): the main tone, and a "commentary" at another pitch.
for track in main:440 commentary:660; do
  name=${track%%:*} freq=${track##*:}
  ffmpeg -hide_banner -loglevel error -y \
    -f lavfi -i "sine=frequency=${freq}:beep_factor=2:sample_rate=48000:duration=${DURATION}" \
    -c:a aac -b:a 32k -ac 1 -f hls -hls_time 2 -hls_playlist_type vod \
    -hls_segment_filename "captioned/audio/${name}/seg_%03d.ts" "captioned/audio/${name}/index.m3u8"
done
{
  echo "WEBVTT"
  echo "X-TIMESTAMP-MAP=MPEGTS:${mpegts},LOCAL:00:00:00.000"
  echo
  for ((t = 0, n = 1; t < DURATION; t += 4, n += 1)); do
    printf '%02d:%02d.000 --> %02d:%02d.500\nMeshcast caption %d\n\n' $((t / 60)) $((t % 60)) $(((t + 3) / 60)) $(((t + 3) % 60)) "$n"
  done
} > captioned/subs/en.vtt

cat > captioned/subs/en.m3u8 <<PLAYLIST
#EXTM3U
#EXT-X-VERSION:3
#EXT-X-TARGETDURATION:${DURATION}
#EXT-X-MEDIA-SEQUENCE:0
#EXT-X-PLAYLIST-TYPE:VOD
#EXTINF:${DURATION}.000,
en.vtt
#EXT-X-ENDLIST
PLAYLIST

{
  echo '#EXTM3U'
  echo '#EXT-X-VERSION:6'
  echo '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="Main",LANGUAGE="en",DEFAULT=YES,AUTOSELECT=YES,URI="audio/main/index.m3u8"'
  echo '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="Commentary",LANGUAGE="en",DEFAULT=NO,AUTOSELECT=NO,URI="audio/commentary/index.m3u8"'
  echo '#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",LANGUAGE="en",DEFAULT=NO,AUTOSELECT=YES,URI="subs/en.m3u8"'
  grep -A1 '^#EXT-X-STREAM-INF' vod/master.m3u8 | grep -v '^--$' | sed -e 's/^\(#EXT-X-STREAM-INF:.*\)$/\1,AUDIO="aud",SUBTITLES="subs"/' -e 's#^\([0-9a-z]*p/index.m3u8\)$#../vod/\1#'
} > captioned/master.m3u8
