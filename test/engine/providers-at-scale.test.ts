// Model fallback lists, and concurrency that holds however groups nest.
import { describe, expect, it } from 'vitest';
import { CallError } from '../../src/agents/types.js';
import { CallGates } from '../../src/engine/gates.js';
import { echoAgent, load, run, type AgentFn } from './harness.js';

describe('model fallback', () => {
  it('tries the next model on 404, journals which model answered, and replays by the declared list', async () => {
    const workflow = load(`
name: fallback
steps:
  - id: ask
    agent: { prompt: hi, provider: openai, model: [gone-model, gpt-4.1-mini] }
`);
    const asked: string[] = [];
    const agent: AgentFn = (request, context) => {
      asked.push(request.model);
      if (request.model === 'gone-model')
        throw new CallError('unknown model (404)', 'fatal', { status: 404 });
      return echoAgent().fn(request, context);
    };
    const warnings: string[] = [];
    const first = await run(workflow, { agent, observer: { warning: (m) => warnings.push(m) } });
    expect(first.status).toBe('succeeded');
    expect(asked).toEqual(['gone-model', 'gpt-4.1-mini']);
    expect(warnings.join('\n')).toContain(
      'model "gone-model" failed (unknown model (404)); falling back to "gpt-4.1-mini"',
    );
    const call = first.journal.events.find((event) => event.t === 'call');
    expect(call && 'result' in call ? (call.result as { model: string }).model : undefined).toBe(
      'gpt-4.1-mini',
    );
    const again = await run(workflow, { journal: first.journal, agent });
    expect(again.calls).toMatchObject({ live: 0, replayed: 1 });
  });

  it('falls back once retries are spent, not on a fatal error', async () => {
    const workflow = load(`
name: fallback
steps:
  - id: ask
    retries: 1
    agent: { prompt: hi, provider: openai, model: [a, b] }
`);
    const asked: string[] = [];
    const flaky: AgentFn = (request, context) => {
      asked.push(request.model);
      if (request.model === 'a') throw new CallError('503 busy', 'recoverable', { status: 500 });
      return echoAgent().fn(request, context);
    };
    expect((await run(workflow, { agent: flaky })).status).toBe('succeeded');
    expect(asked).toEqual(['a', 'a', 'b']);
    const denied: AgentFn = () => {
      throw new CallError('401 bad key', 'fatal', { status: 401 });
    };
    expect((await run(workflow, { agent: denied })).status).toBe('failed');
  });
});

describe('concurrency across nested groups', () => {
  const nested = (settings: string) =>
    load(`
name: nested
${settings}
steps:
  - id: group
    parallel:
${[1, 2, 3]
  .map(
    (n) => `      - id: fan${n}
        for-each: \${{ fromJSON('[1,2,3,4]') }}
        concurrency: 2
        agent: { prompt: "${n}-\${{ item }}", provider: p, model: m }`,
  )
  .join('\n')}
`);

  async function peak(settings: string): Promise<number> {
    let inFlight = 0;
    let most = 0;
    const agent: AgentFn = async (request, context) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 15));
      inFlight -= 1;
      return echoAgent().fn(request, context);
    };
    const result = await run(nested(settings), { agent });
    expect(result.status).toBe('succeeded');
    return most;
  }

  it('three fan-outs at concurrency 2 in a parallel group run 6 at once, unless a gate says less', async () => {
    expect(await peak('providers: { p: { type: openai } }')).toBe(6);
    expect(await peak('providers: { p: { type: openai, max-concurrency: 2 } }')).toBe(2);
    expect(await peak('providers: { p: { type: openai } }\nlimits: { concurrency: 3 }')).toBe(3);
  });

  it('requests-per-minute waits for the rolling minute', async () => {
    let clock = 0;
    const slept: number[] = [];
    const gates = new CallGates(undefined, {
      now: () => clock,
      sleep: async (ms) => {
        slept.push(ms);
        clock += ms;
      },
    });
    const provider = { name: 'p', type: 'openai' as const, requestsPerMinute: 2 };
    const started: number[] = [];
    const signal = new AbortController().signal;
    await Promise.all(
      [0, 1, 2, 3, 4].map(() => gates.pass(provider, signal, async () => void started.push(clock))),
    );
    expect(started).toEqual([0, 0, 60_000, 60_000, 120_000]);
  });
});
