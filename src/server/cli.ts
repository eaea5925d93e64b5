import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { hashMedia } from './media/hash-media';
import { startServer } from './serve';
import { signTrackerToken } from './tracker-token';
import { signViewerToken } from './collector/viewer-token';

const USAGE = `Usage:
  meshcast serve [--port P] [--tracker-port T] [--host H] [--db FILE | --store URL] [--token TOKEN] [--metrics-token TOKEN] [--media DIR [--demo DIR]] [--live-window S] [--announce-interval S]
  meshcast hash DIR
  meshcast tracker-token --secret SECRET --swarm ID [--ttl SECONDS]
  meshcast viewer-token --secret SECRET --stream ID [--ttl SECONDS]

  serve: the WebTorrent tracker, the stats collector (/v1/beacons), the dashboard (/dashboard),
  the read API (/v1/...), Prometheus metrics (/metrics), and with --media a dev origin

  --port P          HTTP port for the dev origin and demo pages (0 = any free port)   default 8080
  --tracker-port T  WebTorrent tracker (WebSocket) port (0 = any free port)          default 8081
  --host H          interface to listen on                                           default 127.0.0.1
  --db FILE         SQLite file of the collector (:memory: keeps nothing)             default meshcast.db
  --store URL       a PostgreSQL database (postgres://user:pass@host:5432/db) instead of --db, shared by
                    any number of collectors (or MESHCAST_STORE)
  --token TOKEN     operator token for the dashboard and read API (or MESHCAST_TOKEN); a random one is printed when unset
  --retain-days N   days of collector data kept (older rows are deleted hourly)       default 30
  --metrics-token TOKEN  /metrics answers only requests with Authorization: Bearer TOKEN (or MESHCAST_METRICS_TOKEN); open when unset
  --beacons-per-minute N   beacons accepted per client IP and minute                  default 600
  --beacon-secret S  beacons must carry a viewer token signed with S (repeat for key rotation; or MESHCAST_BEACON_SECRET, comma-separated)
  --max-bitrate MBPS  the highest bitrate of your streams: bounds the bytes a beacon may claim  default 40
  --sessions-per-address N  new sessions one client address may start per hour          default 20
  --trust-proxy LIST  comma-separated addresses/CIDRs of your proxies: use X-Forwarded-For from them
  --tracker-secret S  serve only pages whose announce URL has ?token= signed with S, for the swarm announced to
                    (repeat for key rotation; or MESHCAST_TRACKER_SECRET, comma-separated)
  --media DIR       serve DIR as a dev origin: VOD at /media/, emulated live at /live/,
                    byte accounting at /origin/bytes
  --demo DIR        with --media: serve the HTML pages in DIR at /demo/, with the meshcast
                    package's bundles at /dist/ (the repository's demo/ folder)
  --live-window S   seconds an emulated live playlist shows behind the edge            default 60
  --announce-interval S  seconds between a tracker client's announces (new peers are met at announces)  default 120

  tracker-token: prints a token for --tracker-secret, for the swarm ID (the player's swarmId, or the manifest
  URL without scheme, query and fragment; "*" for any), valid for --ttl seconds (default 3600, at most 86400)
  viewer-token: prints a viewer token for --beacon-secret, for the stream ID (the player's swarmId, or the
  manifest URL without scheme, query and fragment), valid for --ttl seconds (default 3600)

  hash: writes next to each media playlist under DIR (index.m3u8 -> index.sha256.json) a JSON map
  of segment URI to SHA-256, which players check segments from peers against
`;

function fail(message: string): never {
  process.stderr.write(`meshcast: ${message}\n\n${USAGE}`);
  process.exit(2);
}

function portOption(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--${name} must be a port number 0-65535, got "${value}"`);
  return port;
}

async function serve(args: string[]): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      options: {
        port: { type: 'string' },
        'tracker-port': { type: 'string' },
        host: { type: 'string' },
        media: { type: 'string' },
        demo: { type: 'string' },
        'live-window': { type: 'string' },
        db: { type: 'string' },
        store: { type: 'string' },
        token: { type: 'string' },
        'metrics-token': { type: 'string' },
        'retain-days': { type: 'string' },
        'beacon-secret': { type: 'string', multiple: true },
        'max-bitrate': { type: 'string' },
        'sessions-per-address': { type: 'string' },
        'trust-proxy': { type: 'string' },
        'beacons-per-minute': { type: 'string' },
        'tracker-secret': { type: 'string', multiple: true },
        'announce-interval': { type: 'string' },
      },
    }));
  } catch (err) {
    fail((err as Error).message);
  }
  if (values.demo !== undefined && values.media === undefined) fail('--demo needs --media (the pages play its streams)');
  const liveWindowS = values['live-window'] === undefined ? 60 : Number(values['live-window']);
  if (!(liveWindowS >= 6 && liveWindowS <= 3600)) fail(`--live-window must be seconds between 6 and 3600, got "${values['live-window']}"`);

  const announceIntervalS = values['announce-interval'] === undefined ? 120 : Number(values['announce-interval']);
  if (!Number.isInteger(announceIntervalS) || announceIntervalS < 1 || announceIntervalS > 3600) {
    fail(`--announce-interval must be whole seconds between 1 and 3600, got "${values['announce-interval']}"`);
  }

  const token = values.token ?? process.env.MESHCAST_TOKEN ?? randomBytes(18).toString('base64url');
  if (token.length < 8) fail('--token must have at least 8 characters');
  const metricsToken = values['metrics-token'] ?? process.env.MESHCAST_METRICS_TOKEN;
  if (metricsToken !== undefined && metricsToken.length < 8) fail('--metrics-token must have at least 8 characters');
  const beaconSecrets = values['beacon-secret'] ?? process.env.MESHCAST_BEACON_SECRET?.split(',').filter(Boolean);
  if (beaconSecrets?.some((secret) => secret.length < 16)) fail('--beacon-secret must have at least 16 characters');
  const maxBitrate = values['max-bitrate'] === undefined ? 40 : Number(values['max-bitrate']);
  if (!(maxBitrate > 0 && maxBitrate <= 10_000)) fail(`--max-bitrate must be Mbit/s between 0 and 10000, got "${values['max-bitrate']}"`);
  const sessionsPerAddress = values['sessions-per-address'] === undefined ? 20 : Number(values['sessions-per-address']);
  if (!Number.isInteger(sessionsPerAddress) || sessionsPerAddress < 1) fail(`--sessions-per-address must be a positive integer, got "${values['sessions-per-address']}"`);
  const retainDays = values['retain-days'] === undefined ? 30 : Number(values['retain-days']);
  if (!(retainDays > 0 && retainDays <= 3650)) fail(`--retain-days must be days between 0 and 3650, got "${values['retain-days']}"`);
  const storeUrl = values.store ?? process.env.MESHCAST_STORE;
  if (storeUrl !== undefined && !/^postgres(ql)?:\/\/./i.test(storeUrl)) fail(`--store must be a postgres:// URL, got "${storeUrl}"`);
  if (storeUrl !== undefined && values.db !== undefined) fail('--db and --store name two stores: give one');
  const trustProxy = values['trust-proxy']?.split(',').map((s) => s.trim()).filter(Boolean);
  const beaconsPerMinute = values['beacons-per-minute'] === undefined ? 600 : Number(values['beacons-per-minute']);
  if (!Number.isInteger(beaconsPerMinute) || beaconsPerMinute < 1) fail(`--beacons-per-minute must be a positive integer, got "${values['beacons-per-minute']}"`);
  const server = await startServer({
    port: portOption('port', values.port, 8080),
    trackerPort: portOption('tracker-port', values['tracker-port'], 8081),
    host: values.host ?? '127.0.0.1',
    mediaDir: values.media,
    demoDir: values.demo,
    liveWindowS,
    dbFile: values.db ?? 'meshcast.db',
    storeUrl,
    token,
    metricsToken,
    beaconSecrets,
    maxBitrateBps: maxBitrate * 1e6,
    sessionsPerAddressPerHour: sessionsPerAddress,
    trustProxy,
    retainDays,
    beaconsPerMinute,
    trackerSecrets: values['tracker-secret'] ?? process.env.MESHCAST_TRACKER_SECRET?.split(',').filter(Boolean),
    announceIntervalS,
    log: (msg) => process.stderr.write(`${msg}\n`),
  });
  const lines = [
    `meshcast serve: ready`,
    `  tracker  ${server.trackerUrl}`,
    `  http     ${server.url}`,
    `  dashboard ${server.url}/dashboard   (token: ${values.token || process.env.MESHCAST_TOKEN ? 'as given' : token})`,
    `  metrics  ${server.url}/metrics${metricsToken ? '   (bearer token: as given)' : ''}`,
  ];
  if (values.media && values.demo) {
    lines.push(
      `  demo     ${server.url}/demo/`,
      `  player   ${server.url}/demo/hlsjs.html   (open it in two tabs: the second gets segments from the first)`,
    );
  }
  if (values.media) {
    lines.push(
      `  vod      ${server.url}/media/vod/master.m3u8`,
      `  live     ${server.url}/live/vod/master.m3u8`,
      `  bytes    ${server.url}/origin/bytes`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);

  const stop = () => {
    server.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

async function hash(args: string[]): Promise<void> {
  if (args.length !== 1 || args[0].startsWith('-')) fail('hash takes one argument: the media folder');
  const results = await hashMedia(args[0]);
  if (results.length === 0) fail(`no media playlist (*.m3u8) under ${args[0]}`);
  for (const r of results) {
    process.stdout.write(`${r.written ? 'wrote    ' : 'unchanged'} ${r.sidecar} (${r.segments} segments)\n`);
  }
}

function trackerToken(args: string[]): void {
  let values;
  try {
    ({ values } = parseArgs({ args, strict: true, options: { secret: { type: 'string' }, swarm: { type: 'string' }, ttl: { type: 'string' } } }));
  } catch (err) {
    fail((err as Error).message);
  }
  const secret = values.secret ?? process.env.MESHCAST_TRACKER_SECRET?.split(',')[0];
  if (!secret) fail('tracker-token needs --secret (or MESHCAST_TRACKER_SECRET)');
  if (!values.swarm) fail('tracker-token needs --swarm (the stream the page plays, or "*" for any)');
  const ttl = values.ttl === undefined ? 3600 : Number(values.ttl);
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > 86_400) fail(`--ttl must be whole seconds from 1 to 86400, got "${values.ttl}"`);
  process.stdout.write(`${signTrackerToken(secret, values.swarm, ttl)}\n`);
}

function viewerToken(args: string[]): void {
  let values;
  try {
    ({ values } = parseArgs({ args, strict: true, options: { secret: { type: 'string' }, stream: { type: 'string' }, ttl: { type: 'string' } } }));
  } catch (err) {
    fail((err as Error).message);
  }
  const secret = values.secret ?? process.env.MESHCAST_BEACON_SECRET?.split(',')[0];
  if (!secret) fail('viewer-token needs --secret (or MESHCAST_BEACON_SECRET)');
  if (!values.stream) fail('viewer-token needs --stream (the stream the page plays)');
  const ttl = values.ttl === undefined ? 3600 : Number(values.ttl);
  if (!Number.isInteger(ttl) || ttl < 1) fail(`--ttl must be a positive number of seconds, got "${values.ttl}"`);
  process.stdout.write(`${signViewerToken(secret, values.stream, ttl)}\n`);
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === 'serve') return serve(rest);
  if (command === 'hash') return hash(rest);
  if (command === 'tracker-token') return trackerToken(rest);
  if (command === 'viewer-token') return viewerToken(rest);
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  fail(`unknown command "${command}"`);
}

main(process.argv.slice(2)).catch((err: Error) => {
  process.stderr.write(`meshcast: ${err.message}\n`);
  process.exit(1);
});
