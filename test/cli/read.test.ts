// `runs show --calls` and `runs read`: every call with what it asked and answered, secrets redacted.
import { readFileSync, writeFileSync } from 'node:fs';
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

  it('shows the calls an edited re-run no longer reached as earlier; result.json lists those, not every replayed key', async () => {
    const root = scratch({ 'w.yml': WORKFLOW });
    const file = join(root, 'w.yml');
    expect((await cli(root, 'run', file, '--run-id', 'r', '--input', 'token=t')).code).toBe(0);
    const resultPath = join(root, '.reprise/runs/r/result.json');
    // A resume that replays every journaled call keeps an empty list.
    expect((await cli(root, 'run', file, '--resume', 'r', '--input', 'token=t')).code).toBe(0);
    const full = JSON.parse(readFileSync(resultPath, 'utf8')) as Record<string, unknown>;
    expect(full).toMatchObject({ attempt: 2, notReplayedKeys: [] });
    expect(full).not.toHaveProperty('replayedKeys');

    // The prompts change: the explain calls of attempt 1 no longer match, facts still replays.
    writeFileSync(file, WORKFLOW.replace('briefly', 'at length'));
    expect((await cli(root, 'run', file, '--resume', 'r', '--input', 'token=t')).code).toBe(0);
    const statuses = async () => {
      const { out } = await cli(root, 'runs', 'show', 'r', '--calls', '--json');
      return (JSON.parse(out) as { calls: Array<Record<string, unknown>> }).calls
        .filter((row) => row.kind !== 'fail')
        .map(
          (row) =>
            `${String(row.step)}[${String(row.item ?? '')}] ${String(row.attempt)} ${String(row.status)}`,
        )
        .sort(); // items finish in any order
    };
    const edited = JSON.parse(readFileSync(resultPath, 'utf8')) as Record<string, unknown>;
    const explainKeys = (await cli(root, 'runs', 'show', 'r', '--calls', '--json')).out;
    expect(edited['attempt']).toBe(3);
    expect(edited['notReplayedKeys']).toHaveLength(2);
    for (const key of edited['notReplayedKeys'] as string[]) expect(explainKeys).toContain(key);
    expect(await statuses()).toEqual([
      'explain[0] 1 earlier',
      'explain[0] 3 live',
      'explain[1] 1 earlier',
      'explain[1] 3 live',
      'facts[] 1 replayed',
    ]);

    // A result.json written before 0.2 lists the replayed keys instead, and reads the same.
    const { notReplayedKeys: _dropped, ...older } = edited;
    const factsKey = (JSON.parse(explainKeys) as { calls: Array<{ step: string; key: string }> }).calls.find(
      (row) => row.step === 'facts',
    )!.key;
    writeFileSync(resultPath, JSON.stringify({ ...older, replayedKeys: [factsKey] }));
    expect(await statuses()).toContain('facts[] 1 replayed');
    expect(await statuses()).toContain('explain[0] 1 earlier');

    // A result of an earlier attempt (the latest was killed before writing its own) says nothing of it.
    writeFileSync(resultPath, JSON.stringify({ ...edited, attempt: 2 }));
    expect(await statuses()).toContain('facts[] 1 earlier');
  });
});
