import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { closedPort } from './harness';

export interface TestPostgres {
  /** `postgres://meshcast@127.0.0.1:PORT/postgres`, trust authentication, loopback only. */
  url: string;
  stop(): void;
}

/** Debian's PostgreSQL server binaries (`apt-get install postgresql`), newest version first. */
function postgresBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(path.join(root, v, 'bin/pg_ctl'))).sort((a, b) => Number(b) - Number(a)) : [];
  if (versions.length === 0) throw new Error('PostgreSQL server not found under /usr/lib/postgresql: apt-get install -y postgresql (.ci/run does)');
  return path.join(root, versions[0], 'bin');
}

/**
 * A throwaway PostgreSQL cluster in a temporary folder, on a free loopback port, started for one test
 * file and removed by `stop()`. PostgreSQL refuses to run as root: as root, it runs as Debian's
 * `postgres` user.
 */
export async function startPostgres(): Promise<TestPostgres> {
  const bin = postgresBin();
  const dir = mkdtempSync(path.join(tmpdir(), 'meshcast-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) execFileSync('chown', ['postgres:postgres', dir]);
  const run = (tool: string, args: string[]) =>
    execFileSync(asRoot ? 'runuser' : path.join(bin, tool), asRoot ? ['-u', 'postgres', '--', path.join(bin, tool), ...args] : args, { stdio: 'pipe', cwd: dir });
  const data = path.join(dir, 'data');
  run('initdb', ['-D', data, '-U', 'meshcast', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const port = await closedPort();
  run('pg_ctl', ['-D', data, '-l', path.join(dir, 'log'), '-w', '-o', `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir} -c fsync=off`, 'start']);
  return {
    url: `postgres://meshcast@127.0.0.1:${port}/postgres`,
    stop: () => {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
