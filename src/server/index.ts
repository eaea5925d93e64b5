// Node entry (`meshcast/server`): the pieces of the CLI for scripts and packaging pipelines.
export { hashMedia, type HashedPlaylist } from './media/hash-media';
export { startServer, type RunningServer, type ServeOptions } from './serve';
export { signTrackerToken, trackerGrant, trackerTokenValid, type TrackerGrant } from './tracker-token';
export { signViewerToken, verifyViewerToken, type ViewerTokenVerdict } from './collector/viewer-token';
