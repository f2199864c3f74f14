// Limits hold across attempts of a run, never abort admitted calls, and unknown usage or price is never zero.
import { describe, expect, it } from 'vitest';
import type { Usage } from '../../src/agents/types.js';
import { spentInJournal } from '../../src/engine/budget.js';
import type { JournalEvent } from '../../src/journal/types.js';
import { MemoryJournal, echoAgent, hangingAgent, load, run, type AgentFn } from './harness.js';

const fan = (limits: string, extra = '') =>
  load(`
name: budget
limits: ${limits}
${extra}
steps:
  - id: each
    for-each: \${{ fromJSON('[1,2,3,4,5,6,7,8,9,10]') }}
    concurrency: 1
    agent: { prompt: "item \${{ item }}", model: gpt-4o-mini, provider: openai }
`);

/** Every call spends 10 + 10 tokens, reported (or, with `estimated`, estimated) by the agent. */
function tenAndTen(extra: Partial<Usage> = {}): AgentFn {
  return (request) => ({
    text: `answer ${request.prompt}`,
    usage: { inputTokens: 10, outputTokens: 10, cachedInputTokens: 0, costUsd: 0.001, ...extra },
    model: request.model,
  });
}

describe('run-wide limits', () => {
  it('a resumed run may spend only what is left, and the message names every attempt', async () => {
    const journal = new MemoryJournal();
    const first = await run(fan('{ tokens: 50 }'), { journal, agent: tenAndTen() });
    expect(first.status).toBe('failed');
    expect(first.calls.live).toBe(3); // 60 > 50 after the third call
    expect(first.error).toBe('limits.tokens exceeded: 60 tokens used of 50');

    const second = await run(fan('{ tokens: 50 }'), { journal, agent: tenAndTen() });
    expect(second.calls.replayed).toBe(3);
    expect(second.calls.live).toBe(0);
    expect(second.status).toBe('failed');
    expect(second.error).toBe('limits.tokens exceeded: 60 tokens used of 50 (attempt 1: 60, attempt 2: 0)');
    expect(second.budget.earlier).toMatchObject({ attempts: [1], calls: 3 });
    expect(second.budget.spent.inputTokens + second.budget.spent.outputTokens).toBe(60);

    // Raising the limit is explicit: this attempt may spend 50 more tokens.
    const third = await run(fan('{ tokens: 50 }'), { journal, agent: tenAndTen(), limits: { tokens: 110 } });
    expect(third.calls.live).toBe(3); // 60 + 60 > 110 after the third
    expect(third.error).toBe(
      'limits.tokens exceeded: 120 tokens used of 110 (attempt 1: 60, attempt 2: 0, attempt 3: 60)',
    );
    const header = journal.events.filter((event) => event.t === 'run').at(-1);
    expect(header).toMatchObject({ limits: { tokens: 110 } });
  });

  it('max-calls counts the live calls of earlier attempts', async () => {
    const journal = new MemoryJournal();
    const first = await run(fan('{ max-calls: 4 }'), { journal });
    expect(first.calls.live).toBe(4);
    const second = await run(fan('{ max-calls: 4 }'), { journal });
    expect(second.calls.live).toBe(0);
    expect(second.error).toBe('limits.max-calls reached: 4 live calls (attempt 1: 4, attempt 2: 0)');
  });

  it('max-calls refuses new calls but lets admitted calls finish and be journaled', async () => {
    const workflow = load(`
name: budget
limits: { max-calls: 2 }
steps:
  - id: each
    for-each: \${{ fromJSON('[1,2,3]') }}
    concurrency: 3
    agent: { prompt: "\${{ item }}", model: m, provider: openai }
`);
    const hang = hangingAgent();
    let started = 0;
    const agent: AgentFn = async (request, context) => {
      started += 1;
      const answer = new Promise((resolve) => setTimeout(resolve, 30));
      await Promise.race([answer, hang.fn(request, context)]);
      return echoAgent().fn(request, context);
    };
    const result = await run(workflow, { agent });
    expect(result.status).toBe('failed');
    expect(result.error).toBe('limits.max-calls reached: 2 live calls');
    expect(started).toBe(2);
    expect(hang.aborts()).toBe(0);
    expect(result.calls.live).toBe(2);
    expect(result.journal.events.filter((event) => event.t === 'call')).toHaveLength(2);
  });

  it('counts only this run: calls journaled by another run are not spending of this one', () => {
    const usage = { inputTokens: 5, outputTokens: 5, cachedInputTokens: 0, costUsd: 0.01 };
    const header = (runId: string, attempt: number): JournalEvent => ({
      v: 1,
      t: 'run',
      workflow: 'w',
      script: 'sha256:x',
      runId,
      attempt,
      inputs: {},
      at: '',
    });
    const call = (key: string): JournalEvent => ({
      t: 'call',
      key,
      step: 's',
      kind: 'agent',
      result: {},
      usage,
      ms: 1,
      at: '',
    });
    const events: JournalEvent[] = [
      header('other', 1),
      call('a'),
      header('this', 1),
      call('b'),
      { t: 'fail', key: 'c', step: 's', error: { class: 'fatal', message: 'x' }, usage, at: '' },
      header('this', 2),
      call('d'),
    ];
    const spent = spentInJournal(events, 'this');
    expect(spent.map((entry) => [entry.attempt, entry.calls, entry.usage.inputTokens])).toEqual([
      [1, 2, 10],
      [2, 1, 5],
    ]);
  });
});

describe('unknown usage and price', () => {
  it('estimated usage counts against limits.tokens and is marked estimated', async () => {
    const result = await run(fan('{ tokens: 50 }'), { agent: tenAndTen({ estimated: true }) });
    expect(result.status).toBe('failed');
    expect(result.calls.live).toBe(3);
    expect(result.error).toBe('limits.tokens exceeded: ~60 tokens used of 50');
    expect(result.usage.estimatedCalls).toBe(3);
  });

  it('limits.usd with an unpriced model warns at run start and for its calls (on-unknown-cost: warn)', async () => {
    const warnings: string[] = [];
    const workflow = load(`
name: unpriced
limits: { usd: 1 }
steps:
  - id: ask
    agent: { prompt: hi, model: my-local-model, provider: openai }
`);
    const result = await run(workflow, {
      agent: tenAndTen({ costUsd: null }),
      observer: { warning: (message) => warnings.push(message) },
    });
    expect(result.status).toBe('succeeded');
    expect(result.usage.unpricedCalls).toBe(1);
    expect(warnings.join('\n')).toContain(
      'model "my-local-model" has no known price, so limits.usd cannot count it',
    );
  });

  it('on-unknown-cost: fail refuses to start a run whose model has no price', async () => {
    const agent = echoAgent();
    const workflow = load(`
name: unpriced
limits: { usd: 1, on-unknown-cost: fail }
steps:
  - id: ask
    agent: { prompt: hi, model: my-local-model, provider: openai }
`);
    const result = await run(workflow, { agent: agent.fn });
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/model "my-local-model" has no known price.*on-unknown-cost: fail/);
    expect(agent.prompts).toEqual([]);
  });

  it('on-unknown-cost: fail stops admitting calls once one comes back unpriced', async () => {
    // The model is computed at run time, so only its answer shows that the price is unknown.
    const workflow = load(`
name: unpriced
limits: { usd: 1, on-unknown-cost: fail }
steps:
  - id: each
    for-each: \${{ fromJSON('[1,2,3]') }}
    concurrency: 1
    agent: { prompt: "\${{ item }}", model: "\${{ format('local-{0}', 'x') }}", provider: openai }
`);
    const result = await run(workflow, { agent: tenAndTen({ costUsd: null }) });
    expect(result.status).toBe('failed');
    expect(result.calls.live).toBe(1);
    expect(result.error).toMatch(/cost of model "local-x" is unknown.*on-unknown-cost: fail/);
  });
});
