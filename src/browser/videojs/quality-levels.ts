import Hls, { type LevelSwitchedData } from 'hls.js';
import { Disposer } from '../utils/disposer';
import { hlsListener } from '../utils/hls-listeners';
import type { VjsPlayer, VjsQualityLevel } from './videojs-types';

/**
 * Pure rule for what hls.js may load given the renditions enabled in `player.qualityLevels()`:
 * one enabled level is forced; several bound ABR between the lowest and highest enabled; none or
 * all leave ABR free. (hls.js bounds ABR by a range, so a gap inside it is not excluded.)
 */
export function levelConstraints(enabled: boolean[]): { forced: number } | { min: number; max: number } | 'free' {
  const on = enabled.flatMap((isOn, i) => (isOn ? [i] : []));
  if (on.length === 0 || on.length === enabled.length) return 'free';
  if (on.length === 1) return { forced: on[0] };
  return { min: on[0], max: on[on.length - 1] };
}

/**
 * Mirrors hls.js levels into videojs-contrib-quality-levels (`player.qualityLevels()`, part of
 * video.js 8), so existing quality menus work and enabling/disabling a level constrains hls.js.
 * Returns the release function.
 */
export function bridgeQualityLevels(player: VjsPlayer, hls: Hls): () => void {
  const list = player.qualityLevels?.();
  if (!list) return () => undefined;
  let added: VjsQualityLevel[] = [];
  let enabled: boolean[] = [];

  const apply = (): void => {
    const rule = levelConstraints(enabled);
    if (rule === 'free') {
      hls.autoLevelCapping = -1;
      hls.config.minAutoBitrate = 0;
      hls.nextLevel = -1;
    } else if ('forced' in rule) {
      hls.nextLevel = rule.forced;
    } else {
      hls.autoLevelCapping = rule.max;
      hls.config.minAutoBitrate = hls.levels[rule.min]?.bitrate ?? 0;
      hls.nextLevel = -1;
    }
  };

  const clear = (): void => {
    for (const level of added) list.removeQualityLevel(level);
    added = [];
  };

  const onLevels = (): void => {
    clear();
    enabled = hls.levels.map(() => true);
    added = hls.levels.map((level, index) =>
      list.addQualityLevel({
        id: String(index),
        width: level.width,
        height: level.height,
        bitrate: level.bitrate,
        frameRate: level.frameRate,
        enabled(value?: boolean) {
          if (value === undefined) return enabled[index];
          if (enabled[index] !== value) {
            enabled[index] = value;
            apply();
          }
          return undefined;
        },
      }),
    );
  };

  const onSwitched = (_event: string, data: LevelSwitchedData): void => {
    list.selectedIndex_ = data.level;
    list.trigger({ selectedIndex: data.level, type: 'change' });
  };

  const disposer = new Disposer();
  const onHls = hlsListener(hls, disposer);
  onHls(Hls.Events.MANIFEST_PARSED, onLevels);
  onHls(Hls.Events.LEVEL_SWITCHED, onSwitched);
  if (hls.levels.length > 0) onLevels();
  disposer.add(() => {
    clear();
    list.selectedIndex_ = -1;
  });
  return () => disposer.dispose();
}
