// How steps run: conditions, loops, groups, failures, timeouts, limits, retries and run-step outputs.
import { describe, expect, it } from 'vitest';
import { CallError } from '../../src/agents/types.js';
import { MemoryJournal, echoAgent, hangingAgent, load, run } from './harness.js';
import type { AgentFn } from './harness.js';

describe('run steps', () => {
  it('exposes stdout, stderr, exit-code, lines and json, and inherits the environment plus env:', async () => {
    const workflow = load(`
name: shell
env: { LEVEL: workflow }
steps:
  - id: list
    run: |
      printf 'one\\n\\ntwo\\n'
      echo "warn" >&2
  - id: data
    run: |
      echo '{"n": 3, "who": "'"$WHO"'", "level": "'"$LEVEL"'", "home": "'"$INHERITED"'"}'
    env: { WHO: "\${{ steps.list.outputs.lines[1] }}" }
outputs:
  lines: \${{ steps.list.outputs.lines }}
  stderr: \${{ steps.list.outputs.stderr }}
  code: \${{ steps.list.outputs.exit-code }}
  data: \${{ steps.data.outputs.json }}
`);
    const result = await run(workflow, { env: { PATH: process.env.PATH, INHERITED: 'from-process' } });
    expect(result.status).toBe('succeeded');
    expect(result.outputs).toEqual({
      lines: ['one', 'two'],
      stderr: 'warn\n',
      code: 0,
      data: { n: 3, who: 'two', level: 'workflow', home: 'from-process' },
    });
  });

  it('a failing script fails the step with its exit code and stderr, and the run stops', async () => {
    const workflow = load(`
name: shell
steps:
  - id: bad
    run: |
      echo "about to fail" >&2
      false
      echo never
  - id: after
    run: echo after
`);
    const result = await run(workflow);
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/^step "bad": the script exited with code 1:\nabout to fail/);
    expect(result.steps.find((s) => s.id === 'after')?.status).toBe('skipped');
  });

  it('pipefail is on: a failure inside a pipeline fails the step', async () => {
    const result = await run(load(`name: p\nsteps:\n  - id: p\n    run: false | cat\n`));
    expect(result.status).toBe('failed');
  });

  it('replay: false runs a step live every time', async () => {
    const workflow = load(`
name: r
steps:
  - id: always
    replay: false
    run: echo now
  - id: once
    run: echo once
`);
    const journal = new MemoryJournal();
    await run(workflow, { journal });
    const again = await run(workflow, { journal });
    expect(again.calls).toMatchObject({ live: 1, replayed: 1 });
  });
});

describe('control flow', () => {
  it('skips a step whose if is false and records it as skipped', async () => {
    const workflow = load(`
name: cond
inputs:
  go: { type: boolean, default: false }
steps:
  - id: maybe
    if: inputs.go
    run: echo ran
  - id: check
    run: echo "\${{ steps.maybe.outcome }}"
outputs:
  outcome: \${{ steps.check.outputs.lines[0] }}
`);
    const result = await run(workflow);
    expect(result.outputs.outcome).toBe('skipped');
    expect(result.calls.skipped).toBe(1);
    expect(result.journal.events).toContainEqual(
      expect.objectContaining({ t: 'step', step: 'maybe', status: 'skipped' }),
    );
  });

  it('repeats review-then-fix until approved, reading the previous iteration', async () => {
    const workflow = load(`
name: loop
steps:
  - id: improve
    repeat:
      max: 5
      until: \${{ steps.review.outputs.json.approved }}
      steps:
        - id: fix
          agent: { prompt: "fix (iteration \${{ loop.iteration }}, last review \${{ steps.review.outputs.text }})", model: m, provider: openai }
        - id: review
          agent:
            prompt: "review \${{ steps.fix.outputs.text }}"
            model: m
            provider: openai
            schema: { type: object, properties: { approved: { type: boolean } } }
outputs:
  iterations: \${{ steps.improve.outputs.iterations }}
`);
    let reviews = 0;
    const base = echoAgent();
    const agent: AgentFn = (request, context) => {
      const answer = base.fn(request, context) as Awaited<ReturnType<AgentFn>>;
      if (request.prompt.startsWith('review')) {
        reviews += 1;
        const json = { approved: reviews === 3 };
        return { ...answer, text: JSON.stringify(json), json };
      }
      return answer;
    };
    const journal = new MemoryJournal();
    const result = await run(workflow, { agent, journal });
    expect(result.status).toBe('succeeded');
    expect(result.outputs.iterations).toBe(3);
    expect(base.prompts[0]).toBe('fix (iteration 1, last review )');
    expect(base.prompts[2]).toBe('fix (iteration 2, last review {"approved":false})');

    // Resuming the finished loop replays all six calls and converges identically.
    const again = await run(workflow, { journal, agent: () => Promise.reject(new Error('must not run')) });
    expect(again.calls).toMatchObject({ live: 0, replayed: 6 });
    expect(again.outputs.iterations).toBe(3);
  });

  it('runs a parallel group at once and waits for every branch before failing', async () => {
    const workflow = load(`
name: par
steps:
  - id: group
    parallel:
      - id: slow
        agent: { prompt: slow, model: m, provider: openai }
      - id: broken
        agent: { prompt: broken, model: m, provider: openai }
      - id: fast
        agent: { prompt: fast, model: m, provider: openai }
`);
    let inFlight = 0;
    let peak = 0;
    const agent: AgentFn = async (request, context) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, request.prompt === 'slow' ? 40 : 5));
      inFlight -= 1;
      if (request.prompt === 'broken') throw new CallError('bad request', 'fatal');
      return echoAgent().fn(request, context);
    };
    const result = await run(workflow, { agent });
    expect(peak).toBe(3);
    expect(result.status).toBe('failed');
    expect(result.calls.live).toBe(2); // slow finished and was journaled although broken failed first
    expect(result.journal.calls().size).toBe(2);
  });

  it('continue-on-error lets the run go on and exposes the failure outcome', async () => {
    const workflow = load(`
name: coe
steps:
  - id: flaky
    continue-on-error: true
    run: exit 3
  - id: next
    run: echo "\${{ steps.flaky.outcome }}/\${{ steps.flaky.conclusion }}"
outputs:
  seen: \${{ steps.next.outputs.lines[0] }}
`);
    const result = await run(workflow);
    expect(result.status).toBe('succeeded');
    expect(result.outputs.seen).toBe('failure/success');
  });

  it('for-each runs at most `concurrency` calls at once and returns outputs in item order', async () => {
    const workflow = load(`
name: conc
steps:
  - id: each
    for-each: \${{ fromJSON('[5,1,4,2,3,0]') }}
    concurrency: 2
    agent: { prompt: "\${{ item }}", model: m, provider: openai }
outputs:
  texts: \${{ steps.each.outputs.*.text }}
`);
    let inFlight = 0;
    let peak = 0;
    const agent: AgentFn = async (request, context) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, Number(request.prompt) * 3));
      inFlight -= 1;
      return echoAgent().fn(request, context);
    };
    const result = await run(workflow, { agent });
    expect(peak).toBe(2);
    expect(result.outputs.texts).toEqual([
      'answer(5)',
      'answer(1)',
      'answer(4)',
      'answer(2)',
      'answer(3)',
      'answer(0)',
    ]);
  });
});

describe('failures, retries and timeouts', () => {
  const single = load(`
name: one
steps:
  - id: ask
    retries: 3
    agent: { prompt: hello, model: m, provider: openai }
`);

  it('retries recoverable errors with backoff, honoring retry-after', async () => {
    let calls = 0;
    const agent: AgentFn = (request, context) => {
      calls += 1;
      if (calls < 3) throw new CallError('429 rate limited', 'recoverable', { retryAfterMs: 20 });
      return echoAgent().fn(request, context);
    };
    const delays: number[] = [];
    const started = Date.now();
    const result = await run(single, {
      agent,
      observer: { callRetrying: (info) => delays.push(info.delayMs) },
    });
    expect(result.status).toBe('succeeded');
    expect(calls).toBe(3);
    expect(delays).toHaveLength(2);
    for (const delay of delays) expect(delay).toBeGreaterThanOrEqual(20);
    expect(Date.now() - started).toBeGreaterThanOrEqual(40);
    expect(result.journal.events.filter((e) => e.t === 'fail')).toHaveLength(0);
  });

  it('does not retry fatal errors, and names the step and the cause', async () => {
    let calls = 0;
    const agent: AgentFn = () => {
      calls += 1;
      throw new CallError('401: the key in OPENAI_API_KEY was rejected', 'fatal');
    };
    const result = await run(single, { agent });
    expect(calls).toBe(1);
    expect(result.error).toBe('step "ask": 401: the key in OPENAI_API_KEY was rejected');
    expect(result.journal.events).toContainEqual(
      expect.objectContaining({
        t: 'fail',
        step: 'ask',
        error: { class: 'fatal', message: expect.any(String) },
      }),
    );
  });

  it('gives up after the configured retries', async () => {
    let calls = 0;
    const agent: AgentFn = () => {
      calls += 1;
      throw new CallError('503 overloaded', 'recoverable');
    };
    const result = await run(single, { agent });
    expect(calls).toBe(4);
    expect(result.status).toBe('failed');
  });

  it('a call timeout aborts the call through its signal and counts as recoverable', async () => {
    const workflow = load(`
name: slow
steps:
  - id: hang
    timeout: 50ms
    retries: 1
    agent: { prompt: hang, model: m, provider: openai }
`);
    const hang = hangingAgent();
    const result = await run(workflow, { agent: hang.fn });
    expect(result.status).toBe('failed');
    expect(hang.aborts()).toBe(2);
    expect(result.error).toContain('timed out after 50 ms');
  });

  it('a run-step timeout kills the script', async () => {
    const workflow = load(`
name: slow
steps:
  - id: sleepy
    timeout: 200ms
    run: sleep 20
`);
    const started = Date.now();
    const result = await run(workflow);
    expect(result.status).toBe('failed');
    expect(result.error).toContain('timed out');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('the workflow timeout stops everything in flight', async () => {
    const workflow = load(`
name: slow
limits: { timeout: 100ms }
steps:
  - id: many
    for-each: \${{ fromJSON('[1,2,3]') }}
    agent: { prompt: "\${{ item }}", model: m, provider: openai }
`);
    const hang = hangingAgent();
    const result = await run(workflow, { agent: hang.fn });
    expect(result.status).toBe('failed');
    expect(result.error).toContain('limits.timeout');
    expect(hang.aborts()).toBe(3);
  });

  it('an external cancel ends the run as cancelled and journals the end', async () => {
    const controller = new AbortController();
    const workflow = load(`
name: cancel
steps:
  - id: wait
    agent: { prompt: wait, model: m, provider: openai }
`);
    const agent: AgentFn = (_request, context) =>
      new Promise((_resolve, reject) => {
        setTimeout(() => controller.abort(), 10);
        context.signal.addEventListener('abort', () => reject(new Error('aborted')));
      });
    const result = await run(workflow, { agent, signal: controller.signal });
    expect(result.status).toBe('cancelled');
    expect(result.journal.events.at(-1)).toMatchObject({ t: 'end', status: 'cancelled' });
  });
});

describe('limits', () => {
  const fan = (limits: string) =>
    load(`
name: budget
limits: ${limits}
steps:
  - id: each
    for-each: \${{ fromJSON('[1,2,3,4,5,6,7,8,9,10]') }}
    concurrency: 1
    agent: { prompt: "item \${{ item }}", model: m, provider: openai }
`);

  it('max-calls stops live calls and names the limit', async () => {
    const agent = echoAgent();
    const result = await run(fan('{ max-calls: 4 }'), { agent: agent.fn });
    expect(result.status).toBe('failed');
    expect(result.error).toBe('limits.max-calls reached: 4 live calls');
    expect(agent.prompts).toHaveLength(4);
  });

  it('usd stops once spending passes the budget; a resume counts what the first attempt spent', async () => {
    const journal = new MemoryJournal();
    const first = await run(fan('{ usd: 0.0035 }'), { journal });
    expect(first.status).toBe('failed');
    expect(first.error).toMatch(/^limits\.usd exceeded/);
    expect(first.calls.live).toBe(4);
    // On resume the four journaled calls are free, but the budget was spent by attempt 1: nothing more runs.
    const second = await run(fan('{ usd: 0.0035 }'), { journal });
    expect(second.calls.replayed).toBe(4);
    expect(second.calls.live).toBe(0);
    expect(second.saved.costUsd).toBeCloseTo(0.004);
    expect(second.error).toBe(
      'limits.usd exceeded: $0.0040 spent of $0.0035 (attempt 1: $0.0040, attempt 2: $0.0000)',
    );
  });

  it('tokens counts input and output of live calls', async () => {
    const result = await run(fan('{ tokens: 40 }'));
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/^limits\.tokens exceeded: \d+ tokens used of 40$/);
    expect(result.calls.live).toBe(3); // 16 tokens each: 48 > 40 after the third call
  });

  it('aborts in-flight calls when a limit is passed', async () => {
    const workflow = load(`
name: budget
limits: { usd: 0.0005 }
steps:
  - id: each
    for-each: \${{ fromJSON('[1,2,3]') }}
    agent: { prompt: "\${{ item }}", model: m, provider: openai }
`);
    const hang = hangingAgent();
    const agent: AgentFn = (request, context) =>
      request.prompt === '1' ? echoAgent().fn(request, context) : hang.fn(request, context);
    const result = await run(workflow, { agent });
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/^limits\.usd exceeded/);
    expect(hang.aborts()).toBe(2);
  });
});

describe('spending of failed calls', () => {
  it('counts what a failed call spent against the budget and the totals', async () => {
    const workflow = load(`
name: spent
limits: { usd: 0.05 }
steps:
  - id: each
    for-each: \${{ fromJSON('[1,2,3]') }}
    concurrency: 1
    agent: { prompt: "\${{ item }}", model: m, provider: openai }
`);
    const agent: AgentFn = () => {
      throw new CallError('answer did not conform to the schema', 'fatal', {
        usage: { inputTokens: 100, outputTokens: 50, cachedInputTokens: 0, costUsd: 0.03 },
      });
    };
    const result = await run(workflow, { agent });
    expect(result.status).toBe('failed');
    expect(result.usage).toMatchObject({ inputTokens: 200, outputTokens: 100 });
    expect(result.usage.costUsd).toBeCloseTo(0.06);
    expect(result.error).toMatch(/^limits\.usd exceeded/);
  });
});

describe('model routing by phase', () => {
  it("routes a step to its phase's model, and sub-steps of a group to the group's phase", async () => {
    const workflow = load(`
name: phases
defaults: { provider: openai, model: small }
phases:
  deep: { model: large }
steps:
  - id: plain
    agent: { prompt: plain }
  - id: group
    phase: deep
    parallel:
      - id: inner
        agent: { prompt: inner }
      - id: pinned
        agent: { prompt: pinned, model: tiny }
  - id: direct
    phase: deep
    agent: { prompt: direct }
`);
    const models: Record<string, string> = {};
    const agent: AgentFn = (request, context) => {
      models[request.prompt] = request.model;
      return echoAgent().fn(request, context);
    };
    const result = await run(workflow, { agent });
    expect(result.status).toBe('succeeded');
    expect(models).toEqual({ plain: 'small', inner: 'large', pinned: 'tiny', direct: 'large' });
  });
});

describe('after a failure', () => {
  it('runs only steps whose if asks for it (failure(), always()), skips the rest, and fails with the first error', async () => {
    const workflow = load(`
name: notify
steps:
  - id: build
    run: exit 2
  - id: deploy
    run: echo deploying
  - id: guarded
    if: inputs.x == 'never'
    run: echo never
  - id: notify
    if: failure()
    run: echo "build failed with \${{ steps.build.outcome }}"
  - id: cleanup
    if: always()
    run: echo cleanup
inputs:
  x: { type: string, default: y }
`);
    const result = await run(workflow);
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/^step "build": the script exited with code 2/);
    const status = Object.fromEntries(result.steps.map((step) => [step.id, step.status]));
    expect(status).toEqual({
      build: 'failed',
      deploy: 'skipped',
      guarded: 'skipped',
      notify: 'succeeded',
      cleanup: 'succeeded',
    });
    const stdout = result.journal.events.flatMap((event) =>
      event.t === 'call' ? [(event.result as { stdout: string }).stdout] : [],
    );
    expect(stdout).toEqual(['build failed with failure\n', 'cleanup\n']);
  });

  it('on resume, the failure handlers of a fixed run do not run', async () => {
    const workflow = load(`
name: notify
inputs:
  ok: { type: boolean, default: false }
steps:
  - id: build
    run: test "$OK" = true
    env: { OK: "\${{ inputs.ok }}" }
  - id: notify
    if: failure()
    run: echo notify
`);
    const journal = new MemoryJournal();
    const failed = await run(workflow, { journal });
    expect(failed.calls.live).toBe(1);
    const fixed = await run(workflow, { journal, inputs: { ok: true } });
    expect(fixed.status).toBe('succeeded');
    expect(fixed.steps.find((step) => step.id === 'notify')?.status).toBe('skipped');
  });
});

describe('status functions inside groups', () => {
  it('a clean-up group that runs with always() runs its sub-steps, and its loop converges', async () => {
    const workflow = load(`
name: cleanup
steps:
  - id: build
    run: exit 1
  - id: cleanup
    if: always()
    parallel:
      - id: logs
        run: echo logs
      - id: retry-loop
        repeat:
          max: 3
          until: steps.tick.outputs.lines[0] == '2'
          steps:
            - id: tick
              run: echo "\${{ loop.iteration }}"
`);
    const result = await run(workflow);
    expect(result.status).toBe('failed');
    const status = Object.fromEntries(result.steps.map((step) => [step.id, step.status]));
    expect(status).toMatchObject({
      build: 'failed',
      cleanup: 'succeeded',
      logs: 'succeeded',
      tick: 'succeeded',
    });
    // logs and two ticks (the loop converged on iteration 2); build's call failed.
    expect(result.calls).toMatchObject({ live: 3, failed: 1 });
  });
});
