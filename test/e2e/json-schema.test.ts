// JSON Schema support (ajv) loads only when a workflow has a schema (src/workflow/json-schema-support.ts).
// The unit tests preload it; here, through the bundle, nothing does: each place that validates against a
// schema must find it loaded, or the run would fail with an internal error (or, in a replay check, refuse
// a good result).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeServer } from '../fakes/openai-server.js';
import { cli, cliAsync, exited, lastJson, workspace } from './cli-helpers.js';

let server: FakeServer;
beforeAll(async () => {
  server = await startFakeOpenAI();
});
afterAll(async () => {
  await server.close();
});

const workflow = (schema: string, extra = '') => `name: structured
providers:
  fake: { type: openai, base-url: "${server.url}" }
steps:
  - id: triage
    agent:
      provider: fake
      model: gpt-4o-mini
      prompt: "Triage the bug"
      schema: ${schema}
${extra}`;
const SCHEMA = '{ type: object, properties: { severity: { enum: [low, high] } }, required: [severity] }';

describe('JSON Schema support, loaded on demand', () => {
  it('validate reports a schema that is not one, and an ask default its answer refuses', () => {
    const dir = workspace({
      'bad.yml': `name: bad\nsteps:\n  - id: a\n    agent: { provider: openai, model: gpt-4o-mini, prompt: hi, schema: { type: 12 } }\n`,
      'ask.yml': `name: ask\nsteps:\n  - id: ok\n    ask: { question: Ship?, answer: boolean, default: "maybe" }\n`,
    });
    const bad = cli(dir, ['validate', 'bad.yml']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('"schema" is not a valid JSON Schema');
    expect(bad.stderr).not.toContain('internal error');
    const ask = cli(dir, ['validate', 'ask.yml']);
    expect(ask.code).toBe(2);
    expect(ask.stderr).toContain('"default" is not an answer this ask accepts');
  });

  it('checks an answer given with --answer to an ask that declares no schema', () => {
    const dir = workspace({
      'ask.yml': `name: ask\nsteps:\n  - id: ok\n    ask: { question: Ship? }\noutputs:\n  said: \${{ steps.ok.outputs.answer }}\n`,
    });
    const run = cli(dir, ['run', 'ask.yml', '--run-id', 'a', '--answer', 'ok=yes', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(lastJson(run.stdout).outputs).toEqual({ said: 'yes' });
  });

  it('checks a structured answer live, and again when it replays it', async () => {
    const dir = workspace({ 'triage.yml': workflow(SCHEMA) });
    const env = { OPENAI_API_KEY: 'k' };
    const first = cliAsync(dir, ['run', 'triage.yml', '--run-id', 's', '--json'], env);
    const live = await exited(first);
    expect(live.code, live.stderr).toBe(0);
    expect(lastJson(live.stdout).calls).toMatchObject({ live: 1, replayed: 0 });
    const requests = server.requests.length;

    const resumed = await exited(cliAsync(dir, ['run', 'triage.yml', '--resume', 's', '--json'], env));
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(lastJson(resumed.stdout).calls).toMatchObject({ live: 0, replayed: 1 });
    expect(server.requests.length).toBe(requests);
  });
});
