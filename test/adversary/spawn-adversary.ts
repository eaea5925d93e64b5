import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { stopChild } from '../e2e/harness';
import type { AdversaryMode } from './adversary-peer';

export interface AdversaryStatus {
  /** Segments it holds and announces. */
  segments: number;
  /** Segment requests peers sent it. */
  requests: number;
  /** Bytes it sent to peers (raw chunks). */
  uploadedBytes: number;
  /** Peer connections it has made, in all. */
  peersConnected: number;
}

export interface AdversaryProcess {
  /** The latest status it reported. */
  status(): AdversaryStatus;
  stop(): Promise<void>;
}

/**
 * Starts a misbehaving peer (`test/adversary/cli.ts`, built to build/adversary.js) in its own
 * process and resolves once it holds its segments and is in the swarm.
 */
export async function spawnAdversary(root: string, options: { mode: AdversaryMode; masterUrl: string; trackers: string[]; level?: number; slowBytesPerS?: number }): Promise<AdversaryProcess> {
  const script = path.join(root, 'build/adversary.js');
  if (!existsSync(script)) throw new Error(`${script} is missing: run \`npm run build\` first`);
  const args = [script, '--mode', options.mode, '--master', options.masterUrl, '--level', String(options.level ?? 1)];
  for (const tracker of options.trackers) args.push('--tracker', tracker);
  if (options.slowBytesPerS !== undefined) args.push('--slow-bytes-per-s', String(options.slowBytesPerS));
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let last: AdversaryStatus = { segments: 0, requests: 0, uploadedBytes: 0, peersConnected: 0 };
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`adversary did not start:\n${output}`));
    }, 60_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const lines = output.split('\n');
      output = lines.pop()!;
      for (const line of lines) {
        const match = /^(ready|status) (\{.*\})$/.exec(line);
        if (!match) continue;
        last = JSON.parse(match[2]) as AdversaryStatus;
        if (match[1] === 'ready') {
          clearTimeout(timer);
          resolve();
        }
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`adversary exited with ${code}:\n${output}`));
    });
  });
  return {
    status: () => last,
    stop: () => stopChild(child),
  };
}
