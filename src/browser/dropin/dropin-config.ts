import type { MeshcastPluginOptions } from '../videojs/meshcast-plugin';
import { MeshcastError } from '../errors';

/**
 * The drop-in's options: `window.MeshcastConfig` (any Meshcast option), overridden by the script
 * tag's `data-*` attributes:
 * `data-trackers` (comma- or space-separated), `data-swarm-id`, `data-p2p` ("false" = HTTP only),
 * `data-integrity` (auto|required|off), `data-stats-url` (collector for beacons), `data-stats-token`
 * (the page view's viewer token),
 * `data-stats-display` ("false" hides the video.js display).
 */
export function dropinOptions(dataset: Record<string, string | undefined>, globalConfig: unknown): MeshcastPluginOptions {
  if (globalConfig !== undefined && (typeof globalConfig !== 'object' || globalConfig === null)) {
    throw new MeshcastError('configError', 'invalidOption', 'window.MeshcastConfig must be an object', { fatal: true, option: 'MeshcastConfig' });
  }
  const options: MeshcastPluginOptions = { ...(globalConfig as MeshcastPluginOptions | undefined) };
  const flag = (name: string, value: string): boolean => {
    if (value === 'true' || value === '') return true;
    if (value === 'false') return false;
    throw new MeshcastError('configError', 'invalidOption', `Meshcast option "data-${name}" must be "true" or "false", got "${value}"`, { fatal: true, option: `data-${name}` });
  };
  if (dataset.trackers !== undefined) options.trackers = dataset.trackers.split(/[\s,]+/).filter(Boolean);
  if (dataset.swarmId !== undefined) options.swarmId = dataset.swarmId;
  if (dataset.p2p !== undefined) options.p2p = flag('p2p', dataset.p2p);
  if (dataset.integrity !== undefined) options.integrity = { ...options.integrity, mode: dataset.integrity as 'auto' };
  if (dataset.statsUrl !== undefined) options.statsUrl = dataset.statsUrl;
  if (dataset.statsToken !== undefined) options.statsToken = dataset.statsToken;
  if (dataset.statsDisplay !== undefined) options.statsDisplay = flag('stats-display', dataset.statsDisplay);
  return options;
}
