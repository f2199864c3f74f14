// Command tools: a script the workflow author wrote, run once per tool call. The arguments reach it as
// data only: JSON on stdin, the same JSON in TOOL_INPUT, and TOOL_INPUT_<NAME> per top-level argument.
// They are never spliced into the script or a command line. A value too long for one environment string
// is left out of the environment (the model may send anything; the tool must still start): stdin always
// carries the whole JSON.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeOutputCut, runProcess } from '../process.js';
import { describeSpawnError } from '../spawn-errors.js';
import { shellTemplate } from '../shell.js';
import type { ToolOutcome } from '../types.js';
import { toolError, type Tool, type ToolContext } from './types.js';

export const DEFAULT_TOOL_TIMEOUT_MS = 5 * 60_000;
const TAIL_CHARS = 4000;

export interface CommandToolSpec {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
  run: string;
  shell?: string;
  /** Declared env, resolved; added on top of the inherited environment. */
  env: Record<string, string>;
  /** Env names left out of the key (credentials). */
  keyEnv: Record<string, string>;
  timeoutMs?: number;
  /** Declared `reuse: true`: its results depend on its arguments alone (reusable across runs). */
  reuse?: boolean;
}

/** `TOOL_INPUT_<NAME>`: the argument's name upper-cased, anything but letters and digits as `_`. */
export function argumentEnvName(name: string): string {
  return `TOOL_INPUT_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** Linux's limit on one `NAME=value` environment string (MAX_ARG_STRLEN, with its NUL): longer fails E2BIG. */
const MAX_ENV_STRING_BYTES = 131_072 - 1;
/**
 * What the arguments may add to the environment in all: the system's limit on arguments plus environment
 * (ARG_MAX, 2 MiB on Linux by default) must still hold the inherited environment.
 */
const MAX_ARGUMENT_ENV_BYTES = 1024 * 1024;

export function argumentEnv(args: Record<string, unknown>): Record<string, string> {
  const env: Record<string, string> = {};
  let total = 0;
  const add = (name: string, value: string) => {
    const bytes = Buffer.byteLength(name) + 2 + Buffer.byteLength(value);
    // A NUL cannot be in an environment string either; such a value arrives on stdin (JSON-escaped) only.
    if (bytes > MAX_ENV_STRING_BYTES || total + bytes > MAX_ARGUMENT_ENV_BYTES || value.includes('\0'))
      return;
    env[name] = value;
    total += bytes;
  };
  add('TOOL_INPUT', JSON.stringify(args));
  for (const [name, value] of Object.entries(args)) {
    add(argumentEnvName(name), typeof value === 'string' ? value : JSON.stringify(value));
  }
  return env;
}

export function commandTool(spec: CommandToolSpec): Tool {
  const timeoutMs = spec.timeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS;
  return {
    spec: { name: spec.name, description: spec.description, parameters: spec.parameters },
    identity: {
      type: 'command',
      name: spec.name,
      run: spec.run,
      shell: spec.shell ?? 'bash',
      env: spec.keyEnv,
    },
    async invoke(args: Record<string, unknown>, context: ToolContext): Promise<ToolOutcome> {
      const dir = await mkdtemp(join(tmpdir(), 'reprise-tool-'));
      try {
        const scriptFile = join(dir, 'script');
        await writeFile(scriptFile, spec.run, 'utf8');
        const [command, ...rest] = shellTemplate(spec.shell ?? 'bash').map((part) =>
          part.replaceAll('{0}', scriptFile),
        ) as [string, ...string[]];
        const env = { ...context.env, ...spec.env, ...argumentEnv(args) };
        const result = await runProcess({
          command,
          args: rest,
          cwd: context.workspace,
          env,
          input: JSON.stringify(args),
          signal: context.signal,
          timeoutMs,
          maxBytes: context.output?.maxBytes,
          spill: context.output?.spill,
          cutEnd: context.output?.cutEnd,
          cleanup: dir,
        });
        if (result.ended === 'aborted') throw new Error(`tool "${spec.name}" was stopped`);
        if (result.spawnError) {
          const why = describeSpawnError(result.spawnError, { command, cwd: context.workspace, env });
          return toolError(`could not start ${command}: ${why}`);
        }
        if (result.ended === 'timeout') {
          return toolError(
            `tool "${spec.name}" ran longer than its timeout of ${timeoutMs} ms and was stopped`,
          );
        }
        if (result.exitCode !== 0) {
          const how = result.signal
            ? `was killed by ${result.signal}`
            : `exited with code ${result.exitCode}`;
          const output = [result.stdout.trim(), result.stderr.trim()].filter(Boolean).join('\n');
          return toolError(`tool "${spec.name}" ${how}${output ? `:\n${output.slice(-TAIL_CHARS)}` : ''}`);
        }
        const cut = result.cut?.stdout;
        if (!cut) return { content: result.stdout, isError: false };
        // The model sees what was kept, and first that it is not all (a result limit cuts the end).
        return {
          content: `[reprise: ${describeOutputCut('stdout', cut)}]\n${result.stdout}`,
          isError: false,
        };
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
