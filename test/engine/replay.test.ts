// Replay by key: a resumed run runs exactly what is missing and ends with the outputs of an uninterrupted run.
import { describe, expect, it } from 'vitest';
import { CallError } from '../../src/agents/types.js';
import { MemoryJournal, echoAgent, load, run } from './harness.js';
import type { AgentFn } from './harness.js';

const threeSteps = load(`
name: three
steps:
  - id: a
    agent: { prompt: "first", model: m, provider: openai }
  - id: b
    agent: { prompt: "second after \${{ steps.a.outputs.text }}", model: m, provider: openai }
  - id: c
    agent: { prompt: "third after \${{ steps.b.outputs.text }}", model: m, provider: openai }
outputs:
  final: \${{ steps.c.outputs.text }}
`);

const fanOut = load(`
name: fan
inputs:
  files: { type: array, default: [a.ts, b.ts, c.ts, d.ts, e.ts, f.ts] }
steps:
  - id: review
    for-each: \${{ inputs.files }}
    concurrency: 3
    agent: { prompt: "review \${{ item }} (#\${{ index }})", model: m, provider: openai }
  - id: summary
    agent: { prompt: "summarize \${{ join(steps.review.outputs.*.text, '|') }}", model: m, provider: openai }
outputs:
  summary: \${{ steps.summary.outputs.text }}
  reviews: \${{ steps.review.outputs.*.text }}
`);

/** Fails the k-th live call (1-based) with a fatal error, once. */
function failingAt(k: number): { fn: AgentFn; prompts: string[] } {
  const inner = echoAgent();
  let n = 0;
  return {
    prompts: inner.prompts,
    fn: (request, context) => {
      n += 1;
      if (n === k) throw new CallError('injected failure', 'fatal');
      return inner.fn(request, context);
    },
  };
}

describe('resume after a failure at call k', () => {
  for (const [name, workflow, total] of [
    ['three sequential steps', threeSteps, 3],
    ['a fan-out and a summary', fanOut, 7],
  ] as const) {
    for (let k = 1; k <= total; k++) {
      it(`${name}: failing at call ${k} then resuming runs only the missing calls`, async () => {
        const clean = await run(workflow);
        expect(clean.status).toBe('succeeded');

        const journal = new MemoryJournal();
        const first = failingAt(k);
        const attempt1 = await run(workflow, { journal, agent: first.fn });
        expect(attempt1.status).toBe('failed');
        expect(attempt1.error).toContain('injected failure');
        const completed = attempt1.calls.live;

        const second = echoAgent();
        const attempt2 = await run(workflow, { journal, agent: second.fn });
        expect(attempt2.status).toBe('succeeded');
        expect(attempt2.calls.replayed).toBe(completed);
        expect(attempt2.calls.live).toBe(total - completed);
        expect(second.prompts).toHaveLength(total - completed);
        // Nothing that completed in attempt 1 was asked again.
        for (const prompt of second.prompts) expect(first.prompts.slice(0, completed)).not.toContain(prompt);
        expect(attempt2.outputs).toEqual(clean.outputs);
      });
    }
  }

  it('a third attempt of a finished run replays everything and runs nothing', async () => {
    const journal = new MemoryJournal();
    await run(fanOut, { journal });
    const agent = echoAgent();
    const again = await run(fanOut, { journal, agent: agent.fn });
    expect(again.status).toBe('succeeded');
    expect(again.calls).toEqual({ live: 0, replayed: 7, failed: 0, skipped: 0 });
    expect(agent.prompts).toEqual([]);
    expect(again.saved.inputTokens).toBeGreaterThan(0);
    expect(again.usage.inputTokens).toBe(0);
  });

  it('a failed for-each item does not stop its siblings: all other results are journaled', async () => {
    const agent: AgentFn = (request, context) => {
      if (request.prompt.includes('c.ts')) throw new CallError('model refused', 'fatal');
      return echoAgent().fn(request, context);
    };
    const result = await run(fanOut, { agent });
    expect(result.status).toBe('failed');
    expect(result.calls.live).toBe(5);
    expect(result.calls.failed).toBe(1);
    expect(result.error).toContain('step "review": 1 of 6 items failed');
    expect(result.error).toContain('item 2 ("c.ts"): model refused');
  });

  it('fail-fast stops scheduling new items after the first failure', async () => {
    const workflow = load(`
name: ff
steps:
  - id: review
    for-each: \${{ fromJSON('[1,2,3,4,5,6,7,8]') }}
    concurrency: 1
    fail-fast: true
    agent: { prompt: "item \${{ item }}", model: m, provider: openai }
`);
    const asked: string[] = [];
    const agent: AgentFn = (request, context) => {
      asked.push(request.prompt);
      if (request.prompt === 'item 3') throw new CallError('boom', 'fatal');
      return echoAgent().fn(request, context);
    };
    const result = await run(workflow, { agent });
    expect(result.status).toBe('failed');
    expect(asked).toEqual(['item 1', 'item 2', 'item 3']);
    expect(result.error).toContain('fail-fast: 5 not run');
  });
});

describe('keys', () => {
  it('identical calls get occurrence numbers in item order, not completion order', async () => {
    const workflow = load(`
name: dup
steps:
  - id: same
    for-each: \${{ fromJSON('["x","x","x"]') }}
    agent: { prompt: "same \${{ item }}", model: m, provider: openai }
`);
    // Complete in reverse order: keys must not depend on it.
    let started = 0;
    const slowFirst: AgentFn = async (request, context) => {
      const delay = [40, 20, 0][started++] ?? 0;
      await new Promise((resolve) => setTimeout(resolve, delay));
      return echoAgent().fn(request, context);
    };
    const a = await run(workflow, { agent: slowFirst });
    const keysA = a.journal.events.flatMap((e) => (e.t === 'call' ? [[e.item, e.key]] : []));
    expect(keysA.map(([item]) => item)).toEqual([2, 1, 0]); // completed in reverse
    const b = await run(workflow);
    const keysB = b.journal.events.flatMap((e) => (e.t === 'call' ? [[e.item, e.key]] : []));
    expect(new Set(keysA.map(([, key]) => key)).size).toBe(3);
    expect(Object.fromEntries(keysA)).toEqual(Object.fromEntries(keysB));
  });

  it('a run step replays on another machine at another workspace path', async () => {
    const workflow = load(`
name: paths
steps:
  - id: where
    run: echo hello
    working-directory: sub/dir
`);
    const journal = new MemoryJournal();
    const shell = async () => ({ stdout: 'hello\n', stderr: '', exitCode: 0 });
    await run(workflow, { journal, shell, workspace: '/tmp/machine-one' });
    const again = await run(workflow, { journal, shell, workspace: '/home/runner/work/other' });
    expect(again.calls.replayed).toBe(1);
    expect(again.calls.live).toBe(0);
  });

  it('the inherited environment does not enter keys; the declared env does', async () => {
    const workflow = load(`
name: envs
steps:
  - id: s
    run: echo "$GREETING"
    env: { GREETING: hi }
`);
    const journal = new MemoryJournal();
    const shell = async () => ({ stdout: 'hi\n', stderr: '', exitCode: 0 });
    await run(workflow, { journal, shell, env: { PATH: '/bin', HOME: '/a' } });
    const again = await run(workflow, { journal, shell, env: { PATH: '/usr/bin', HOME: '/b', EXTRA: '1' } });
    expect(again.calls.replayed).toBe(1);

    const edited = load(`
name: envs
steps:
  - id: s
    run: echo "$GREETING"
    env: { GREETING: hello }
`);
    const third = await run(edited, { journal, shell });
    expect(third.calls.live).toBe(1);
    expect(third.unmatchedJournalCalls).toBe(1);
  });

  it('secret values are redacted before hashing, so rotating a token keeps replay', async () => {
    const workflow = load(`
name: secrets
inputs:
  token: { type: string, secret: true, required: true }
steps:
  - id: s
    agent: { prompt: "use \${{ inputs.token }}", model: m, provider: openai }
`);
    const journal = new MemoryJournal();
    await run(workflow, {
      journal,
      inputs: { token: 'old-secret-value' },
      redact: (t) => t.replaceAll('old-secret-value', '***'),
    });
    const again = await run(workflow, {
      journal,
      inputs: { token: 'new-secret-value' },
      redact: (t) => t.replaceAll('new-secret-value', '***'),
    });
    expect(again.calls.replayed).toBe(1);
  });
});
