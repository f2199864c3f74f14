// Background runs and the process behind a run: `run --background` (a detached copy of this command
// writing to <run dir>/run.log), `runs logs ID [--follow]`, `runs kill ID`. Every CLI run records its
// process (pid and the start time the OS gives it) in <run dir>/process.json, so `runs ls` can show the
// pid and `runs kill` can make sure a pid the OS has since reused is never signalled.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, open, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LocalStore } from '../stores/local.js';
import { EXIT, UsageError, asUsageError } from './io.js';
import type { CliIO } from './io.js';

const PROCESS_FILE = 'process.json';
export const LOG_FILE = 'run.log';
const FOLLOW_POLL_MS = 200;

export interface RunProcess {
  pid: number;
  /** How the OS identifies this start of the process (Linux: start time in clock ticks since boot). */
  startTime: string;
  startedAt: string;
}

/** The OS's start time of a live process, or undefined when there is no such process. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19]; // field 22 of the whole line: starttime
  } catch {
    if (existsSync('/proc/self/stat')) return undefined; // Linux, and the process is gone
  }
  try {
    const text = execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], { encoding: 'utf8' }).trim();
    return text === '' ? undefined : text;
  } catch {
    return undefined;
  }
}

/** Records this process as the one running the run (called once the run's lock is taken). */
export function recordProcess(runDir: string): () => Promise<void> {
  const file = join(runDir, PROCESS_FILE);
  const info: RunProcess = {
    pid: process.pid,
    startTime: processStartTime(process.pid) ?? '',
    startedAt: new Date().toISOString(),
  };
  // Synchronous, as the run store's own files are (src/stores/local.ts): a resume starts sooner.
  writeFileSync(file, JSON.stringify(info) + '\n');
  return async () => rmSync(file, { force: true });
}

/** The process recorded for a run, if it is still that process (same pid and same start time). */
export function liveProcess(runDir: string): RunProcess | undefined {
  const info = readProcess(runDir);
  if (!info) return undefined;
  const now = processStartTime(info.pid);
  return now !== undefined && now === info.startTime ? info : undefined;
}

function readProcess(runDir: string): RunProcess | undefined {
  try {
    const value = JSON.parse(readFileSync(join(runDir, PROCESS_FILE), 'utf8')) as Partial<RunProcess>;
    if (typeof value.pid !== 'number' || typeof value.startTime !== 'string') return undefined;
    return value as RunProcess;
  } catch {
    return undefined;
  }
}

/**
 * `run --background`: the same command, detached, without --background and with the run id fixed, its
 * output appended to the run's log. Returns once the child has started.
 */
export async function startInBackground(
  argv: readonly string[],
  runId: string,
  runDir: string,
  io: CliIO,
): Promise<number> {
  await mkdir(runDir, { recursive: true });
  const args = argv.filter((arg) => arg !== '--background');
  const resumeAt = args.indexOf('--resume');
  if (resumeAt >= 0) args[resumeAt + 1] = runId; // `latest` now may not be `latest` then
  if (resumeAt < 0 && !args.some((a) => a.startsWith('--resume='))) {
    const at = args.findIndex((a) => a === '--run-id' || a.startsWith('--run-id='));
    if (at >= 0) args.splice(at, args[at] === '--run-id' ? 2 : 1);
    args.push('--run-id', runId);
  }
  const logPath = join(runDir, LOG_FILE);
  const log = openSync(logPath, 'a');
  try {
    const child = spawn(process.execPath, [...process.execArgv, ...args], {
      cwd: io.cwd,
      env: io.env,
      detached: true,
      stdio: ['ignore', log, log],
    });
    await new Promise<void>((resolvePromise, reject) => {
      child.once('spawn', resolvePromise);
      child.once('error', reject);
    });
    child.unref();
    io.out.write(
      `${runId}\n` +
        `started run ${runId} in the background (pid ${child.pid})\n` +
        `  log:    reprise runs logs ${runId} --follow   (${logPath})\n` +
        `  stop:   reprise runs kill ${runId}\n`,
    );
    return EXIT.ok;
  } finally {
    closeSync(log);
  }
}

interface StoreOptions {
  runsDir: string;
}

export async function runsLogsCommand(
  id: string,
  options: StoreOptions & { follow?: boolean },
  io: CliIO,
): Promise<number> {
  const store = new LocalStore(resolve(io.cwd, options.runsDir));
  const runId = await asUsageError(() => store.resolve(id));
  const runDir = store.runDir(runId);
  const logPath = join(runDir, LOG_FILE);
  if (!existsSync(logPath)) {
    throw new UsageError(`run ${runId} has no log (only runs started with --background write one)`);
  }
  let offset = 0;
  const drain = async () => {
    const handle = await open(logPath, 'r');
    try {
      const { size } = await handle.stat();
      if (size <= offset) return;
      const buffer = Buffer.alloc(size - offset);
      await handle.read(buffer, 0, buffer.length, offset);
      offset = size;
      io.out.write(buffer.toString('utf8'));
    } finally {
      await handle.close();
    }
  };
  await drain();
  if (!options.follow) return EXIT.ok;
  // Until the run's process is gone; then once more for what it wrote last.
  while (liveProcess(runDir)) {
    await sleep(FOLLOW_POLL_MS);
    await drain();
  }
  await drain();
  return EXIT.ok;
}

export async function runsKillCommand(id: string, options: StoreOptions, io: CliIO): Promise<number> {
  const store = new LocalStore(resolve(io.cwd, options.runsDir));
  const runId = await asUsageError(() => store.resolve(id));
  const runDir = store.runDir(runId);
  const recorded = readProcess(runDir);
  if (!recorded) throw new UsageError(`run ${runId} is not running`);
  const now = processStartTime(recorded.pid);
  if (now === undefined)
    throw new UsageError(`run ${runId} is not running (process ${recorded.pid} is gone)`);
  if (now !== recorded.startTime) {
    throw new UsageError(
      `process ${recorded.pid} is not run ${runId} any more (it started at another time: the pid was reused); not signalled`,
    );
  }
  // SIGINT: the run stops as on Ctrl-C, journals its end as cancelled, and can be resumed.
  process.kill(recorded.pid, 'SIGINT');
  io.out.write(
    `sent SIGINT to run ${runId} (pid ${recorded.pid}); continue it later with --resume ${runId}\n`,
  );
  return EXIT.ok;
}

/** For `runs ls`: the pid and progress of a run whose process is alive. */
export async function runningInfo(
  runDir: string,
): Promise<{ pid: number; calls: number; step?: string } | undefined> {
  const live = liveProcess(runDir);
  if (!live) return undefined;
  let calls = 0;
  let step: string | undefined;
  try {
    // A cheap look at the journal (no full parse): journaled calls so far and the latest step seen.
    const text = await readFile(join(runDir, 'journal.jsonl'), 'utf8');
    for (const line of text.split('\n')) {
      const match = /^\{"t":"(call|step)".*?"step":"((?:[^"\\]|\\.)*)"/.exec(line);
      if (match?.[1] === 'call') calls += 1;
      if (match) step = match[2];
    }
  } catch {
    // No journal yet.
  }
  return { pid: live.pid, calls, step };
}
