// The action's main on its error paths, with an injected host: every exit path writes the job summary
// (saying what went wrong) and `status=failed`, and each failure gives exactly one `::error`.
import {
  existsSync,
  mkdtempSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ActionHost, Annotation } from '../../src/action/host.js';
import { runMain } from '../../src/action/main.js';

interface Recorded {
  host: ActionHost;
  /** What main saved for post. */
  state: Record<string, string>;
  /** Every `::error` the step would print: host.error and host.setFailed alike. */
  errors: { message: string; annotation?: Annotation }[];
  outputs: Record<string, string>;
  summary: string;
  failed: boolean;
}

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'reprise-action-main-'));
  mkdirSync(join(dir, 'workspace', '.github', 'reprise'), { recursive: true });
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function host(inputs: Record<string, string>, env: Record<string, string> = {}): Recorded {
  const recorded: Omit<Recorded, 'host'> = { state: {}, errors: [], outputs: {}, summary: '', failed: false };
  const actionHost: ActionHost = {
    env: {
      PATH: process.env.PATH,
      GITHUB_WORKSPACE: join(dir, 'workspace'),
      RUNNER_TEMP: join(dir, 'temp'),
      GITHUB_RUN_ID: '4242',
      GITHUB_JOB: 'test',
      ...env,
    },
    getInput: (name, required) => {
      const value = { cache: 'false', artifacts: 'false', ...inputs }[name] ?? '';
      if (required && !value) throw new Error(`Input required and not supplied: ${name}`);
      return value;
    },
    setOutput: (name, value) => {
      recorded.outputs[name] = String(value);
    },
    setFailed: (message) => {
      recorded.failed = true;
      recorded.errors.push({ message });
    },
    markFailed: () => {
      recorded.failed = true;
    },
    info: () => {},
    warning: () => {},
    error: (message, annotation) => {
      recorded.errors.push({ message, annotation });
    },
    startGroup: () => {},
    endGroup: () => {},
    setSecret: () => {},
    saveState: (name, value) => {
      recorded.state[name] = String(value);
    },
    getState: () => '',
    writeSummary: async (markdown) => {
      recorded.summary += markdown;
    },
  };
  return Object.assign(recorded, { host: actionHost });
}

function workflow(name: string, text: string): string {
  writeFileSync(join(dir, 'workspace', '.github', 'reprise', name), text);
  return `.github/reprise/${name}`;
}

describe('the action main on its error paths', () => {
  it('an invalid workflow: one annotation per problem, no generic one, a summary and status=failed', async () => {
    const file = workflow(
      'broken.yml',
      'name: broken\nsteps:\n  - id: later\n    retries: three\n    run: echo later\n',
    );
    const run = host({ workflow: file });
    await runMain(run.host);
    expect(run.failed).toBe(true);
    expect(run.outputs.status).toBe('failed');
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]!.annotation).toMatchObject({ file, startLine: 4 });
    expect(run.errors[0]!.message).toContain('retries');
    expect(run.summary).toContain('reprise: .github/reprise/broken.yml failed');
    expect(run.summary).toContain('retries');
  });

  it('invalid inputs: one ::error, a summary naming the input, status=failed', async () => {
    const file = workflow(
      'needs.yml',
      'name: needs\ninputs:\n  topic: { type: string, required: true }\nsteps:\n' +
        '  - id: say\n    env: { TOPIC: "${{ inputs.topic }}" }\n    run: echo "$TOPIC"\n',
    );
    const run = host({ workflow: file, inputs: 'topci: x' });
    await runMain(run.host);
    expect(run.failed).toBe(true);
    expect(run.outputs.status).toBe('failed');
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]!.message).toContain('invalid inputs');
    expect(run.summary).toContain('reprise: needs failed');
    expect(run.summary).toContain('topic');
    expect(run.summary).toContain('Nothing was run');
  });

  it('a bad action input: one ::error, a summary saying which input, status=failed', async () => {
    const file = workflow('ok.yml', 'name: ok\nsteps:\n  - id: say\n    run: echo hi\n');
    const run = host({ workflow: file, concurrency: 'zero' });
    await runMain(run.host);
    expect(run.failed).toBe(true);
    expect(run.outputs.status).toBe('failed');
    expect(run.errors).toEqual([{ message: expect.stringContaining('input "concurrency"') }]);
    expect(run.summary).toContain('input "concurrency" must be a whole number');
  });

  it('a reuse-max-age that is no duration: one ::error naming the input, nothing runs', async () => {
    const file = workflow('ok.yml', 'name: ok\nsteps:\n  - id: say\n    run: echo hi\n');
    const run = host({ workflow: file, 'resume-scope': 'workflow', 'reuse-max-age': 'a week' });
    await runMain(run.host);
    expect(run.outputs.status).toBe('failed');
    expect(run.errors).toEqual([{ message: expect.stringContaining('input "reuse-max-age"') }]);
    expect(run.summary).toContain('must be a duration such as 10d, 36h or 0; got "a week"');
  });

  it('a missing workflow input: the same (summary, status=failed, one ::error)', async () => {
    const run = host({});
    await runMain(run.host);
    expect(run.outputs.status).toBe('failed');
    expect(run.errors).toHaveLength(1);
    expect(run.summary).toContain('Input required and not supplied: workflow');
  });

  it('a failed step: its own ::error only, no generic one on top', async () => {
    const file = workflow('fails.yml', 'name: fails\nsteps:\n  - id: boom\n    run: exit 3\n');
    const run = host({ workflow: file });
    await runMain(run.host);
    expect(run.failed).toBe(true);
    expect(run.outputs.status).toBe('failed');
    expect(run.errors).toHaveLength(1);
    expect(run.summary).toContain('reprise: fails failed');
  });

  it('a provider without its key: the preflight says how to pass the secret, nothing runs', async () => {
    const file = workflow(
      'keyless.yml',
      'name: keyless\nproviders:\n  ai: { type: openai }\ndefaults: { provider: ai, model: gpt-fake }\n' +
        'steps:\n  - id: touch\n    run: touch ran.txt\n  - id: think\n    agent: { prompt: hello }\n',
    );
    const run = host({ workflow: file });
    await runMain(run.host);
    expect(run.outputs.status).toBe('failed');
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]!.message).toContain('${{ secrets.OPENAI_API_KEY }}');
    expect(run.summary).toContain('OPENAI_API_KEY is not set');
    // Decided once a journal could have been restored (there is none): nothing ran, post has nothing to save.
    expect(existsSync(join(dir, 'workspace', 'ran.txt'))).toBe(false);
    expect(run.state.journal).toBe('');
  });
});

describe('the action main on a long output', () => {
  it('spills a run step past the cap, redacted, into its run directory, and the warning names the file', async () => {
    const file = workflow(
      'flood.yml',
      'name: flood\nsteps:\n  - id: flood\n' +
        '    run: |\n      for i in $(seq 1200); do printf \'%0996d%s\' 0 "$MY_TOKEN"; done\n',
    );
    const warnings: string[] = [];
    const run = host({ workflow: file }, { MY_TOKEN: 'tok-0123456789' });
    run.host.warning = (message) => warnings.push(message);
    await runMain(run.host);
    expect(run.outputs.status).toBe('succeeded');
    const spilled = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((name) =>
      basename(name).startsWith('output-'),
    );
    expect(spilled).toHaveLength(1);
    const text = readFileSync(join(dir, spilled[0]!), 'utf8');
    expect(text).not.toContain('tok-0123456789');
    expect(text.split('***')).toHaveLength(1201);
    expect(warnings.join('\n')).toContain(`(all of it is in ${join(dir, spilled[0]!)})`);
  });
});
