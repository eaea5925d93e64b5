// The parts of video.js 8 that Meshcast uses, typed structurally: video.js is a peer dependency
// (or `window.videojs` for the drop-in), so its module is never imported by this adapter.

export interface VjsEventTarget {
  on(type: string | string[], fn: (...args: any[]) => void): void;
  off(type: string | string[], fn: (...args: any[]) => void): void;
  one(type: string | string[], fn: (...args: any[]) => void): void;
  trigger(event: string | { type: string; [key: string]: unknown }, hash?: unknown): void;
}

export interface VjsTech extends VjsEventTarget {
  el(): HTMLVideoElement;
  options_: { playerId?: string; [key: string]: unknown };
  audioTracks(): VjsTrackList<VjsAudioTrack>;
}

export interface VjsTrackList<T> extends VjsEventTarget {
  length: number;
  [index: number]: T;
  addTrack(track: T): void;
  removeTrack(track: T): void;
}

export interface VjsAudioTrack {
  id: string;
  label: string;
  language: string;
  enabled: boolean;
}

export interface VjsQualityLevel {
  id: string;
  enabled: boolean;
}

export interface VjsQualityLevelList extends VjsEventTarget {
  length: number;
  [index: number]: VjsQualityLevel;
  selectedIndex_: number;
  addQualityLevel(representation: {
    id: string;
    width?: number;
    height?: number;
    bitrate?: number;
    frameRate?: number;
    enabled: (value?: boolean) => boolean | undefined;
  }): VjsQualityLevel;
  removeQualityLevel(level: VjsQualityLevel): void;
}

export interface VjsComponent extends VjsEventTarget {
  el(): HTMLElement;
  addChild(name: string | VjsComponent, options?: unknown, index?: number): VjsComponent;
  removeChild(component: VjsComponent): void;
  getChild(name: string): VjsComponent | undefined;
  children(): VjsComponent[];
  dispose(): void;
  isDisposed(): boolean;
  show(): void;
  hide(): void;
}

export interface VjsPlayer extends VjsComponent {
  id(): string;
  tech(iWillNotUseThisInPlugins?: boolean): VjsTech | undefined;
  src(source?: unknown): unknown;
  currentSource(): { src: string; type?: string };
  currentSources(): Array<{ src: string; type?: string }>;
  error(error?: { code: number; message: string } | null): unknown;
  paused(): boolean;
  qualityLevels?: () => VjsQualityLevelList;
  audioTracks(): VjsTrackList<VjsAudioTrack>;
  controlBar?: VjsComponent;
  el(): HTMLElement;
  options_: Record<string, unknown>;
  [key: string]: unknown;
}

export interface VjsSourceHandler {
  canPlayType(type: string): string;
  canHandleSource(source: { src?: string; type?: string }, options?: unknown): string;
  handleSource(source: { src: string; type?: string }, tech: VjsTech, options?: unknown): { dispose(): void };
}

export interface VjsPluginBase {
  new (player: VjsPlayer, options?: unknown): { player: VjsPlayer; dispose(): void; trigger(e: unknown): void };
}

export interface VideoJs {
  (idOrEl: string | Element, options?: unknown): VjsPlayer;
  VERSION: string;
  getTech(name: 'Html5'): { registerSourceHandler(handler: VjsSourceHandler, index?: number): void; isSupported?(): boolean };
  getPlugin(name: string): VjsPluginBase | undefined;
  registerPlugin(name: string, plugin: unknown): unknown;
  getComponent(name: string): any;
  registerComponent(name: string, component: unknown): unknown;
  getPlayer(id: string): VjsPlayer | undefined;
  getPlayers(): Record<string, VjsPlayer | undefined>;
  hook(type: 'setup', fn: (player: VjsPlayer) => void): void;
  hook(type: 'beforesetup', fn: (el: HTMLElement, options: unknown) => object): void;
  AudioTrack: new (options: { id: string; kind: string; label: string; language: string; enabled: boolean }) => VjsAudioTrack;
  log: { warn(...args: unknown[]): void; error(...args: unknown[]): void };
}
