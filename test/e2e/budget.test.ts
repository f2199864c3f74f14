// Run-wide limits through the CLI: a resumed run counts what its earlier attempts spent, a limit is raised
// only with --limit, inputs merge on resume, and an unpriced cost never reads as 0.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI } from '../fakes/openai-server.js';
import type { FakeServer } from '../fakes/openai-server.js';
import { cli, cliAsync, exited, lastJson, workspace } from './cli-helpers.js';

const WORKFLOW = `
name: budget
inputs:
  topic: { type: string, default: tea }
  token: { type: string, secret: true, required: true }
defaults: { provider: openai, model: gpt-4o-mini, retries: 0 }
limits: { tokens: 50 }
steps:
  - id: each
    for-each: \${{ fromJSON('[1,2,3,4,5,6]') }}
    concurrency: 1
    agent: { prompt: "\${{ inputs.topic }} item \${{ item }}" }
`;

let server: FakeServer;
beforeAll(async () => {
  server = await startFakeOpenAI({ apiKey: 'test-key' });
  server.respond(() => ({ text: 'ok', usage: { input: 10, output: 10 } }));
});
afterAll(async () => {
  await server.close();
});

async function reprise(dir: string, args: string[], env: Record<string, string> = {}) {
  return exited(cliAsync(dir, args, { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: 'test-key', ...env }));
}

describe('run-wide limits across attempts', () => {
  it('attempt 2 replays, spends only what is left, and names both attempts; --limit raises it', async () => {
    const dir = workspace({ 'w.yml': WORKFLOW });
    const first = await reprise(dir, [
      'run',
      'w.yml',
      '--run-id',
      'b',
      '--input',
      'topic=ink',
      '--input',
      'token=s3',
    ]);
    expect(first.code, first.stderr).toBe(1);
    expect(first.stdout).toContain('limits.tokens exceeded: 60 tokens used of 50');
    expect(server.requests).toHaveLength(3);

    // Only the secret is given again: the recorded topic is kept (inputs merge over the recorded ones).
    const second = await reprise(dir, ['run', 'w.yml', '--resume', 'b', '--input', 'token=s3', '--json']);
    expect(second.code, second.stderr).toBe(1);
    const json = lastJson(second.stdout);
    expect(json).toMatchObject({
      calls: { live: 0, replayed: 3 },
      error: 'limits.tokens exceeded: 60 tokens used of 50 (attempt 1: 60, attempt 2: 0)',
      limits: {
        tokens: 50,
        spent: { inputTokens: 30, outputTokens: 30 },
        earlier: { attempts: [1], calls: 3 },
      },
    });
    expect(second.stderr).toContain('limits: tokens 60 / 50 (60 in attempt 1)');
    expect(server.requests).toHaveLength(3);

    const third = await reprise(dir, [
      'run',
      'w.yml',
      '--resume',
      'b',
      '--input',
      'token=s3',
      '--limit',
      'tokens=200',
      '--json',
    ]);
    expect(third.code, third.stderr).toBe(0);
    expect(lastJson(third.stdout)).toMatchObject({ calls: { live: 3, replayed: 3 } });
    expect(server.requests.map((request) => request.prompt)).toEqual(
      [1, 2, 3, 4, 5, 6].map((n) => `ink item ${n}`),
    );
  });

  it('--run-id with --resume is an error, as is an unknown --limit', () => {
    const dir = workspace({ 'w.yml': WORKFLOW });
    const both = cli(dir, ['run', 'w.yml', '--run-id', 'x', '--resume', 'y']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--run-id x and --resume y contradict each other');
    const bad = cli(dir, ['run', 'w.yml', '--limit', 'dollars=3', '--input', 'token=t']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown limit "dollars"');
  });

  it('an unpriced model: validate warns, --json says unknown, never costUsd 0', async () => {
    const unpriced = WORKFLOW.replace('gpt-4o-mini', 'house-model').replace('{ tokens: 50 }', '{ usd: 1 }');
    const dir = workspace({ 'w.yml': unpriced });
    const checked = cli(dir, ['validate', 'w.yml']);
    expect(checked.code).toBe(0);
    expect(checked.stderr).toMatch(
      /w\.yml:\d+:\d+: warning: step "each": model "house-model" has no known price/,
    );
    const failing = cli(
      workspace({ 'w.yml': unpriced.replace('{ usd: 1 }', '{ usd: 1, on-unknown-cost: fail }') }),
      ['validate', 'w.yml'],
    );
    expect(failing.code).toBe(2);

    const ran = await reprise(dir, ['run', 'w.yml', '--input', 'token=t', '--json']);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stderr).toContain('warning: step "each": model "house-model" has no known price');
    const json = lastJson(ran.stdout);
    expect(json['usage']).toMatchObject({ costUsd: null, knownCostUsd: 0, unpricedCalls: 6 });
    expect(ran.stderr).toContain('unknown (6 unpriced calls)');
    // Nothing was replayed, so only the "saved by replay" line may say $0.
    const spentLines = ran.stderr.split('\n').filter((line) => !line.includes('saved by replay'));
    expect(spentLines.join('\n')).not.toMatch(/\$0(?![.\d])/);
  });
});
