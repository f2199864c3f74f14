// The bundled action with an ask, on the Actions emulator: run A ends `waiting` (the check passes with a
// warning, the summary says how to answer) and uploads its journal; run B, another workflow run started by
// the answer, continues A with `resume-from` and `answers`: it downloads A's artifact through the REST API
// (cross-run `findBy`), replays every finished call (the fake provider sees no finished prompt again) and
// completes, saving under its own run's names.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRunBackendId } from '../emulator/runner-env.js';
import { ActionHarness, NODE24, commands } from './action/harness.js';

let harness: ActionHarness;

beforeAll(async () => {
  harness = await ActionHarness.start();
});

afterAll(async () => {
  await harness?.close();
});

const FILE = '.github/reprise/apply.yml';
const workflow = () => `name: apply
providers:
  fake: { type: openai, base-url: "${harness.openai.url}" }
defaults: { provider: fake, model: gpt-fake, retries: 0 }
steps:
  - id: propose
    agent: { prompt: "[ask-e2e] propose a change" }
  - id: approve
    ask:
      question: "Apply this change? \${{ steps.propose.outputs.text }}"
      answer: boolean
  - id: changelog
    agent: { prompt: "[ask-e2e] write the changelog" }
  - id: apply
    if: steps.approve.outputs.answer
    agent: { prompt: "[ask-e2e] apply: \${{ steps.propose.outputs.text }}" }
outputs:
  approved: \${{ steps.approve.outputs.answer }}
  by: \${{ steps.approve.outputs.answered-by }}
`;

const env = { OPENAI_API_KEY: 'sk-e2e-not-a-real-key' };
const RUN_A = 9101;
const RUN_B = 9202;
const artifactsOf = (runId: number) =>
  harness.emulator.artifacts(defaultRunBackendId(runId)).map((artifact) => artifact.name);

describe('ask in the action', () => {
  it('run A waits; run B resumes A with resume-from and answers, replaying every finished call', async () => {
    const files = { [FILE]: workflow() };
    const a = harness.attempt({
      runId: RUN_A,
      attempt: 1,
      job: 'reprise',
      files,
      inputs: { workflow: FILE },
      env,
      node: NODE24 ?? process.execPath,
    });
    const markA = harness.openai.requests.length;
    const mainA = await a.main();
    expect(mainA.code, mainA.stderr + mainA.stdout).toBe(0); // waiting is not a crash
    const promptsA = harness.requestsSince(markA).map((r) => r.prompt);
    expect(promptsA.sort()).toEqual(['[ask-e2e] propose a change', '[ask-e2e] write the changelog']);
    expect(mainA.outputs.status).toBe('waiting');
    const questions = JSON.parse(mainA.outputs.questions ?? '[]') as Record<string, unknown>[];
    expect(questions).toEqual([
      expect.objectContaining({
        step: 'approve',
        question: 'Apply this change? echo: [ask-e2e] propose a change',
        'answer-schema': { type: 'boolean' },
      }),
    ]);
    expect(commands(mainA.stdout, 'warning').join('\n')).toContain('waiting for input (approve)');
    expect(mainA.summary).toContain(`/reprise answer ${RUN_A} approve VALUE`);
    expect(artifactsOf(RUN_A)).toEqual(['reprise-apply-reprise-attempt-1']);

    // A bad answer (from an untrusted comment) is refused before anything runs or is written.
    const bad = harness.attempt({
      runId: RUN_B,
      attempt: 1,
      job: 'reprise',
      files,
      inputs: {
        workflow: FILE,
        'resume-from': String(RUN_A),
        answers: '{"approve": "yes; rm -rf /"}',
        'github-token': 'ghs_e2e',
      },
      env,
    });
    const refused = await bad.main();
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('is not a valid answer (must be boolean)');
    expect(artifactsOf(RUN_B)).toEqual([]);

    const b = harness.attempt({
      runId: RUN_B,
      attempt: 1,
      job: 'reprise',
      files,
      inputs: {
        workflow: FILE,
        'resume-from': String(RUN_A),
        answers: '{"approve": "true"}',
        'answered-by': 'octocat',
        'github-token': 'ghs_e2e',
      },
      env,
    });
    const markB = harness.openai.requests.length;
    const mainB = await b.main();
    expect(mainB.code, mainB.stderr + mainB.stdout).toBe(0);
    expect(harness.requestsSince(markB).map((r) => r.prompt)).toEqual([
      '[ask-e2e] apply: echo: [ask-e2e] propose a change',
    ]);
    expect(mainB.outputs).toMatchObject({
      status: 'succeeded',
      'calls-replayed': '2',
      'restored-from': `run ${RUN_A}: reprise-apply-reprise-attempt-1`,
    });
    expect(JSON.parse(mainB.outputs.outputs ?? '{}')).toEqual({ approved: true, by: 'octocat' });
    expect(artifactsOf(RUN_B)).toEqual(['reprise-apply-reprise-attempt-1']);
    const rest = harness.emulator.requestLog.filter((entry) => entry.service === 'rest');
    expect(rest.map((entry) => [entry.method.replace(/\d+/g, 'N'), entry.status])).toEqual([
      ['GET /repos/octo-org/octo-repo/actions/runs/N/artifacts', 200],
      ['GET /repos/octo-org/octo-repo/actions/artifacts/N/zip', 200],
    ]);
  });
});
