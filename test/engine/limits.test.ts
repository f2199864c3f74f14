// Limits of time a provider cannot push past: a retry-after longer than the call may take.
import { describe, expect, it } from 'vitest';
import { CallError } from '../../src/agents/types.js';
import { type AgentFn, load, run } from './harness.js';

const step = (timeout: string) =>
  load(`
name: wait
steps:
  - id: ask
    retries: 3
    ${timeout}
    agent: { prompt: hello, model: m, provider: openai }
`);

describe('retry-after', () => {
  for (const [label, retryAfterMs, timeout, limit] of [
    ['an hour, past a 30 s step timeout', 3_600_000, 'timeout: 30s', "the call's timeout of 30 s"],
    ['so large it would overflow a timer', 9_999_999_999_000, '', "the call's timeout of 600 s"],
  ] as const) {
    it(`of ${label} fails the call at once, saying why`, async () => {
      let calls = 0;
      const agent: AgentFn = () => {
        calls += 1;
        throw new CallError('429 rate limited', 'recoverable', { retryAfterMs });
      };
      const delays: number[] = [];
      const result = await run(step(timeout), {
        agent,
        observer: { callRetrying: (info) => delays.push(info.delayMs) },
      });
      expect(result.status).toBe('failed');
      expect(calls).toBe(1);
      expect(delays).toEqual([]);
      expect(result.error).toContain('step "ask": 429 rate limited\nnot retried: the provider asked to wait');
      expect(result.error).toContain(
        `longer than ${limit}; run again later (--resume) or raise the step timeout`,
      );
    });
  }

  it('within the call timeout is waited for', async () => {
    let calls = 0;
    const agent: AgentFn = (request) => {
      calls += 1;
      if (calls === 1) throw new CallError('429 rate limited', 'recoverable', { retryAfterMs: 30 });
      return {
        text: 'ok',
        usage: { inputTokens: 1, outputTokens: 1, cachedInputTokens: 0, costUsd: 0 },
        model: request.model,
      };
    };
    const delays: number[] = [];
    const result = await run(step('timeout: 30s'), {
      agent,
      observer: { callRetrying: (info) => delays.push(info.delayMs) },
    });
    expect(result.status).toBe('succeeded');
    expect(delays).toHaveLength(1);
    expect(delays[0]).toBeGreaterThanOrEqual(30);
  });
});
