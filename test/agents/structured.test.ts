// Structured output around a provider's attempts (src/agents/structured.ts).
import { describe, expect, it } from 'vitest';
import { withStructuredOutput, type Attempt } from '../../src/agents/structured.js';
import { CallError } from '../../src/agents/types.js';
import { makeRequest, SEVERITY_SCHEMA } from './helpers.js';

const provider = { name: 'p', type: 'openai' as const };
const usage = { inputTokens: 10, outputTokens: 5, cachedInputTokens: 0, costUsd: 0.001 };
const answer = (text: string): Attempt => ({ text, usage, model: 'm' });

describe('withStructuredOutput', () => {
  it('without a schema, the call is the attempt itself: no wrapping, no validation', async () => {
    const attempt = Promise.resolve(answer('not json at all'));
    const result = withStructuredOutput(makeRequest(provider), 'provider "p"', () => attempt);
    expect(result).toBe(attempt);
    await expect(result).resolves.toEqual(answer('not json at all'));
  });

  it('with a schema, a conforming answer is parsed, and a non-conforming one is corrected once', async () => {
    const request = makeRequest(provider, { schema: SEVERITY_SCHEMA });
    const good = '{"severity":"minor","summary":"ok"}';
    await expect(withStructuredOutput(request, 'provider "p"', async () => answer(good))).resolves.toEqual({
      ...answer(good),
      json: { severity: 'minor', summary: 'ok' },
    });
    const corrections: (string | undefined)[] = [];
    const result = await withStructuredOutput(request, 'provider "p"', async (correction) => {
      corrections.push(correction?.message);
      return answer(correction ? good : '{"severity":"huge"}');
    });
    expect(result.json).toEqual({ severity: 'minor', summary: 'ok' });
    expect(result.usage.inputTokens).toBe(20);
    expect(corrections[1]).toContain('does not conform');
  });

  it('an invalid schema fails as a rejection before any attempt', async () => {
    let attempts = 0;
    const result = withStructuredOutput(
      makeRequest(provider, { schema: { type: 'no-such-type' } }),
      'provider "p"',
      async () => {
        attempts++;
        return answer('{}');
      },
    );
    await expect(result).rejects.toBeInstanceOf(CallError);
    await expect(result).rejects.toThrow(/not a valid JSON Schema/);
    expect(attempts).toBe(0);
  });
});
