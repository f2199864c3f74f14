// Child processes for `run` steps and command agents. Each process leads its own process group so
// that a timeout or abort kills the whole tree (a shell's children included), never leaving anything
// running or spending after the call ended.
import { spawn } from 'node:child_process';

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
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
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
      stdout.push(chunk);
      spec.onData?.('stdout', chunk.toString('utf8'));
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr.push(chunk);
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
      resolve({
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        exitCode,
        signal,
        ended,
        spawnError,
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
