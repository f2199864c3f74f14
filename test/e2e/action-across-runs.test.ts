// The bundled action across attempts and runs, on the Actions emulator with a fake OpenAI server: what a
// re-run may spend (limits count every attempt of the run), and what a later run may take from an earlier
// one (`resume-scope: workflow`).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedRequest } from '../fakes/openai-server.js';
import { ActionHarness, NODE24, commands, type StepResult } from './action/harness.js';

let harness: ActionHarness;

beforeAll(async () => {
  harness = await ActionHarness.start();
  // Every answer costs 20 tokens, so a limit trips after a known number of calls.
  harness.openai.respond((request) => ({
    text: `echo: ${request.prompt}`,
    usage: { input: 10, output: 10 },
  }));
});

afterAll(async () => {
  await harness?.close();
});

const NODE = NODE24 ?? process.execPath;
const PROVIDER_ENV = { OPENAI_API_KEY: 'sk-e2e-not-a-real-key' };
const log = (step: StepResult): string => `${step.stderr}\n${step.stdout}`;
const prompts = (requests: RecordedRequest[]): string[] => requests.map((request) => request.prompt);

interface Ran {
  main: StepResult;
  /** Requests the fake provider received during main. */
  requests: RecordedRequest[];
}

/** One job attempt on a fresh runner: main, then post with the state main saved. */
async function jobAttempt(spec: {
  runId: number;
  attempt: number;
  files: Record<string, string>;
  inputs: Record<string, string>;
  env?: Record<string, string>;
  preload?: string[];
}): Promise<Ran> {
  const step = harness.attempt({
    ...spec,
    env: { ...PROVIDER_ENV, ...spec.env },
    node: NODE,
  });
  const mark = harness.openai.requests.length;
  const main = await step.main();
  const requests = harness.requestsSince(mark);
  const post = await step.post(main.state);
  expect(post.code, log(post)).toBe(0);
  return { main, requests };
}

describe('run-wide limits across action attempts', () => {
  const file = '.github/reprise/budget.yml';
  const workflow = `name: budget
providers:
  fake: { type: openai, base-url: "${'URL'}" }
defaults: { provider: fake, model: gpt-4o-mini, retries: 0 }
limits: { tokens: 50 }
steps:
  - id: each
    for-each: \${{ fromJSON('[1,2,3,4,5,6]') }}
    concurrency: 1
    agent: { prompt: "budget item \${{ item }}" }
`;

  it('a re-run replays, may spend only what is left, and names both attempts; `limits:` raises it', async () => {
    const files = { [file]: workflow.replace('URL', harness.openai.url) };
    const leg = { runId: 3101, files, inputs: { workflow: file } };

    const first = await jobAttempt({ ...leg, attempt: 1 });
    expect(first.main.code, log(first.main)).toBe(1);
    expect(prompts(first.requests)).toEqual(['budget item 1', 'budget item 2', 'budget item 3']);
    expect(first.main.outputs).toMatchObject({ status: 'failed', 'calls-live': '3', 'run-tokens': '60' });
    expect(commands(first.main.stdout, 'error').join('\n')).toContain(
      'limits.tokens exceeded: 60 tokens used of 50',
    );

    // "Re-run failed jobs": the same run id, the next attempt, a fresh runner. Nothing of the limit is left.
    const second = await jobAttempt({ ...leg, attempt: 2 });
    expect(second.main.code, log(second.main)).toBe(1);
    expect(second.requests).toEqual([]);
    expect(second.main.outputs).toMatchObject({
      status: 'failed',
      'calls-live': '0',
      'calls-replayed': '3',
      'run-tokens': '60',
      'restored-from': expect.stringMatching(/-3101-1$/),
    });
    expect(commands(second.main.stdout, 'error').join('\n')).toContain(
      'limits.tokens exceeded: 60 tokens used of 50 (attempt 1: 60, attempt 2: 0)',
    );
    expect(second.main.summary).toContain('tokens 60 / 50 (60 in attempt 1)');

    // Raising the limit is an explicit act: the action input, recorded for that attempt only.
    const third = await jobAttempt({ ...leg, attempt: 3, inputs: { ...leg.inputs, limits: 'tokens: 200' } });
    expect(third.main.code, log(third.main)).toBe(0);
    expect(prompts(third.requests)).toEqual(['budget item 4', 'budget item 5', 'budget item 6']);
    expect(third.main.outputs).toMatchObject({
      status: 'succeeded',
      'calls-live': '3',
      'calls-replayed': '3',
      'run-tokens': '120',
    });
  });
});
