import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import cors from '@fastify/cors';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { registerCollector } from './collector/collector';
import { DASHBOARD_HTML } from './collector/dashboard-page';
import { registerDevOrigin } from './origin/dev-origin';
import { startTracker, type RunningTracker } from './tracker';

export interface ServeOptions {
  /** HTTP port (origin, demo, API); 0 picks a free one. @default 8080 */
  port: number;
  /** WebTorrent tracker port; 0 picks a free one. @default 8081 */
  trackerPort: number;
  /** Interface to listen on. @default 127.0.0.1 */
  host: string;
  /** Media folder for the dev origin; no dev origin when unset. */
  mediaDir?: string;
  /**
   * Folder of HTML pages served at `/demo/` beside the dev origin, with the demo tracker URL replaced by
   * this server's; their scripts load `/dist/` (the `meshcast` package's bundles) and `/vendor/<package>/dist/`.
   */
  demoDir?: string;
  /** Seconds of emulated live stream shown behind the live edge. @default 60 */
  liveWindowS: number;
  /** SQLite file of the collector (`:memory:` keeps nothing). @default meshcast.db */
  dbFile: string;
  /** A PostgreSQL database (`postgres://…`) shared by several collectors; replaces `dbFile` when set. */
  storeUrl?: string;
  /** Operator token for the read API and the dashboard. */
  token: string;
  /** Beacons accepted per client IP and minute. @default 600 */
  beaconsPerMinute?: number;
  /** When set, `GET /metrics` needs `Authorization: Bearer <metricsToken>`. */
  metricsToken?: string;
  /** When set, beacons need a viewer token signed with one of these (`signViewerToken`). */
  beaconSecrets?: string[];
  /** The highest bitrate of the operator's streams, bits per second, bounding what a beacon may claim. @default 40e6 */
  maxBitrateBps?: number;
  /** New sessions one client address may start per hour. @default 20 */
  sessionsPerAddressPerHour?: number;
  /** Days of collector data kept. @default 30 */
  retainDays?: number;
  /**
   * Addresses (or CIDR ranges) of the reverse proxies / load balancers in front: requests from them are
   * attributed to the client in `X-Forwarded-For`, for per-client limits and logs.
   */
  trustProxy?: string[];
  /**
   * When set, the tracker serves only pages with a token signed with one of these (`signTrackerToken`;
   * several while keys rotate), for the swarm they announce to, until it expires.
   */
  trackerSecrets?: string[];
  /** Seconds between a tracker client's announces. @default 120 */
  announceIntervalS?: number;
  log?: (msg: string) => void;
}

export interface RunningServer {
  /** Base URL of the HTTP server, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** Announce URL of the tracker, e.g. `ws://127.0.0.1:8081`. */
  trackerUrl: string;
  close(): Promise<void>;
}

/** This package's root (meshcast-server), found from its `dist/`. */
function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

/** Packages whose browser builds the demo pages load from `/vendor/<package>/dist/…`. */
const VENDOR_PACKAGES = ['video.js', 'hls.js'];

/** The tracker URL written in the demo pages; the dev server serves them with its own. */
export const DEMO_TRACKER_URL = 'ws://localhost:8081';

/** Starts the tracker and the HTTP server (`meshcast serve`). */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const log = options.log ?? (() => undefined);
  const root = packageRoot();
  // Strict validation: fastify's defaults would silently drop unknown fields and coerce types.
  const app = Fastify({
    logger: false,
    ...(options.trustProxy && options.trustProxy.length > 0 && { trustProxy: options.trustProxy }),
    bodyLimit: 64 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false } },
  });
  await app.register(cors, {
    origin: '*',
    methods: ['GET', 'HEAD', 'POST', 'OPTIONS'],
    exposedHeaders: ['Content-Length', 'Content-Range', 'Accept-Ranges'],
  });

  let tracker: RunningTracker | undefined;
  /** The tracker's URL under the host name the page itself used (localhost, 127.0.0.1, a LAN name). */
  const pageTrackerUrl = (request: FastifyRequest): string =>
    `ws://${(request.hostname ?? 'localhost').replace(/:\d+$/, '')}:${tracker!.port}`;
  const version = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;

  app.get('/healthz', async () => ({ ok: true, version }));

  await registerCollector(app, { dbFile: options.dbFile, storeUrl: options.storeUrl, token: options.token, beaconsPerMinute: options.beaconsPerMinute, metricsToken: options.metricsToken, log,
    beaconSecrets: options.beaconSecrets,
    retainDays: options.retainDays,
    plausibility: {
      ...(options.maxBitrateBps !== undefined && { maxBitrateBps: options.maxBitrateBps }),
      ...(options.sessionsPerAddressPerHour !== undefined && { sessionsPerAddressPerHour: options.sessionsPerAddressPerHour }),
    },
  });
  app.get('/dashboard', async (_request, reply) => reply.type('text/html; charset=utf-8').send(DASHBOARD_HTML));
  app.get('/dashboard/dashboard.js', async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').send(await readFile(path.join(root, 'dist', 'dashboard.js'), 'utf8')));
  app.get('/dashboard/uPlot.min.css', async (_request, reply) =>
    reply.type('text/css; charset=utf-8').send(await readFile(path.join(root, 'dist', 'uPlot.min.css'), 'utf8')));

  if (options.mediaDir) {
    if (!existsSync(options.mediaDir)) throw new Error(`--media: folder ${options.mediaDir} does not exist`);
    registerDevOrigin(app, { mediaDir: options.mediaDir, liveWindowS: options.liveWindowS });
    if (options.demoDir) {
      await registerDemoPages(app, options.demoDir, root, pageTrackerUrl);
      app.get('/', async (_request, reply) => reply.redirect('/demo/'));
    }
    // Tells demo pages where the tracker is, under the host name the page itself used.
    app.get('/dev/config.json', async (request) => {
      return {
        trackers: tracker ? [pageTrackerUrl(request)] : [],
        statsUrl: `${request.protocol}://${request.host}`,
        streams: { vod: '/media/vod/master.m3u8', live: '/live/vod/master.m3u8' },
      };
    });
  }

  tracker = await startTracker({
    port: options.trackerPort,
    host: options.host,
    log,
    secrets: options.trackerSecrets,
    announceIntervalS: options.announceIntervalS,
  });
  try {
    await app.listen({ port: options.port, host: options.host });
  } catch (err) {
    await tracker.close();
    throw err;
  }
  const { port } = app.server.address() as AddressInfo;
  const shownHost = options.host === '0.0.0.0' ? '127.0.0.1' : options.host;
  return {
    url: `http://${shownHost}:${port}`,
    trackerUrl: `ws://${shownHost}:${tracker.port}`,
    close: async () => {
      await Promise.all([app.close(), tracker?.close()]);
    },
  };
}

/** Where a package is installed, looked up as Node does from `from` (some packages export no package.json). */
function packageDir(name: string, from: string): string | undefined {
  const paths = createRequire(path.join(from, 'package.json')).resolve.paths(name) ?? [];
  return paths.map((p) => path.join(p, name)).find((p) => existsSync(path.join(p, 'package.json')));
}

/**
 * The demo pages and the bundles they load, so `npm run demo` needs nothing else. Pages are written for
 * `npm run demo`'s tracker; they are served with the tracker actually running.
 */
async function registerDemoPages(app: FastifyInstance, demoDir: string, root: string, pageTrackerUrl: (request: FastifyRequest) => string): Promise<void> {
  if (!existsSync(demoDir)) throw new Error(`--demo: folder ${demoDir} does not exist`);
  app.get('/demo/:page.html', async (request, reply) => {
    const { page } = request.params as { page: string };
    if (!/^[a-z0-9-]+$/.test(page)) return reply.code(404).send({ error: 'not found' });
    const html = await readFile(path.join(demoDir, `${page}.html`), 'utf8').catch(() => undefined);
    if (html === undefined) return reply.code(404).send({ error: 'not found', what: request.url });
    return reply.type('text/html; charset=utf-8').send(html.replaceAll(DEMO_TRACKER_URL, pageTrackerUrl(request)));
  });
  app.get('/demo/', async (_request, reply) => reply.redirect('/demo/index.html'));
  await app.register(fastifyStatic, { root: path.resolve(demoDir), prefix: '/demo/', index: false, serve: true });
  // The pages' own packages first (a demo folder inside an app), then this package's.
  const find = (name: string) => packageDir(name, path.resolve(demoDir)) ?? packageDir(name, root);
  const browserPackage = find('meshcast');
  if (browserPackage) await app.register(fastifyStatic, { root: path.join(browserPackage, 'dist'), prefix: '/dist/', decorateReply: false });
  for (const name of VENDOR_PACKAGES) {
    const dir = find(name);
    if (!dir) continue; // not installed (video.js is an optional peer dependency)
    await app.register(fastifyStatic, { root: path.join(dir, 'dist'), prefix: `/vendor/${name}/dist/`, decorateReply: false });
  }
}
