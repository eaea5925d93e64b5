import { readdirSync, readFileSync } from 'node:fs';

const CLOCK_TICKS_PER_S = 100; // USER_HZ on Linux

interface ProcInfo {
  ppid: number;
  cpuTicks: number;
}

function readProc(pid: number): ProcInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), cpuTicks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined; // exited meanwhile
  }
}

function pssKiB(pid: number): number {
  try {
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    return Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/**
 * Samples CPU time and memory (PSS, so shared pages count once) of every process in the trees of
 * `rootPids`: each browser with its renderer, GPU and network processes. Processes that exit
 * between samples keep the CPU time of their last sample.
 */
export class ProcessSampler {
  private readonly cpuTicksByPid = new Map<number, number>();
  private peakKiB = 0;
  private timer: NodeJS.Timeout | undefined;

  private readonly rootPids = new Set<number>();

  constructor(...rootPids: number[]) {
    for (const pid of rootPids) this.rootPids.add(pid);
  }

  /** Samples one more process tree from now on (a browser launched after the start). */
  add(rootPid: number): void {
    this.rootPids.add(rootPid);
  }

  start(intervalMs = 1000): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  stop(): { cpuS: number; peakMemMB: number } {
    this.sample();
    clearInterval(this.timer);
    const ticks = [...this.cpuTicksByPid.values()].reduce((a, b) => a + b, 0);
    return { cpuS: ticks / CLOCK_TICKS_PER_S, peakMemMB: this.peakKiB / 1024 };
  }

  private sample(): void {
    if (this.rootPids.size === 0) return;
    const procs = new Map<number, ProcInfo>();
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const info = readProc(Number(entry));
      if (info) procs.set(Number(entry), info);
    }
    const descends = (pid: number): boolean => {
      for (let p = pid, hops = 0; p > 1 && hops < 64; hops += 1) {
        if (this.rootPids.has(p)) return true;
        const parent = procs.get(p)?.ppid;
        if (parent === undefined) return false;
        p = parent;
      }
      return false;
    };
    let totalKiB = 0;
    for (const [pid, info] of procs) {
      if (!descends(pid)) continue;
      this.cpuTicksByPid.set(pid, info.cpuTicks);
      totalKiB += pssKiB(pid);
    }
    this.peakKiB = Math.max(this.peakKiB, totalKiB);
  }
}
