import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../repo-root';

/** Every namespace the testbed makes is named `mcn-<run>-<role>`; `<run>` is the creating process's pid in base 36. */
export const NAMESPACE_PREFIX = 'mcn-';

/** Runs a command and returns its output; a failure throws with the command and what it printed. */
export function run(command: string, args: string[], input?: string): string {
  const result = spawnSync(command, args, { input, encoding: 'utf8' });
  if (result.error) throw new Error(`${command} ${args.join(' ')}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${result.status}: ${result.stderr.trim() || result.stdout.trim()}`);
  return result.stdout;
}

/** `ip` inside namespace `ns`. */
export const ipIn = (ns: string, ...args: string[]) => run('ip', ['-n', ns, ...args]);

/** Any command inside namespace `ns`. */
export const execIn = (ns: string, command: string, args: string[], input?: string) => run('ip', ['netns', 'exec', ns, command, ...args], input);

/** What the testbed needs of this machine, as one error naming what is missing. */
export function checkPrerequisites(): void {
  const problems: string[] = [];
  if (process.getuid?.() !== 0) problems.push('root (network namespaces need CAP_NET_ADMIN): run as root, as CI does');
  for (const [tool, pkg] of [['ip', 'iproute2'], ['tc', 'iproute2'], ['nft', 'nftables'], ['gcc', 'gcc'], ['turnserver', 'coturn']]) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) problems.push(`${tool} (apt-get install -y ${pkg})`);
  }
  if (!existsSync('/dev/net/tun')) problems.push('/dev/net/tun (the delay line needs TUN)');
  if (problems.length > 0) throw new Error(`the network testbed needs: ${problems.join('; ')}`);
}

/** The delay line, compiled from test/net/delay-line.c into build/net/ when missing or older than its source. */
export function delayLineBinary(): string {
  const source = path.join(ROOT, 'test/net/delay-line.c');
  const binary = path.join(ROOT, 'build/net/delay-line');
  if (!existsSync(binary) || statSync(binary).mtimeMs < statSync(source).mtimeMs) {
    mkdirSync(path.dirname(binary), { recursive: true });
    run('gcc', ['-O2', '-Wall', '-o', binary, source]);
  }
  return binary;
}

/** The testbed's namespaces on this machine, by run. */
export function testbedNamespaces(): Map<string, string[]> {
  const byRun = new Map<string, string[]>();
  for (const line of run('ip', ['netns', 'list']).split('\n')) {
    const name = line.split(' ')[0];
    const match = /^mcn-([0-9a-z]+)-/.exec(name);
    if (!match) continue;
    byRun.set(match[1], [...(byRun.get(match[1]) ?? []), name]);
  }
  return byRun;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Kills what runs inside a namespace and deletes it (its veths go with it). */
export function removeNamespace(ns: string): void {
  const pids = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  for (const pid of pids) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // already gone
    }
  }
  spawnSync('ip', ['netns', 'delete', ns]);
}

/**
 * Removes the namespaces of runs whose process is gone: a run killed by a crash or a timeout leaves
 * its namespaces behind, and the next run sweeps them.
 */
export function sweepStaleRuns(): string[] {
  const removed: string[] = [];
  for (const [runId, names] of testbedNamespaces()) {
    if (processAlive(parseInt(runId, 36))) continue;
    for (const ns of names) {
      removeNamespace(ns);
      removed.push(ns);
    }
  }
  return removed;
}
