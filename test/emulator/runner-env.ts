// The environment a GitHub-hosted runner gives a JavaScript action step, and the runner's
// file-command formats (GITHUB_OUTPUT, GITHUB_STATE, ...), for tests that run the real
// toolkit in-process or the bundled action as a child process.
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface RunnerEnvOptions {
  runId: number | string;
  attempt: number;
  /** The job id (`jobs.<id>` in the GitHub workflow), as GITHUB_JOB holds it. */
  job: string;
  workspace: string;
  runnerTemp: string;
  /** Defaults to an id derived from runId, so every attempt of a run shares it (as on GitHub). */
  runBackendId?: string;
  /** Defaults to an id derived from runId, attempt and job: each attempt is a new job run. */
  jobBackendId?: string;
  repository?: string;
}

/** A UUID-shaped id that is stable for the same seed. */
export function stableUuid(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export function defaultRunBackendId(runId: number | string): string {
  return stableUuid(`run:${runId}`);
}

export function defaultJobBackendId(runId: number | string, attempt: number, job: string): string {
  return stableUuid(`job:${runId}:${attempt}:${job}`);
}

function base64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

/** An HS256 JWT shaped like ACTIONS_RUNTIME_TOKEN: the artifact client reads `scp`. */
export function signRuntimeToken(secret: string, runBackendId: string, jobBackendId: string): string {
  const now = Math.floor(Date.now() / 1000);
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = base64url(
    JSON.stringify({
      scp: `Actions.ExampleScope Actions.Results:${runBackendId}:${jobBackendId}`,
      iss: 'reprise-actions-emulator',
      nbf: now - 60,
      exp: now + 6 * 3600,
    }),
  );
  const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

export interface RuntimeTokenClaims {
  runBackendId: string;
  jobBackendId: string;
}

/** Verifies a token signed by signRuntimeToken; undefined when it is not one. */
export function verifyRuntimeToken(secret: string, token: string): RuntimeTokenClaims | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [header, payload, signature] = parts as [string, string, string];
  const expected = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  if (signature !== expected) return undefined;
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof claims !== 'object' || claims === null || !('scp' in claims)) return undefined;
  const scp = claims.scp;
  if (typeof scp !== 'string') return undefined;
  for (const scope of scp.split(' ')) {
    const [kind, run, job] = scope.split(':');
    if (kind === 'Actions.Results' && run && job) return { runBackendId: run, jobBackendId: job };
  }
  return undefined;
}

/**
 * Files the runner creates for each step under RUNNER_TEMP/_runner_file_commands, named as
 * the runner names them.
 */
export function createFileCommandFiles(runnerTemp: string): Record<string, string> {
  const dir = join(runnerTemp, '_runner_file_commands');
  mkdirSync(dir, { recursive: true });
  const id = randomUUID();
  const files: Record<string, string> = {
    GITHUB_OUTPUT: join(dir, `set_output_${id}`),
    GITHUB_STATE: join(dir, `save_state_${id}`),
    GITHUB_STEP_SUMMARY: join(dir, `step_summary_${id}`),
    GITHUB_ENV: join(dir, `set_env_${id}`),
    GITHUB_PATH: join(dir, `add_path_${id}`),
  };
  for (const file of Object.values(files)) writeFileSync(file, '');
  return files;
}

/**
 * The runner's environment for one step. ACTIONS_RESULTS_URL and GITHUB_API_URL point at the emulator.
 */
export function buildRunnerEnv(
  resultsUrl: string,
  tokenSecret: string,
  opts: RunnerEnvOptions,
): Record<string, string> {
  const runBackendId = opts.runBackendId ?? defaultRunBackendId(opts.runId);
  const jobBackendId = opts.jobBackendId ?? defaultJobBackendId(opts.runId, opts.attempt, opts.job);
  mkdirSync(opts.runnerTemp, { recursive: true });
  mkdirSync(opts.workspace, { recursive: true });
  const eventPath = join(opts.runnerTemp, '_github_workflow', 'event.json');
  mkdirSync(join(opts.runnerTemp, '_github_workflow'), { recursive: true });
  writeFileSync(eventPath, '{}\n');
  const repository = opts.repository ?? 'octo-org/octo-repo';
  // The emulator serves the two REST endpoints of a cross-run artifact download there; any other
  // REST call gets a 404, so an accidental one fails fast instead of leaving the machine.
  const apiUrl = new URL('/_emulator/api', resultsUrl).href;
  return {
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    ACTIONS_CACHE_SERVICE_V2: '1',
    ACTIONS_RESULTS_URL: resultsUrl,
    ACTIONS_RUNTIME_TOKEN: signRuntimeToken(tokenSecret, runBackendId, jobBackendId),
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: apiUrl,
    GITHUB_GRAPHQL_URL: apiUrl,
    GITHUB_RUN_ID: String(opts.runId),
    GITHUB_RUN_NUMBER: '1',
    GITHUB_RUN_ATTEMPT: String(opts.attempt),
    GITHUB_JOB: opts.job,
    GITHUB_REPOSITORY: repository,
    GITHUB_REPOSITORY_OWNER: repository.split('/')[0] ?? repository,
    GITHUB_WORKFLOW: 'emulated',
    GITHUB_EVENT_NAME: 'workflow_dispatch',
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REF: 'refs/heads/main',
    GITHUB_SHA: '0000000000000000000000000000000000000000',
    GITHUB_WORKSPACE: opts.workspace,
    RUNNER_TEMP: opts.runnerTemp,
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    RUNNER_NAME: 'reprise-emulated-runner',
    ...createFileCommandFiles(opts.runnerTemp),
  };
}

/** `INPUT_*` variables as @actions/core's getInput reads them: spaces → `_`, uppercased. */
export function inputEnv(inputs: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(inputs).map(([name, value]) => [`INPUT_${name.replace(/ /g, '_').toUpperCase()}`, value]),
  );
}

/** `STATE_*` variables the runner gives the post step, from what main saved. */
export function stateEnv(state: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(state).map(([name, value]) => [`STATE_${name}`, value]));
}

/**
 * Parses a file-command file: `name<<delimiter` heredocs (what @actions/core writes) and
 * single-line `name=value`. Later values win, as on the runner.
 */
export function parseFileCommands(text: string): Record<string, string> {
  const lines = text.split(/\r?\n/);
  const result: Record<string, string> = {};
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line === '') continue;
    const heredoc = /^([^=]+?)<<(.+)$/.exec(line);
    const eq = line.indexOf('=');
    if (heredoc) {
      const name = heredoc[1] ?? '';
      const delimiter = heredoc[2] ?? '';
      const value: string[] = [];
      i++;
      while (i < lines.length && lines[i] !== delimiter) value.push(lines[i++] ?? '');
      if (i >= lines.length) throw new Error(`Unterminated heredoc for ${name} (delimiter ${delimiter})`);
      result[name] = value.join('\n');
    } else if (eq > 0) {
      result[line.slice(0, eq)] = line.slice(eq + 1);
    } else {
      throw new Error(`Invalid file-command line: ${JSON.stringify(line)}`);
    }
  }
  return result;
}

export function readStateFile(path: string): Record<string, string> {
  return parseFileCommands(readFileSync(path, 'utf8'));
}

export function readOutputFile(path: string): Record<string, string> {
  return parseFileCommands(readFileSync(path, 'utf8'));
}

const RUNNER_VARIABLE = /^(ACTIONS_|GITHUB_|RUNNER_|INPUT_|STATE_)/;

/**
 * Replaces every runner variable of this process (including ones a real runner left, when
 * the tests themselves run on GitHub Actions) with `env`. The toolkit reads process.env at
 * call time, so set this around the calls. Returns a function that puts everything back.
 */
export function applyRunnerEnv(env: Record<string, string>): () => void {
  const saved = { ...process.env };
  for (const name of Object.keys(process.env)) {
    if (RUNNER_VARIABLE.test(name)) delete process.env[name];
  }
  Object.assign(process.env, env);
  return () => {
    for (const name of Object.keys(process.env)) {
      if (!(name in saved)) delete process.env[name];
    }
    Object.assign(process.env, saved);
  };
}
