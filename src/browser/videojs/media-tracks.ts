import Hls, { type CuesParsedData, type MediaPlaylist, type NonNativeTextTracksData } from 'hls.js';
import { Disposer } from '../utils/disposer';
import { hlsListener } from '../utils/hls-listeners';
import type { VideoJs, VjsAudioTrack, VjsPlayer } from './videojs-types';

interface VjsTextTrack extends EventTarget {
  mode: string;
  kind: string;
  addCue(cue: VTTCue): void;
}

/**
 * Bridges hls.js alternate audio renditions into `player.audioTracks()` and switches hls.js when
 * the viewer picks one. Muxed audio (one track) shows nothing, as with VHS.
 */
export function bridgeAudioTracks(videojs: VideoJs, player: VjsPlayer, hls: Hls): () => void {
  const list = player.audioTracks();
  let added: Array<{ track: VjsAudioTrack; index: number }> = [];

  const clear = (): void => {
    for (const { track } of added) list.removeTrack(track);
    added = [];
  };
  const onUpdated = (): void => {
    clear();
    if (hls.audioTracks.length < 2) return;
    added = hls.audioTracks.map((t: MediaPlaylist, index: number) => {
      const track = new videojs.AudioTrack({
        id: `meshcast-audio-${index}`,
        kind: t.default ? 'main' : 'alternative',
        label: t.name,
        language: t.lang ?? '',
        enabled: index === hls.audioTrack,
      });
      list.addTrack(track);
      return { track, index };
    });
  };
  const onChange = (): void => {
    const chosen = added.find(({ track }) => track.enabled);
    if (chosen && chosen.index !== hls.audioTrack) hls.audioTrack = chosen.index;
  };
  // hls.js picks the default rendition after announcing them: mirror whichever it plays.
  const onSwitched = (): void => {
    for (const { track, index } of added) track.enabled = index === hls.audioTrack;
  };

  const disposer = new Disposer();
  const onHls = hlsListener(hls, disposer);
  onHls(Hls.Events.AUDIO_TRACKS_UPDATED, onUpdated);
  onHls(Hls.Events.AUDIO_TRACK_SWITCHED, onSwitched);
  list.on('change', onChange);
  disposer.add(() => {
    list.off('change', onChange);
    clear();
  });
  return () => disposer.dispose();
}

/**
 * Subtitles and closed captions: hls.js parses cues without rendering them (`renderTextTracksNatively:
 * false`), and video.js gets exactly one text track per rendition, so captions never show twice.
 * Showing a subtitle track in video.js selects it in hls.js, which then loads its playlist.
 */
/** One key per text rendition, the same whether hls.js announces it or delivers its cues. */
const subtitleKey = (track: MediaPlaylist) => `subtitles:${track.groupId ?? ''}:${track.id}:${track.name}`;

export function bridgeTextTracks(player: VjsPlayer, hls: Hls): () => void {
  const tracks = new Map<string, { element: unknown; track: VjsTextTrack; subtitle?: MediaPlaylist; cueKeys: Set<string> }>();
  const textTracks = (player as unknown as { textTracks(): EventTarget & { on?: unknown } }).textTracks();
  const playerApi = player as unknown as {
    addRemoteTextTrack(options: object, manualCleanup: boolean): { track: VjsTextTrack };
    removeRemoteTextTrack(element: unknown): void;
  };

  const onFound = (_event: string, data: NonNativeTextTracksData): void => {
    for (const found of data.tracks) {
      const key = found.subtitleTrack ? subtitleKey(found.subtitleTrack) : `captions:${found._id ?? found.label}`;
      if (tracks.has(key)) continue;
      const element = playerApi.addRemoteTextTrack({
        kind: found.kind,
        label: found.label,
        language: found.subtitleTrack?.lang ?? found.closedCaptions?.lang ?? '',
        default: found.default,
      }, false);
      tracks.set(key, { element, track: element.track, subtitle: found.subtitleTrack, cueKeys: new Set() });
    }
  };
  const onCues = (_event: string, data: CuesParsedData): void => {
    // Subtitle cues name their rendition; caption cues their CEA-608 channel (e.g. textTrack1).
    const entry = tracks.get(data.subtitleTrack ? subtitleKey(data.subtitleTrack) : `captions:${data.track}`);
    if (!entry) return;
    for (const cue of data.cues as VTTCue[]) {
      // hls.js parses a segment's cues again after a seek back; add each cue once.
      const key = `${cue.startTime}|${cue.endTime}|${cue.text}`;
      if (entry.cueKeys.has(key)) continue;
      entry.cueKeys.add(key);
      entry.track.addCue(cue);
    }
  };
  const onTrackChange = (): void => {
    const showing = [...tracks.values()].find((t) => t.subtitle && t.track.mode === 'showing');
    const index = showing?.subtitle ? hls.subtitleTracks.indexOf(showing.subtitle) : -1;
    if (hls.subtitleTrack !== index) hls.subtitleTrack = index;
  };

  const disposer = new Disposer();
  const onHls = hlsListener(hls, disposer);
  onHls(Hls.Events.NON_NATIVE_TEXT_TRACKS_FOUND, onFound);
  onHls(Hls.Events.CUES_PARSED, onCues);
  textTracks.addEventListener('change', onTrackChange);
  disposer.add(() => {
    textTracks.removeEventListener('change', onTrackChange);
    for (const { element } of tracks.values()) playerApi.removeRemoteTextTrack(element);
    tracks.clear();
  });
  return () => disposer.dispose();
}
