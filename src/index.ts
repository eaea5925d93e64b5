export { MeshcastEngine } from './engine/meshcast-engine';
export type { MeshcastEventMap } from './engine/meshcast-engine';
export { resolveOptions, deriveSwarmId, MESHCAST_PROTOCOL_VERSION } from './config';
export type { MeshcastOptions, ResolvedOptions } from './config';
export { MeshcastError } from './errors';
export type { MeshcastErrorType } from './errors';
export type { MeshcastStats, SegmentSource } from './stats/session-stats';
export { VERSION } from './version';
