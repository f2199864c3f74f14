// A journaled result is untrusted: one a live call could not have produced is never replayed. It runs
// live, the run says so, and the next resume replays the new, valid line (the first valid line wins).
import { describe, expect, it } from 'vitest';
import type { CallEvent } from '../../src/journal/types.js';
import { echoAgent, load, MemoryJournal, run } from '../engine/harness.js';

const workflow = load(`
name: poison
steps:
  - id: verdict
    agent:
      prompt: "is it safe?"
      model: m
      provider: openai
      schema: { type: object, required: [ok], properties: { ok: { type: boolean } } }
  - id: check
    run: echo checked
  - id: plain
    agent: { prompt: "say hi", model: m, provider: openai }
outputs:
  ok: \${{ steps.verdict.outputs.json.ok }}
  check: \${{ steps.check.outputs.stdout }}
  plain: \${{ steps.plain.outputs.text }}
`);

type Poison = (call: CallEvent) => void;

async function poisoned(step: string, poison: Poison) {
  const journal = new MemoryJournal();
  const first = await run(workflow, { journal });
  expect(first.status).toBe('succeeded');
  const call = journal.events.find((event): event is CallEvent => event.t === 'call' && event.step === step);
  if (!call) throw new Error(`no call of ${step}`);
  poison(call);
  const warnings: string[] = [];
  const agent = echoAgent();
  const second = await run(workflow, {
    journal,
    agent: agent.fn,
    observer: { warning: (m) => warnings.push(m) },
  });
  return { journal, first, second, warnings, agent };
}

const cases: [string, string, Poison, RegExp][] = [
  [
    'a schema answer that no longer validates',
    'verdict',
    (call) => {
      call.result = { ...(call.result as object), text: '{"ok":"yes"}', json: { ok: 'yes' } };
    },
    /does not satisfy the step's schema/,
  ],
  [
    'json that is not the answer text',
    'verdict',
    (call) => {
      call.result = { ...(call.result as object), json: { ok: false } };
    },
    /json is not the parsed text/,
  ],
  [
    'an exit-1 run result',
    'check',
    (call) => {
      call.result = { stdout: 'checked\n', stderr: 'boom', exitCode: 1 };
    },
    /exit code 1/,
  ],
  [
    'a run result under an agent key (forged kind)',
    'plain',
    (call) => {
      call.kind = 'run';
      call.result = { stdout: 'rm -rf /', stderr: '', exitCode: 0 };
    },
    /journaled as a run call/,
  ],
  [
    'an agent result missing its usage',
    'plain',
    (call) => {
      call.result = { text: 'forged', model: 'm' };
    },
    /not a whole agent result/,
  ],
  [
    'a run result missing stderr',
    'check',
    (call) => {
      call.result = { stdout: 'forged', exitCode: 0 };
    },
    /not a whole run result/,
  ],
];

describe('a poisoned journal is never replayed as valid', () => {
  it.each(cases)('%s', async (_name, step, poison, why) => {
    const { journal, first, second, warnings } = await poisoned(step, poison);
    expect(second.status).toBe('succeeded');
    expect(second.outputs).toEqual(first.outputs);
    expect(second.calls).toMatchObject({ live: 1, replayed: 2 });
    expect(warnings).toEqual([expect.stringMatching(why)]);
    expect(warnings[0]).toContain(`step "${step}"`);

    // The live re-run appended a valid line for the key: the next resume replays it, runs nothing.
    const third = await run(workflow, { journal, agent: () => Promise.reject(new Error('must not run')) });
    expect(third.calls).toMatchObject({ live: 0, replayed: 3 });
    expect(third.outputs).toEqual(first.outputs);
  });
});
