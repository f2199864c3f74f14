// Ask steps: a run waits for a person's answer, runs everything that does not depend on it, and a later
// attempt continues with the answer, replaying every finished call.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblem, loadWorkflowFile } from '../../src/workflow/loader.js';
import { checkGivenAnswers } from '../../src/engine/ask.js';
import type { AnswerEvent, Question } from '../../src/journal/types.js';
import { MemoryJournal, echoAgent, load, run } from './harness.js';

const APPLY = load(`
name: apply
steps:
  - id: draft
    agent: { prompt: "propose a change", model: m, provider: openai }
  - id: approve
    ask:
      question: "Apply this? \${{ steps.draft.outputs.text }}"
      answer: boolean
  - id: unrelated
    agent: { prompt: "write the changelog", model: m, provider: openai }
  - id: apply
    if: steps.approve.outputs.answer
    run: echo "applying"
  - id: report
    run: echo "$ANSWER by $WHO"
    env:
      ANSWER: \${{ steps.approve.outputs.answer }}
      WHO: \${{ steps.approve.outputs.answered-by }}
outputs:
  approved: \${{ steps.approve.outputs.answer }}
`);

function answer(journal: MemoryJournal, question: Question, value: unknown, by?: string): void {
  const event: AnswerEvent = {
    t: 'answer',
    key: question.key,
    step: question.step,
    ...(question.item !== undefined ? { item: question.item } : {}),
    value,
    ...(by ? { by } : {}),
    at: '2026-12-04T06:00:00.000Z',
  };
  journal.append(event);
}

describe('an unanswered ask', () => {
  it('ends the run waiting with its question; independent steps run, dependent steps wait', async () => {
    const agent = echoAgent();
    const result = await run(APPLY, { agent: agent.fn });
    expect(result.status).toBe('waiting');
    expect(result.error).toBeUndefined();
    expect(result.questions).toEqual([
      {
        step: 'approve',
        key: expect.stringMatching(/^sha256:/),
        question: 'Apply this? answer(propose a change)',
        answerSchema: { type: 'boolean' },
      },
    ]);
    expect(agent.prompts.sort()).toEqual(['propose a change', 'write the changelog']);
    const status = Object.fromEntries(result.steps.map((step) => [step.id, step.status]));
    expect(status).toEqual({
      draft: 'succeeded',
      approve: 'waiting',
      unrelated: 'succeeded',
      apply: 'waiting',
      report: 'waiting',
    });
    const end = result.journal.events.at(-1);
    expect(end).toMatchObject({ t: 'end', status: 'waiting', questions: result.questions });
  });

  it('false is an answer: the next attempt replays every finished call and takes it', async () => {
    const agent = echoAgent();
    const journal = new MemoryJournal();
    const first = await run(APPLY, { agent: agent.fn, journal });
    answer(journal, first.questions[0]!, false, 'octocat');
    const second = await run(APPLY, { agent: agent.fn, journal });
    expect(second.status).toBe('succeeded');
    expect(second.outputs).toEqual({ approved: false });
    expect(agent.prompts).toHaveLength(2); // nothing asked of the model again
    expect(second.calls).toMatchObject({ replayed: 2, live: 2 }); // the ask and `report`
    const status = Object.fromEntries(second.steps.map((step) => [step.id, step.status]));
    expect(status.apply).toBe('skipped');
    const report = second.journal.events.find((e) => e.t === 'call' && e.step === 'report');
    expect(report).toMatchObject({ result: { stdout: 'false by octocat\n' } });
    const ask = second.journal.events.find((e) => e.t === 'call' && e.kind === 'ask');
    expect(ask).toMatchObject({ result: { answer: false, 'answered-by': 'octocat' } });

    // The answered ask is itself a journaled call: a third attempt replays it too.
    const third = await run(APPLY, { agent: agent.fn, journal });
    expect(third.status).toBe('succeeded');
    expect(third.calls.live).toBe(0);
  });

  it('asks a changed question again: an answer is bound to the question it answered', async () => {
    const journal = new MemoryJournal();
    const first = await run(APPLY, { journal });
    answer(journal, first.questions[0]!, true);
    const edited = load(
      JSON.stringify({
        name: 'apply',
        steps: [
          { id: 'draft', agent: { prompt: 'propose a smaller change', model: 'm', provider: 'openai' } },
          {
            id: 'approve',
            ask: { question: 'Apply this? ${{ steps.draft.outputs.text }}', answer: 'boolean' },
          },
        ],
      }),
    );
    const second = await run(edited, { journal });
    expect(second.status).toBe('waiting');
    expect(second.questions.map((q) => q.question)).toEqual(['Apply this? answer(propose a smaller change)']);
  });

  it('ignores a journaled answer that does not fit the schema, and asks again', async () => {
    const journal = new MemoryJournal();
    const warnings: string[] = [];
    const first = await run(APPLY, { journal });
    answer(journal, first.questions[0]!, 'yes please');
    const second = await run(APPLY, { journal, observer: { warning: (m) => warnings.push(m) } });
    expect(second.status).toBe('waiting');
    expect(warnings.join('\n')).toMatch(/journaled answer to step "approve" is not valid/);
  });
});

describe('asks in fan-outs and parallel groups', () => {
  const PER_ITEM = load(`
name: per-item
steps:
  - id: pick
    for-each: [red, green]
    ask:
      question: "Keep \${{ item }}?"
      answer: { options: [keep, drop] }
outputs:
  picks: \${{ toJSON(steps.pick.outputs.*.answer) }}
`);

  it('asks once per item and waits until every item is answered', async () => {
    const journal = new MemoryJournal();
    const first = await run(PER_ITEM, { journal });
    expect(first.questions.map((q) => [q.item, q.question])).toEqual([
      [0, 'Keep red?'],
      [1, 'Keep green?'],
    ]);
    answer(journal, first.questions[1]!, 'drop');
    const second = await run(PER_ITEM, { journal });
    expect(second.status).toBe('waiting');
    expect(second.questions.map((q) => q.item)).toEqual([0]);
    answer(journal, second.questions[0]!, 'keep');
    const third = await run(PER_ITEM, { journal });
    expect(third.status).toBe('succeeded');
    expect(third.outputs).toEqual({ picks: '[\n  "keep",\n  "drop"\n]' });
  });

  it('reports two independent asks at once, and a branch that reads neither still runs', async () => {
    const agent = echoAgent();
    const workflow = load(`
name: two
steps:
  - id: both
    parallel:
      - id: title
        ask: { question: "Title?", answer: string }
      - id: size
        ask: { question: "How many?", answer: integer }
      - id: other
        agent: { prompt: "independent work", model: m, provider: openai }
  - id: after
    if: always()
    agent: { prompt: "does not read the asks", model: m, provider: openai }
  - id: use
    agent: { prompt: "\${{ steps.title.outputs.answer }} x\${{ steps.size.outputs.answer }}", model: m, provider: openai }
`);
    const journal = new MemoryJournal();
    const first = await run(workflow, { agent: agent.fn, journal });
    expect(first.status).toBe('waiting');
    expect(first.questions.map((q) => q.step)).toEqual(['title', 'size']);
    expect(agent.prompts.sort()).toEqual(['does not read the asks', 'independent work']);
    answer(journal, first.questions[0]!, '');
    answer(journal, first.questions[1]!, 0);
    const second = await run(workflow, { agent: agent.fn, journal });
    expect(second.status).toBe('succeeded');
    expect(agent.prompts.slice(2)).toEqual([' x0']); // "" and 0 are answers
  });
});

describe('answers given to an attempt', () => {
  it('answers by step id, and takes defaults when the run may not wait', async () => {
    const workflow = load(`
name: given
steps:
  - id: approve
    ask: { question: "Ship?", answer: boolean, default: false }
  - id: note
    ask: { question: "Note?" }
outputs:
  approve: \${{ steps.approve.outputs.answer }}
  note: \${{ steps.note.outputs.answer }}
`);
    const checked = checkGivenAnswers(workflow, [
      { target: 'note', value: 'hello', fromText: true, by: 'me' },
    ]);
    expect(checked.problems).toEqual([]);
    const result = await run(workflow, { answers: { given: checked.answers, wait: false } });
    expect(result.status).toBe('succeeded');
    expect(result.outputs).toEqual({ approve: false, note: 'hello' });

    const noDefault = await run(workflow, { answers: { wait: false } });
    expect(noDefault.status).toBe('failed');
    expect(noDefault.error).toMatch(/step "note": "Note\?" has no answer and no default/);
  });

  it('refuses bad answers before anything runs, naming the step and what it takes', () => {
    const workflow = load(`
name: check
steps:
  - id: approve
    ask: { question: "Ship?", answer: boolean }
  - id: pick
    for-each: [a, b]
    ask: { question: "\${{ item }}?", answer: { options: [x, y] } }
  - id: build
    run: echo hi
`);
    const { problems, answers } = checkGivenAnswers(workflow, [
      { target: 'approve', value: 'maybe', fromText: true },
      { target: 'aprove', value: 'true', fromText: true },
      { target: 'pick', value: 'x', fromText: true },
      { target: 'pick[1]', value: 'z', fromText: true },
      { target: 'build', value: 'x', fromText: true },
      { target: 'approve', value: 'false', fromText: true },
    ]);
    expect(problems).toEqual([
      'answer "approve": "maybe" is not a valid answer (must be boolean); step "approve" takes a boolean',
      'answer "aprove": no ask step "aprove" (did you mean "approve"?)',
      'answer "pick": step "pick" asks once per item; name the item as pick[N]',
      'answer "pick[1]": "z" is not a valid answer (must be one of "x", "y"); step "pick" takes one of "x", "y"',
      'answer "build": step "build" is a run step, not an ask',
    ]);
    expect([...answers]).toEqual([['approve', { value: false }]]);
  });
});

describe('asks inside a called workflow', () => {
  it("a for-each uses: step waits for every item's ask, and the answers (by key) complete it", async () => {
    const root = mkdtempSync(join(tmpdir(), 'reprise-ask-uses-'));
    writeFileSync(
      join(root, 'confirm.yml'),
      `name: confirm
inputs:
  topic: { type: string, required: true }
steps:
  - id: ok
    ask: { question: "Publish \${{ inputs.topic }}?", answer: boolean }
outputs:
  ok: \${{ steps.ok.outputs.answer }}
`,
    );
    writeFileSync(
      join(root, 'caller.yml'),
      `name: caller
steps:
  - id: each
    for-each: [a, b]
    uses: ./confirm.yml
    with: { topic: "\${{ item }}" }
outputs:
  oks: \${{ join(steps.each.outputs.*.ok, ',') }}
`,
    );
    const { workflow, problems } = await loadWorkflowFile(join(root, 'caller.yml'));
    if (!workflow) throw new Error(problems.map(formatProblem).join('\n'));
    const journal = new MemoryJournal();
    const first = await run(workflow, { journal });
    expect(first.status).toBe('waiting');
    expect(first.questions.map((q) => [q.step, q.question])).toEqual([
      ['each/ok', 'Publish a?'],
      ['each/ok', 'Publish b?'],
    ]);
    answer(journal, first.questions[0]!, true);
    answer(journal, first.questions[1]!, false);
    const second = await run(workflow, { journal });
    expect(second.status).toBe('succeeded');
    expect(second.outputs).toEqual({ oks: 'true,false' });
  });
});
