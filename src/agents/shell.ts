// `run` steps: a script in a shell, as GitHub Actions runs them.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CallError } from './types.js';
import {
  DEFAULT_MAX_OUTPUT_BYTES,
  describeOutputCut,
  runProcess,
  type OutputCut,
  type OutputLimit,
} from './process.js';
import { describeSpawnError } from './spawn-errors.js';
import { LineSplitter, withoutCommands } from './workflow-commands.js';

export interface ShellRequest {
  script: string;
  /** bash (default), sh, python, node, or a custom command line with `{0}` for the script file. */
  shell?: string;
  cwd: string;
  env: Record<string, string | undefined>;
  signal: AbortSignal;
  timeoutMs?: number;
  /** A non-zero exit is worth retrying (the step asked for retries). */
  retryOnFailure?: boolean;
  /** Each line of output as it is printed, workflow commands included (for live logs). */
  onLine?: (stream: 'stdout' | 'stderr', line: string) => void;
  /** Bytes of each stream kept in the result (and the journal; default 1 MiB) and where a longer one goes. */
  output?: OutputLimit;
}

export { DEFAULT_MAX_OUTPUT_BYTES };

/**
 * What a `run` call records in the journal; step outputs are derived from it. Workflow-command lines
 * (`::notice::…`, `::add-mask::…`) are messages to the runner, not output: they are left out.
 */
export interface ShellResult {
  stdout: string;
  stderr: string;
  exitCode: number;
  /** Streams that printed more than the cap: only their first bytes are in `stdout` / `stderr`. */
  cut?: { stdout?: OutputCut; stderr?: OutputCut };
}

const BUILTIN_SHELLS: Record<string, string[]> = {
  // The same invocations GitHub Actions uses, so scripts behave identically in both places.
  bash: ['bash', '--noprofile', '--norc', '-eo', 'pipefail', '{0}'],
  sh: ['sh', '-e', '{0}'],
  python: ['python3', '{0}'],
  node: ['node', '{0}'],
  pwsh: ['pwsh', '-command', ". '{0}'"],
};

const TAIL_CHARS = 2000;

export async function runShell(request: ShellRequest): Promise<ShellResult> {
  const template = shellTemplate(request.shell ?? 'bash');
  const dir = await mkdtemp(join(tmpdir(), 'reprise-run-'));
  try {
    const scriptFile = join(dir, 'script');
    await writeFile(scriptFile, request.script, 'utf8');
    const argv = template.map((part) => part.replaceAll('{0}', scriptFile));
    const [command, ...args] = argv as [string, ...string[]];
    const { onLine } = request;
    const splitters = onLine && {
      stdout: new LineSplitter((line) => onLine('stdout', line)),
      stderr: new LineSplitter((line) => onLine('stderr', line)),
    };
    const result = await runProcess({
      command,
      args,
      cwd: request.cwd,
      env: request.env,
      signal: request.signal,
      timeoutMs: request.timeoutMs,
      onData: splitters && ((stream, chunk) => splitters[stream].push(chunk)),
      maxBytes: request.output?.maxBytes,
      spill: request.output?.spill,
      cutEnd: request.output?.cutEnd,
      cleanup: dir,
    });
    splitters?.stdout.flush();
    splitters?.stderr.flush();
    const stdout = withoutCommands(result.stdout);
    const stderr = withoutCommands(result.stderr);
    if (result.spawnError) {
      const why = describeSpawnError(result.spawnError, { command, cwd: request.cwd, env: request.env });
      throw new CallError(`could not start ${command}: ${why}`, 'fatal', {
        cause: result.spawnError,
      });
    }
    if (result.ended === 'aborted') throw new CallError('the script was stopped', 'fatal');
    if (result.ended === 'timeout') {
      throw new CallError(`the script ran longer than its timeout of ${request.timeoutMs} ms`, 'recoverable');
    }
    const exitCode = result.exitCode ?? 128;
    if (exitCode !== 0) {
      const tail = stderr.trim().slice(-TAIL_CHARS) || stdout.trim().slice(-TAIL_CHARS);
      const how = result.signal ? `was killed by ${result.signal}` : `exited with code ${exitCode}`;
      throw new CallError(
        `the script ${how}${tail ? `:\n${tail}` : ''}`,
        request.retryOnFailure ? 'recoverable' : 'fatal',
      );
    }
    return { stdout, stderr, exitCode, ...(result.cut && { cut: result.cut }) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Says what a cut stream lost and where the whole of it is, for a warning. */
export function describeCut(cut: NonNullable<ShellResult['cut']>): string {
  return (['stdout', 'stderr'] as const)
    .flatMap((stream) => (cut[stream] ? [describeOutputCut(stream, cut[stream])] : []))
    .join('; ');
}

export function shellTemplate(shell: string): string[] {
  const builtin = BUILTIN_SHELLS[shell];
  if (builtin) return builtin;
  const parts = shell.trim().split(/\s+/);
  return parts.some((part) => part.includes('{0}')) ? parts : [...parts, '{0}'];
}
