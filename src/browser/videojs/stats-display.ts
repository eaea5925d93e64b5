import type { MeshcastStats } from '../stats/meshcast-stats';
import type { VideoJs } from './videojs-types';

export const STATS_DISPLAY_NAME = 'MeshcastStatsDisplay';

/** Text of the control-bar display: the P2P share of the bytes so far and the peers connected. */
export function statsDisplayText(stats: Pick<MeshcastStats, 'offloadRatio' | 'peers'>): string {
  const peers = `${stats.peers} ${stats.peers === 1 ? 'peer' : 'peers'}`;
  return `P2P ${Math.round(stats.offloadRatio * 100)}% · ${peers}`;
}

/** A small control-bar component: "P2P 64% · 3 peers". */
export function createStatsDisplay(videojs: VideoJs): unknown {
  const Component = videojs.getComponent('Component');
  return class MeshcastStatsDisplay extends Component {
    createEl(): HTMLElement {
      const el = super.createEl('div', {
        className: 'vjs-meshcast-stats vjs-control',
      }, { 'aria-live': 'off', title: 'Share of video received from other viewers' });
      el.style.cssText = 'width:auto;padding:0 .6em;line-height:3em;font-size:1.1em;white-space:nowrap;';
      el.textContent = statsDisplayText({ offloadRatio: 0, peers: 0 });
      return el;
    }

    update(stats: MeshcastStats): void {
      (this as unknown as { el(): HTMLElement }).el().textContent = statsDisplayText(stats);
    }
  };
}
