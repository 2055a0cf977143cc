/**
 * The processes a benchmark runs against: each is spawned with only the environment it is given
 * (plus PATH and HOME), in its own process group, waited on until its health URL answers 200,
 * sampled through /proc (RSS, CPU time), and stopped by its own pid. Whatever is still running
 * when the bench ends is stopped by `stopAll`.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { sleep } from './log.ts';

export interface Child {
  name: string;
  pid: number;
  url: string;
  /** Milliseconds from spawn until the health URL first answered 200. */
  startMs: number;
  /** The last lines the process printed (for error messages). */
  output(): string;
  /** Resident set size in MB, from /proc/<pid>/status. */
  rssMb(): number;
  /** User + system CPU seconds so far, from /proc/<pid>/stat. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

export interface ChildOptions {
  name: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  url: string;
  healthPath?: string;
  timeoutMs?: number;
}

const running = new Set<Child>();
let clockTicks: number | undefined;

// Children run in their own process groups, so they outlive a bench that dies without cleaning
// up (an uncaught error, a closed stdout): take them down with it.
process.on('exit', () => {
  for (const child of running) signalGroup(child.pid, 'SIGKILL');
});

function ticksPerSecond(): number {
  clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  return clockTicks;
}

/** RSS of any process in MB. */
export function rssMbOf(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

/** CPU seconds (user + system) of any process. */
export function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond();
}

/** CPU seconds (user + system) of every process named postgres: the server and its backends. */
export function postgresCpuSeconds(): number {
  let seconds = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') seconds += cpuSecondsOf(Number(entry));
    } catch {
      // gone between the listing and the read
    }
  }
  return seconds;
}

/** The machine's busy and total CPU time so far in seconds of one core, from /proc/stat. */
export function machineCpuSeconds(): { busy: number; total: number } {
  const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
  const ticks = fields.slice(0, 8).map(Number);
  const total = ticks.reduce((sum, t) => sum + t, 0);
  // idle and iowait are the time no process had the core.
  return { busy: (total - ticks[3]! - ticks[4]!) / ticksPerSecond(), total: total / ticksPerSecond() };
}

/** Spawns a process and resolves once `url + healthPath` answers 200. */
export async function startChild(options: ChildOptions): Promise<Child> {
  const began = performance.now();
  const proc = spawn(options.command, options.args, {
    cwd: process.cwd(),
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (lines.length > 60) lines.splice(0, lines.length - 60);
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  let exited: number | null | undefined;
  const exit = new Promise<void>((resolve) =>
    proc.once('exit', (code, signal) => {
      exited = code ?? (signal ? -1 : null);
      resolve();
    }),
  );
  const pid = proc.pid!;
  const child: Child = {
    name: options.name,
    pid,
    url: options.url,
    startMs: Number.NaN,
    output: () => lines.join('\n'),
    rssMb: () => rssMbOf(pid),
    cpuSeconds: () => cpuSecondsOf(pid),
    async stop() {
      running.delete(child);
      if (exited !== undefined) return;
      // The whole group: `npm start` runs the server as a grandchild.
      signalGroup(pid, 'SIGTERM');
      const gone = await Promise.race([exit.then(() => true), sleep(5000).then(() => false)]);
      if (!gone) signalGroup(pid, 'SIGKILL');
      await exit;
    },
  };
  running.add(child);
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const health = `${options.url}${options.healthPath ?? '/healthz'}`;
  for (;;) {
    if (exited !== undefined) {
      running.delete(child);
      throw new Error(`${options.name} exited (${exited}) before it was healthy:\n${child.output()}`);
    }
    try {
      const response = await fetch(health, { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await child.stop();
      throw new Error(`${options.name} was not healthy at ${health} within ${options.timeoutMs ?? 60_000} ms:\n${child.output()}`);
    }
    await sleep(10);
  }
  child.startMs = performance.now() - began;
  return child;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** Stops every child still running (end of the bench, or an interrupted one). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((child) => child.stop()));
}

/** CPU use of a process over `ms` of wall time, in percent of one core. */
export async function cpuPercentOver(pid: number, ms: number): Promise<number> {
  const before = cpuSecondsOf(pid);
  const t0 = performance.now();
  await sleep(ms);
  return ((cpuSecondsOf(pid) - before) / ((performance.now() - t0) / 1000)) * 100;
}
