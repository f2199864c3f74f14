// Child processes for `run` steps and command agents. Each process leads its own process group so
// that a timeout or abort kills the whole tree (a shell's children included), never leaving anything
// running or spending after the call ended.
import { spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';

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
  /** Keep at most this many bytes of each stream in memory; the rest goes to `spill` or is dropped. */
  maxBytes?: number;
  /** Files that receive each stream's output beyond `maxBytes` (created only if needed). */
  spill?: { stdout: string; stderr: string };
}

/** A stream that printed more than `maxBytes`: how much it printed, and the file with the rest, if any. */
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

const KILL_GRACE_MS = 1000;

/** Runs a program to completion. Never rejects: start failures, timeouts and aborts are in the result. */
export function runProcess(spec: ProcessSpec): Promise<ProcessResult> {
  return new Promise((resolve) => {
    if (spec.signal.aborted) {
      resolve({ stdout: '', stderr: '', exitCode: null, signal: null, ended: 'aborted' });
      return;
    }
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      detached: process.platform !== 'win32',
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const stdout = new Collector(spec.maxBytes, spec.spill?.stdout);
    const stderr = new Collector(spec.maxBytes, spec.spill?.stderr);
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
        resolve({
          stdout: stdout.text(),
          stderr: stderr.text(),
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
 * One output stream: the first `max` bytes in memory, the rest appended to a spill file (or counted and
 * dropped), so a script printing gigabytes costs neither memory nor an over-long string.
 */
class Collector {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  private total = 0;
  private file?: WriteStream;
  private fileFailed = false;

  constructor(
    private readonly max = Infinity,
    private readonly spillPath?: string,
  ) {}

  add(chunk: Buffer): void {
    this.total += chunk.length;
    const room = this.max - this.kept;
    if (room > 0) {
      const head = chunk.length <= room ? chunk : chunk.subarray(0, room);
      this.chunks.push(head);
      this.kept += head.length;
      if (head.length === chunk.length) return;
      chunk = chunk.subarray(head.length);
    }
    if (!this.spillPath || this.fileFailed) return;
    if (!this.file) {
      this.file = createWriteStream(this.spillPath);
      this.file.on('error', () => {
        this.fileFailed = true;
      });
    }
    this.file.write(chunk);
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }

  /** Closes the spill file; says what was cut, if anything was. */
  async finish(): Promise<OutputCut | undefined> {
    if (this.total <= this.kept) return undefined;
    const file = this.file;
    if (file) await new Promise<void>((done) => file.end(done));
    return {
      keptBytes: this.kept,
      totalBytes: this.total,
      ...(file && !this.fileFailed && this.spillPath ? { file: this.spillPath } : {}),
    };
  }
}
