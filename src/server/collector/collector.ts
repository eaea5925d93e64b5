import { timingSafeEqual } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BeaconSchema, MAX_BEACON_BYTES, type Beacon } from '../../browser/stats/beacon-schema';
import { CollectorMetrics } from './metrics';
import { DEFAULT_PLAUSIBILITY, implausibility, SessionStarts, type PlausibilityLimits } from './plausibility';
import { openCollectorStore, type CollectorStore } from './collector-store';
import { verifyViewerToken } from './viewer-token';
import { RenditionShares } from './rendition-shares';

export interface CollectorOptions {
  /** SQLite file (`:memory:` for none); ignored when `storeUrl` is set. */
  dbFile: string;
  /** A PostgreSQL database (`postgres://user@host/db`) shared by several collectors, instead of the SQLite file. */
  storeUrl?: string;
  /** Operator token for the read API and the dashboard's data. */
  token: string;
  /** Beacons accepted per client IP and minute. @default 600 */
  beaconsPerMinute?: number;
  /** When set, `GET /metrics` needs `Authorization: Bearer <metricsToken>`. */
  metricsToken?: string;
  /** Where failures inside the server are logged (never sent to clients). */
  log?: (msg: string) => void;
  /**
   * When set, every beacon must carry a viewer token (`signViewerToken`) signed with one of these
   * secrets (several while keys rotate), for its stream, unexpired.
   */
  beaconSecrets?: string[];
  /** Longest lifetime (expiry minus issue) of a viewer token accepted, seconds. @default 86400 */
  viewerTokenMaxLifetimeS?: number;
  /** Bounds every beacon is held to, with or without tokens. */
  plausibility?: Partial<PlausibilityLimits>;
  /** Days of data kept; older rows are deleted at start and every hour. @default 30 */
  retainDays?: number;
}

/** Distinct client addresses after which a stream without tokens gets a metric label of its own. */
const LABEL_AFTER_ADDRESSES = 3;
const MAX_TRACKED_STREAMS = 10_000;

/**
 * Which streams may take one of the bounded metric label slots: with tokens, those a valid token vouched
 * for; without, those heard from at several client addresses, so one forger cannot fill the slots with
 * made-up stream ids.
 */
class LabelVouchers {
  private readonly addresses = new Map<string, Set<string>>();

  vouch(streamId: string, address: string, byToken: boolean): boolean {
    if (byToken) return true;
    let seen = this.addresses.get(streamId);
    if (!seen) {
      if (this.addresses.size >= MAX_TRACKED_STREAMS) this.addresses.delete(this.addresses.keys().next().value as string);
      seen = new Set();
      this.addresses.set(streamId, seen);
    }
    if (seen.size < LABEL_AFTER_ADDRESSES) seen.add(address);
    return seen.size >= LABEL_AFTER_ADDRESSES;
  }
}

const DEFAULT_WINDOW_MS = 60 * 60_000;
const MAX_WINDOW_MS = 31 * 24 * 60 * 60_000;
/** A session counts among its stream's viewers for a minute after its last beacon. */
const AUDIENCE_WINDOW_MS = 60_000;

function tokenMatches(expected: string, header: string | undefined): boolean {
  const given = /^Bearer (.+)$/.exec(header ?? '')?.[1];
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Parses `from`/`to` (ms since epoch) and `stream` of a read request; defaults to the last hour. */
function readWindow(request: FastifyRequest): { from: number; to: number; streamId?: string } | string {
  const query = request.query as Record<string, string | undefined>;
  const to = query.to === undefined ? Date.now() + 60_000 : Number(query.to);
  const from = query.from === undefined ? to - DEFAULT_WINDOW_MS : Number(query.from);
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from >= to) return '"from" and "to" must be integers (ms since epoch) with from < to';
  if (to - from > MAX_WINDOW_MS) return 'the window may span at most 31 days';
  if (query.stream !== undefined && (query.stream === '' || query.stream.length > 512)) return '"stream" must be a stream id';
  return { from, to, streamId: query.stream };
}

/**
 * The stats collector: `POST /v1/beacons` (validated against the shared schema, size- and
 * rate-limited), the token-protected read API (`/v1/summary`, `/v1/series`, `/v1/streams`) and
 * `GET /metrics` (token-protected with `metricsToken`). Bad input gets a 4xx with a reason and is
 * counted; nothing is stored from it. A failure inside the server is a 500 that says no more, logged
 * and counted in `meshcast_server_errors_total`.
 */
export async function registerCollector(app: FastifyInstance, options: CollectorOptions): Promise<{ store: CollectorStore; metrics: CollectorMetrics }> {
  const store = await openCollectorStore(options.storeUrl ?? options.dbFile);
  const metrics = new CollectorMetrics(() => store.activeViewers(Date.now() - AUDIENCE_WINDOW_MS));
  const renditions = new RenditionShares(AUDIENCE_WINDOW_MS);
  const retainMs = (options.retainDays ?? 30) * 24 * 3_600_000;
  const prune = async () => {
    try {
      await store.prune(Date.now() - retainMs);
    } catch (error) {
      options.log?.(`meshcast: pruning the store failed: ${(error as Error).message}`);
    }
  };
  await prune();
  const pruning = setInterval(() => void prune(), 3_600_000);
  pruning.unref();
  app.addHook('onClose', async () => {
    clearInterval(pruning);
    await store.close();
  });
  const log = options.log ?? (() => undefined);
  const limits: PlausibilityLimits = { ...DEFAULT_PLAUSIBILITY, ...options.plausibility };
  const sessionStarts = new SessionStarts(limits.sessionsPerAddressPerHour);
  const vouchers = new LabelVouchers();
  const secrets = options.beaconSecrets?.filter((secret) => secret.length > 0) ?? [];

  /** A failure inside the server: logged and counted; the client learns only that it was the server's. */
  const serverFailure = (error: Error, request: FastifyRequest, reply: FastifyReply) => {
    const route = request.routeOptions?.url ?? 'unknown';
    log(`meshcast: ${request.method} ${route} failed: ${error.stack ?? error.message}`);
    metrics.serverError(route);
    return reply.code(500).send({ error: 'internal server error' });
  };
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) return reply.code(error.statusCode).send({ error: error.message });
    return serverFailure(error, request, reply);
  });

  await app.register(async (beacons) => {
    await beacons.register(rateLimit, {
      max: options.beaconsPerMinute ?? 600,
      timeWindow: 60_000,
      onExceeded: () => metrics.outcome('rate_limited'),
    });
    // sendBeacon and keepalive fetch send text/plain, which needs no CORS preflight.
    beacons.addContentTypeParser('text/plain', { parseAs: 'string', bodyLimit: MAX_BEACON_BYTES }, (_request, body, done) => {
      try {
        done(null, JSON.parse(body as string));
      } catch {
        done(Object.assign(new Error('body is not JSON'), { statusCode: 400 }));
      }
    });
    beacons.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
      const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
      if (status === 500) {
        metrics.outcome('server_error');
        return serverFailure(error, request, reply);
      }
      if (status !== 429) metrics.outcome('invalid');
      return reply.code(status).send({ error: status === 429 ? 'rate limited' : 'invalid beacon', reason: error.message });
    });
    beacons.post('/v1/beacons', {
      bodyLimit: MAX_BEACON_BYTES,
      schema: { body: BeaconSchema },
      attachValidation: true,
    }, async (request, reply) => {
      if (request.validationError) {
        metrics.outcome('invalid');
        return reply.code(400).send({ error: 'invalid beacon', reason: request.validationError.message });
      }
      const beacon = request.body as Beacon;
      if (secrets.length > 0) {
        const verdict = verifyViewerToken(secrets, beacon.token, beacon.streamId, options.viewerTokenMaxLifetimeS ?? 86_400);
        if (verdict !== 'valid') {
          metrics.outcome('unauthorized');
          return reply.code(401).send({ error: 'a valid viewer token is required', reason: verdict });
        }
      }
      const now = Date.now();
      const outcome = await store.ingest(beacon, now, (previous, stream) =>
        implausibility(previous, beacon, now, stream, limits)
        ?? (previous || sessionStarts.admit(request.ip, now) ? undefined : 'too many new sessions from this address'));
      metrics.outcome(outcome.result);
      if (outcome.result === 'implausible') return reply.code(422).send({ error: 'implausible beacon', reason: outcome.reason });
      if (outcome.result === 'accepted') metrics.accepted(beacon.streamId, outcome.delta, vouchers.vouch(beacon.streamId, request.ip, secrets.length > 0));
      if (outcome.result === 'accepted') renditions.note(beacon.sessionId, beacon.streamId, beacon.rendition, now);
      // The stream's audience lets players that see all of it agree on who fetches each new live segment;
      // their rendition's (their swarm's), how many of them fetch it at once where none sees all of it.
      const audience = await store.audience(beacon.streamId, Date.now() - AUDIENCE_WINDOW_MS);
      const renditionAudience = beacon.rendition === undefined ? undefined : renditions.renditionAudience(beacon.streamId, beacon.rendition, audience, now);
      return reply.code(202).send({ result: outcome.result, audience, ...(renditionAudience !== undefined && { renditionAudience }) });
    });
  });

  const authorized = (request: FastifyRequest, reply: FastifyReply): boolean => {
    if (tokenMatches(options.token, request.headers.authorization)) return true;
    metrics.outcome('unauthorized');
    void reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'unauthorized' });
    return false;
  };
  const windowOrReply = (request: FastifyRequest, reply: FastifyReply) => {
    if (!authorized(request, reply)) return undefined;
    const window = readWindow(request);
    if (typeof window === 'string') {
      void reply.code(400).send({ error: 'invalid query', reason: window });
      return undefined;
    }
    return window;
  };

  app.get('/v1/summary', async (request, reply) => {
    const w = windowOrReply(request, reply);
    return w ? store.summary(w) : reply;
  });
  app.get('/v1/series', async (request, reply) => {
    const w = windowOrReply(request, reply);
    return w ? store.series(w) : reply;
  });
  app.get('/v1/streams', async (request, reply) => {
    const w = windowOrReply(request, reply);
    return w ? store.streams(w) : reply;
  });
  app.get('/metrics', async (request, reply) => {
    if (options.metricsToken !== undefined && !tokenMatches(options.metricsToken, request.headers.authorization)) {
      return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'unauthorized' });
    }
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  return { store, metrics };
}
