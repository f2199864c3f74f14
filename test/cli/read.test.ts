// `runs show --calls` and `runs read`: every call with what it asked and answered, secrets redacted.
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, scratch } from './harness.js';

const AGENT = resolve(import.meta.dirname, '../../examples/agents/tiny-agent.mjs');

const WORKFLOW = `
name: readable
inputs:
  token: { type: string, secret: true }
providers:
  tiny: { type: command, command: node, args: ["${AGENT}"], output: json }
defaults: { provider: tiny, model: tiny-1 }
env: { TINY_AGENT_DELAY_MS: "0" }
steps:
  - id: facts
    run: |
      echo "the token is $TOKEN" >&2
      printf 'one\\ntwo\\n'
    env: { TOKEN: "\${{ inputs.token }}" }
  - id: explain
    for-each: \${{ steps.facts.outputs.lines }}
    agent: { prompt: "Explain \${{ item }} briefly" }
  - id: broken
    continue-on-error: true
    run: |
      echo "about to fail with $TOKEN" >&2
      exit 3
    env: { TOKEN: "\${{ inputs.token }}" }
outputs:
  first: \${{ steps.explain.outputs[0].text }}
`;

describe('reading a run', () => {
  it('--calls lists agent, run and failed calls; runs read gives a transcript; no secret anywhere', async () => {
    const root = scratch({ 'w.yml': WORKFLOW });
    const file = join(root, 'w.yml');
    const first = await cli(root, 'run', file, '--run-id', 'r', '--input', 'token=hunter2-secret');
    expect(first.code).toBe(0);
    const again = await cli(root, 'run', file, '--resume', 'r', '--input', 'token=hunter2-secret');
    expect(again.code).toBe(0);

    const calls = await cli(root, 'runs', 'show', 'r', '--calls', '--json');
    expect(calls.code).toBe(0);
    const rows = (JSON.parse(calls.out) as { calls: Record<string, unknown>[] }).calls;
    const byStep = (step: string) => rows.filter((row) => row.step === step);
    expect(byStep('facts')[0]).toMatchObject({ kind: 'run', attempt: 1, status: 'replayed' });
    expect(byStep('facts')[0]!.request).toContain('echo "the token is $TOKEN"');
    expect(byStep('explain')).toHaveLength(2);
    expect(byStep('explain').find((row) => row.item === 1)).toMatchObject({
      kind: 'agent',
      item: 1,
      model: 'tiny-1',
      status: 'replayed',
    });
    expect(byStep('explain').find((row) => row.item === 1)!.request).toBe('Explain two briefly');
    expect(byStep('explain').find((row) => row.item === 1)!.usage).toMatchObject({
      inputTokens: expect.any(Number),
    });
    // The failing script ran live in both attempts (failures are never replayed).
    expect(byStep('broken').map((row) => [row.kind, row.attempt, row.status])).toEqual([
      ['fail', 1, 'failed'],
      ['fail', 2, 'failed'],
    ]);
    expect(byStep('broken')[0]!.answer).toContain('exited with code 3');

    const table = await cli(root, 'runs', 'show', 'r', '--calls');
    expect(table.out).toMatch(/explain\[1\] +agent +1 +replayed +Explain two briefly/);

    const transcript = await cli(root, 'runs', 'read', 'r');
    expect(transcript.out).toContain('# readable · run r');
    expect(transcript.out).toContain('## explain');
    expect(transcript.out).toContain('> Explain one briefly');
    expect(transcript.out).toMatch(/### \d+\. item 1 · agent · tiny-1 · attempt 1 · replayed/);
    expect(transcript.out).toContain('the token is ***');
    expect(transcript.out).toContain('## Outputs');

    const one = await cli(root, 'runs', 'read', 'r', 'explain', '--max-chars', '5');
    expect(one.out).not.toContain('## facts');
    expect(one.out).toMatch(/more characters; --max-chars to see more/);
    expect((await cli(root, 'runs', 'read', 'r', 'nope')).err).toMatch(/no calls of step "nope"/);

    for (const text of [calls.out, table.out, transcript.out, first.out, first.err]) {
      expect(text).not.toContain('hunter2');
    }
  });
});
