import { Type, type Static } from '@sinclair/typebox';

/**
 * Beacon v1: one viewer session's cumulative counters, numbered by `seq`. Being cumulative, a lost
 * beacon loses nothing (the next one carries it) and a repeated or late one adds nothing (the
 * collector keeps only the highest `seq` per session). The one schema both sides use: the browser
 * builds `Beacon` values, the collector validates every request against `BeaconSchema`.
 */
const count = (maximum: number) => Type.Integer({ minimum: 0, maximum });
const MAX_BYTES = 1e15;
const MAX_MS = 1e11;

export const BeaconSchema = Type.Object(
  {
    v: Type.Literal(1),
    sessionId: Type.String({ minLength: 8, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }),
    seq: count(1e9),
    streamId: Type.String({ minLength: 1, maxLength: 512 }),
    live: Type.Boolean(),
    httpBytes: count(MAX_BYTES),
    p2pBytes: count(MAX_BYTES),
    uploadedBytes: count(MAX_BYTES),
    segmentsHttp: count(1e9),
    segmentsP2P: count(1e9),
    peers: count(10_000),
    integrityFailures: count(1e9),
    startupMs: Type.Union([count(3_600_000), Type.Null()]),
    rebufferCount: count(1e9),
    rebufferMs: count(MAX_MS),
    p2pStalls: count(1e9),
    playingMs: count(MAX_MS),
    bitrateKbps: Type.Number({ minimum: 0, maximum: 1e6 }),
    liveLatencyS: Type.Union([Type.Number({ minimum: 0, maximum: 86_400 }), Type.Null()]),
    /**
     * The rendition played now, as its index in the master playlist (p2p-media-loader's swarm of the
     * stream); left out with P2P off. The collector replies with that rendition's audience.
     */
    rendition: Type.Optional(count(1000)),
    /** The viewer token the operator's page was given (`statsToken`), for collectors with `--beacon-secret`. */
    token: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
  },
  { additionalProperties: false },
);

export type Beacon = Static<typeof BeaconSchema>;

/** Cumulative fields: the collector adds their increase since the session's previous beacon. */
export const CUMULATIVE_FIELDS = [
  'httpBytes', 'p2pBytes', 'uploadedBytes', 'segmentsHttp', 'segmentsP2P', 'integrityFailures',
  'rebufferCount', 'rebufferMs', 'p2pStalls', 'playingMs',
] as const satisfies ReadonlyArray<keyof Beacon>;

/** Largest beacon body accepted, in bytes. */
export const MAX_BEACON_BYTES = 4096;
