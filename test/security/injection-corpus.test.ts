// Injection payloads through every route a value reaches a run step, for each shell: the value is
// printed verbatim (it arrives as data, through env) and no marker file ever appears.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadWorkflowText } from '../../src/workflow/loader.js';
import { load, run } from '../engine/harness.js';
import { SHELLS, injectionPayloads } from './payloads.js';

const dir = mkdtempSync(join(tmpdir(), 'reprise-inject-'));
const MARKER = join(dir, 'pwned');
const m = MARKER;
const PAYLOADS = injectionPayloads(MARKER);

/** Interpreters that start slowly (python) get every third payload, to keep the suite fast. */
function payloadsFor(shell: string): string[] {
  return shell === 'python' || shell === 'pwsh' ? PAYLOADS.filter((_, i) => i % 3 === 0) : PAYLOADS;
}

function workflowFor(shell: string, print: string): string {
  const step = (id: string, forEach: string) => `
  - id: ${id}
    for-each: ${forEach}
    shell: ${shell}
    env: { V: "\${{ item }}" }
    run: '${print.replaceAll("'", "''")}'`;
  return `
name: corpus
inputs:
  payloads: { type: array }
env:
  FIRST: \${{ inputs.payloads[0] }}
steps:
  - id: gen
    env: { ALL: "\${{ toJSON(inputs.payloads) }}" }
    run: printf '%s' "$ALL"
  - id: ask
    for-each: \${{ inputs.payloads }}
    agent: { prompt: "\${{ item }}", model: m, provider: openai }
${step('from_input', '${{ inputs.payloads }}')}
${step('from_output', '${{ fromJSON(steps.gen.outputs.stdout) }}')}
${step('from_answer', '${{ steps.ask.outputs.*.text }}')}
  - id: from_workflow_env
    shell: ${shell}
    env: { V: "\${{ env.FIRST }}" }
    run: '${print.replaceAll("'", "''")}'
outputs:
  input: \${{ steps.from_input.outputs.*.stdout }}
  output: \${{ steps.from_output.outputs.*.stdout }}
  answer: \${{ steps.from_answer.outputs.*.stdout }}
  first: \${{ steps.from_workflow_env.outputs.stdout }}
`;
}

describe('injection corpus', () => {
  it('has at least 30 payloads', () => expect(PAYLOADS.length).toBeGreaterThanOrEqual(30));

  it.each(SHELLS)(
    '$shell: every route prints every payload verbatim, nothing runs',
    async ({ shell, print }) => {
      const result = await run(load(workflowFor(shell, print)), {
        workspace: dir,
        inputs: { payloads: payloadsFor(shell) },
        // The agent answers with the payload it was given: a steered model.
        agent: (request) => ({
          text: request.prompt,
          model: 'm',
          usage: { inputTokens: 1, outputTokens: 1, cachedInputTokens: 0, costUsd: 0 },
        }),
      });
      expect(result.error).toBeUndefined();
      for (const route of ['input', 'output', 'answer'] as const)
        expect(result.outputs[route]).toEqual(payloadsFor(shell));
      expect(result.outputs.first).toBe(PAYLOADS[0]);
      expect(existsSync(MARKER)).toBe(false);
    },
    180_000,
  );

  it('lines of a step output are items too', async () => {
    const single = PAYLOADS.filter((p) => !/[\r\n]/.test(p) && p.trim() === p && p.length < 1000);
    const result = await run(
      load(`
name: lines
inputs:
  payloads: { type: array }
steps:
  - id: gen
    env: { ALL: "\${{ join(inputs.payloads, '\\n') }}" }
    run: printf '%s\\n' "$ALL"
  - id: each
    for-each: \${{ steps.gen.outputs.lines }}
    env: { V: "\${{ item }}" }
    run: printf '%s' "$V"
outputs:
  got: \${{ steps.each.outputs.*.stdout }}
`),
      { workspace: dir, inputs: { payloads: single } },
    );
    expect(result.outputs.got).toEqual(single);
    expect(existsSync(MARKER)).toBe(false);
  });

  it.each(['inputs.v', 'item', 'steps.gen.outputs.stdout', 'github.event.inputs.v', 'env.V'])(
    'splicing ${{ %s }} into run text fails validate with the env: fix',
    (expr) => {
      const text = `name: x\ninputs:\n  v: { type: string }\nsteps:\n  - id: gen\n    run: echo\n  - id: s\n    for-each: [1]\n    run: echo \${{ ${expr} }}\n`;
      const problems = loadWorkflowText(text, 'x.yml').problems.map((p) => p.message);
      expect(problems.some((p) => p.includes('would be parsed as code'))).toBe(true);
    },
  );

  it('a payload as working-directory is confined to the workspace', async () => {
    const result = await run(
      load(`
name: wd
inputs:
  payloads: { type: array }
steps:
  - id: each
    for-each: \${{ inputs.payloads }}
    working-directory: \${{ item }}
    run: pwd
`),
      { workspace: dir, inputs: { payloads: ['../..', '/', `$(touch ${m})/../../..`] } },
    );
    expect(result.status).toBe('failed');
    expect(result.error).toContain('resolves outside the workspace');
    expect(existsSync(MARKER)).toBe(false);
  });
});
