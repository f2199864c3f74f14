// Child processes for `run` steps and command agents. Each process leads its own process group so
// that a timeout or abort kills the whole tree (a shell's children included), never leaving anything
// running or spending after the call ended.
//
// A detached group outlives reprise when reprise itself is killed (`kill -9` of its own group): the
// call would then run beside a resumed attempt and do its side effects twice. Node cannot ask the
// kernel to signal a child when its parent dies (no PR_SET_PDEATHSIG), so on POSIX each program is
// started through a small supervisor (SUPERVISOR below): it leads the group, runs the program, and
// holds a pipe to reprise; end of file on that pipe means reprise is gone, and the supervisor removes
// the call's temporary files and kills its whole group, itself included.
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, type WriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { TextRedactor } from '../journal/secrets.js';

export interface ProcessSpec {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string | undefined>;
  /** Written to stdin, which is then closed. */
  input?: string;
  signal: AbortSignal;
  timeoutMs?: number;
  /** Sees the output as it arrives (live logs); the result still carries all of it. */
  onData?: (stream: 'stdout' | 'stderr', chunk: string) => void;
  /** Keep at most this many bytes of each stream in memory (default `DEFAULT_MAX_OUTPUT_BYTES`). */
  maxBytes?: number;
  /** Where a longer stream is written whole, redacted; without it, what is beyond `maxBytes` is dropped. */
  spill?: OutputSpill;
  /** Trims the end of a cut stream's kept text that begins a secret (`Secrets.cutEnd`). */
  cutEnd?: (text: string) => string;
  /** A temporary file or directory of the call, removed by the supervisor if reprise dies first. */
  cleanup?: string;
}

/**
 * A run step, command agent or command tool keeps 1 MiB of each output stream in memory and in the journal;
 * a longer stream is written whole to a file in the run directory (or dropped without one).
 */
export const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;

/**
 * Files that receive a stream longer than the cap, whole (created only if needed). They are written from a
 * private temporary file once the program has ended, through `redactor` (made then, so that values masked
 * while it ran count too): a secret never reaches them.
 */
export interface OutputSpill {
  stdout: string;
  stderr: string;
  redactor: () => TextRedactor;
}

/** How much of a program's output is kept, and where a longer stream goes. */
export interface OutputLimit {
  maxBytes?: number;
  spill?: OutputSpill;
  /** Trims the end of a cut stream's kept text that begins a secret (`Secrets.cutEnd`). */
  cutEnd?: (text: string) => string;
}

/** A stream that printed more than `maxBytes`: how much it printed, and the file with all of it, if any. */
export interface OutputCut {
  keptBytes: number;
  totalBytes: number;
  file?: string;
}

export interface ProcessResult {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  /** Set when the process was killed by a signal. */
  signal: NodeJS.Signals | null;
  /** Why reprise ended the process early, if it did. */
  ended?: 'timeout' | 'aborted';
  /** The program could not be started (not found, not executable). */
  spawnError?: Error;
  /** Streams that were cut at `maxBytes`. */
  cut?: { stdout?: OutputCut; stderr?: OutputCut };
}

/** `stdout was cut at 1048576 of 300000000 bytes (all of it is in <file>)`. */
export function describeOutputCut(stream: 'stdout' | 'stderr', cut: OutputCut): string {
  const where = cut.file ? `all of it is in ${cut.file}` : 'the rest was dropped';
  return `${stream} was cut at ${cut.keptBytes} of ${cut.totalBytes} bytes (${where})`;
}

const KILL_GRACE_MS = 1000;

/** Runs a program to completion. Never rejects: start failures, timeouts and aborts are in the result. */
export function runProcess(spec: ProcessSpec): Promise<ProcessResult> {
  return new Promise((resolve) => {
    if (spec.signal.aborted) {
      resolve({ stdout: '', stderr: '', exitCode: null, signal: null, ended: 'aborted' });
      return;
    }
    const supervised = process.platform !== 'win32';
    // spawn() itself throws for some failures (E2BIG: arguments and environment past the system's limit):
    // reported like those it emits, so that no caller has to catch.
    const child = attempt(() =>
      supervised
        ? spawn(process.execPath, ['-e', SUPERVISOR, '--', spec.cleanup ?? '', spec.command, ...spec.args], {
            cwd: spec.cwd,
            env: supervisorEnv(spec.env),
            detached: true,
            stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
          })
        : spawn(spec.command, spec.args, {
            cwd: spec.cwd,
            env: spec.env,
            stdio: ['pipe', 'pipe', 'pipe'],
          }),
    );
    if (child instanceof Error) {
      resolve({ stdout: '', stderr: '', exitCode: null, signal: null, spawnError: child });
      return;
    }
    // The supervisor reports a program that could not be started on its pipe (as `{code, message}`).
    let control = '';
    child.stdio[3]?.on('data', (chunk: Buffer) => (control += chunk.toString('utf8')));
    child.stdio[3]?.on('error', () => {
      // The supervisor was killed with its group; its exit status tells the story.
    });
    const max = spec.maxBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
    const stdout = new Collector(
      max,
      spec.spill && { path: spec.spill.stdout, redactor: spec.spill.redactor },
    );
    const stderr = new Collector(
      max,
      spec.spill && { path: spec.spill.stderr, redactor: spec.spill.redactor },
    );
    let ended: ProcessResult['ended'];
    let spawnError: Error | undefined;
    let killTimer: NodeJS.Timeout | undefined;

    // Not guarded by `child.exitCode`: the leader may have exited while a grandchild still holds the
    // pipes open (so 'close' never comes); the group is signalled all the same.
    const killTree = (why: 'timeout' | 'aborted') => {
      if (ended) return;
      ended = why;
      signalTree(child.pid, 'SIGTERM');
      killTimer = setTimeout(() => signalTree(child.pid, 'SIGKILL'), KILL_GRACE_MS);
      killTimer.unref();
    };
    const onAbort = () => killTree('aborted');
    spec.signal.addEventListener('abort', onAbort, { once: true });
    const timeout =
      spec.timeoutMs !== undefined ? setTimeout(() => killTree('timeout'), spec.timeoutMs) : undefined;

    child.stdout.on('data', (chunk: Buffer) => {
      stdout.add(chunk);
      spec.onData?.('stdout', chunk.toString('utf8'));
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr.add(chunk);
      spec.onData?.('stderr', chunk.toString('utf8'));
    });
    child.stdin.on('error', () => {
      // The program may exit without reading its input (EPIPE); its exit status tells the story.
    });
    child.on('error', (error) => {
      spawnError = error;
    });
    child.on('close', (exitCode, signal) => {
      spawnError ??= startFailure(control);
      spec.signal.removeEventListener('abort', onAbort);
      if (timeout) clearTimeout(timeout);
      if (killTimer) clearTimeout(killTimer);
      // Grandchildren may outlive the shell; make sure none are left once we are done with the call.
      if (ended) signalTree(child.pid, 'SIGKILL');
      void Promise.all([stdout.finish(), stderr.finish()]).then(([outCut, errCut]) => {
        const cut =
          outCut || errCut
            ? { ...(outCut && { stdout: outCut }), ...(errCut && { stderr: errCut }) }
            : undefined;
        // A cut may split a secret: the kept text must not end with its first characters.
        const kept = (text: string, wasCut: OutputCut | undefined) =>
          wasCut && spec.cutEnd ? spec.cutEnd(text) : text;
        resolve({
          stdout: kept(stdout.text(), outCut),
          stderr: kept(stderr.text(), errCut),
          exitCode,
          signal,
          ended,
          spawnError,
          ...(cut && { cut }),
        });
      });
    });
    child.stdin.end(spec.input ?? '');
  });
}

function signalTree(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(process.platform === 'win32' ? pid : -pid, signal);
  } catch {
    // Already gone.
  }
}

/**
 * One output stream: the first `max` bytes in memory; past them, everything is also written to a private
 * temporary file, copied redacted to the spill path at the end (or only counted without one), so a program
 * printing gigabytes costs neither memory nor an over-long string, and its whole output can still be read.
 */
class Collector {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  private total = 0;
  private raw?: { dir: string; file: WriteStream };
  private rawFailed = false;

  constructor(
    private readonly max: number,
    private readonly spill?: { path: string; redactor: () => TextRedactor },
  ) {}

  add(chunk: Buffer): void {
    this.total += chunk.length;
    if (this.total <= this.max) {
      this.chunks.push(chunk);
      this.kept += chunk.length;
      return;
    }
    const room = Math.max(0, this.max - this.kept);
    if (room > 0) {
      this.chunks.push(chunk.subarray(0, room));
      this.kept += room;
    }
    if (!this.spill || this.rawFailed) return;
    // Opening writes what is kept so far; then the part of this chunk beyond it.
    this.raw ??= this.openRaw();
    this.raw?.file.write(chunk.subarray(room));
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }

  /** Writes the spill file; says what was cut, if anything was. */
  async finish(): Promise<OutputCut | undefined> {
    if (this.total <= this.kept) return undefined;
    const file = this.raw && !this.rawFailed ? await this.writeSpill() : undefined;
    return { keptBytes: this.kept, totalBytes: this.total, ...(file && { file }) };
  }

  private openRaw(): { dir: string; file: WriteStream } | undefined {
    try {
      const dir = mkdtempSync(join(tmpdir(), 'reprise-output-'));
      const file = createWriteStream(join(dir, 'raw'));
      file.on('error', () => {
        this.rawFailed = true;
      });
      // The bytes kept in memory begin the file: it holds the whole stream.
      for (const head of this.chunks) file.write(head);
      return { dir, file };
    } catch {
      this.rawFailed = true;
      return undefined;
    }
  }

  private async writeSpill(): Promise<string | undefined> {
    const { dir, file } = this.raw!;
    const spill = this.spill!;
    try {
      await new Promise<void>((done) => file.end(done));
      if (this.rawFailed) return undefined;
      const redactor = spill.redactor();
      await pipeline(
        createReadStream(file.path, { encoding: 'utf8' }),
        async function* (text: AsyncIterable<string>) {
          for await (const piece of text) yield redactor.push(piece);
          yield redactor.end();
        },
        createWriteStream(spill.path),
      );
      return spill.path;
    } catch {
      return undefined;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}
/** Variables the supervisor (a Node program) must not see but the program it starts must. */
const NODE_VARIABLES = ['NODE_OPTIONS', 'NODE_PATH', 'NODE_REPL_EXTERNAL_MODULE'];
const KEPT_PREFIX = 'REPRISE_SUPERVISED_';

function supervisorEnv(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const result = { ...env };
  for (const name of NODE_VARIABLES) {
    if (result[name] === undefined) continue;
    result[KEPT_PREFIX + name] = result[name];
    delete result[name];
  }
  return result;
}

function startFailure(control: string): Error | undefined {
  const line = control.split('\n').find((text) => text.trim() !== '');
  if (!line) return undefined;
  try {
    const { code, message } = JSON.parse(line) as { code?: string; message?: string };
    return Object.assign(new Error(message ?? 'the program could not be started'), { code });
  } catch {
    return undefined;
  }
}

/**
 * The supervisor (argv: cleanup path or '', program, args). It leads the process group; the program
 * shares its stdin/stdout/stderr. Its exit mirrors the program's (code, or the same signal).
 */
const SUPERVISOR = `
const { spawn } = require('node:child_process');
const { rmSync } = require('node:fs');
const { Socket } = require('node:net');
const [cleanup, command, ...args] = process.argv.slice(1);
const env = { ...process.env };
for (const name of ${JSON.stringify(NODE_VARIABLES)}) {
  const kept = '${KEPT_PREFIX}' + name;
  if (env[kept] !== undefined) env[name] = env[kept];
  delete env[kept];
}
const control = new Socket({ fd: 3, readable: true, writable: true });
control.on('error', () => {});
let done = false;
const orphaned = () => {
  if (done) return;
  done = true;
  if (cleanup) { try { rmSync(cleanup, { recursive: true, force: true }); } catch {} }
  try { process.kill(-process.pid, 'SIGKILL'); } catch {}
  process.kill(process.pid, 'SIGKILL');
};
control.on('end', orphaned);
control.on('close', orphaned);
control.resume();
// reprise signals the whole group: the program gets it too; the supervisor stays to mirror its exit.
process.on('SIGTERM', () => {});
const child = spawn(command, args, { env, stdio: 'inherit' });
child.on('error', (error) => {
  done = true;
  control.end(JSON.stringify({ code: error.code, message: error.message }) + '\\n', () => process.exit(127));
});
child.on('exit', (code, signal) => {
  done = true;
  if (signal) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  }
  process.exit(code ?? 128);
});
`;

/** What `start` returns, or what it threw (as an Error). */
function attempt<T>(start: () => T): T | Error {
  try {
    return start();
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}
