import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** CPU time (user + system) a process has used so far, in microseconds. */
export function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which may contain spaces, are counted from its ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1e6) / TICKS_PER_SECOND;
}

/** Resident set size in MiB. */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+)/.exec(status)?.[1];
  return Number(kb ?? 0) / 1024;
}

/** The 1-minute load average, to print beside each figure on a shared machine. */
export function loadAverage(): number {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
}

/** A process whose CPU the benchmark charges to the operations it runs. */
export interface Measured {
  name: string;
  /** Microseconds of CPU used so far. */
  cpu(): number;
  /** MiB resident now. */
  rss(): number;
}

export const measuredProcess = (name: string, pid: number): Measured => ({
  name,
  cpu: () => cpuMicros(pid),
  rss: () => rssMiB(pid),
});

/** The benchmark's own process: the load generator. */
export const loadGenerator: Measured = {
  name: 'load generator',
  cpu: () => {
    const usage = process.cpuUsage();
    return usage.user + usage.system;
  },
  rss: () => process.memoryUsage.rss() / 2 ** 20,
};

/** Runs `phase`, then says each process's CPU µs per operation over it. */
export async function cpuPerOperation<T extends { operations: number }>(
  processes: readonly Measured[],
  phase: () => Promise<T>,
): Promise<T & { cpuPerOp: Map<string, number> }> {
  const before = processes.map((p) => p.cpu());
  const result = await phase();
  const cpuPerOp = new Map<string, number>();
  processes.forEach((p, i) => {
    cpuPerOp.set(p.name, (p.cpu() - before[i]!) / Math.max(1, result.operations));
  });
  return { ...result, cpuPerOp };
}
