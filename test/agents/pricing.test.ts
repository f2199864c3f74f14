import { describe, expect, it } from 'vitest';
import { addUsage, costUsd, modelFamily, priceFor } from '../../src/agents/pricing.js';
import { parseJsonAnswer } from '../../src/agents/structured.js';

describe('pricing', () => {
  it('matches dated and vendor-prefixed ids to their family', () => {
    expect(modelFamily('claude-sonnet-4-5-20250929')).toBe('claude-sonnet-4-5');
    expect(modelFamily('gpt-4o-2024-08-06')).toBe('gpt-4o');
    expect(modelFamily('claude-3-5-haiku-latest')).toBe('claude-3-5-haiku');
    expect(priceFor('claude-sonnet-4-5-20250929')).toMatchObject({ input: 3, output: 15 });
    expect(priceFor('claude-opus-4-1-20250805')).toMatchObject({ input: 15, output: 75 });
    expect(priceFor('claude-opus-4-5-20251101')).toMatchObject({ input: 5, output: 25 });
    expect(priceFor('gpt-4o-mini-2024-07-18')).toMatchObject({ input: 0.15 });
    expect(priceFor('gpt-4o')).toMatchObject({ input: 2.5 });
    expect(priceFor('o4-mini')).toMatchObject({ input: 1.1 });
  });

  it('does not confuse a model with a longer one of its family', () => {
    expect(priceFor('gpt-4.1-nano')).toMatchObject({ input: 0.1 });
    expect(priceFor('gpt-5-codex')).toBeUndefined();
  });

  it("looks the built-in table up once per id, and the workflow's pricing still wins afterwards", () => {
    // Filled past its bound, the cache starts again: every answer stays the table's.
    for (let n = 0; n < 600; n++) expect(priceFor(`gpt-4o-mini-${n}`)).toBeUndefined();
    for (let round = 0; round < 2; round++) {
      expect(priceFor('gpt-4o-2024-08-06')).toMatchObject({ input: 2.5 });
      expect(priceFor('openai/gpt-4.1-nano')).toMatchObject({ input: 0.1 });
      expect(priceFor('gpt-5-codex')).toBeUndefined();
    }
    const pricing = { 'gpt-4o': { input: 1, output: 1 }, 'gpt-5-codex': { input: 3, output: 3 } };
    expect(priceFor('gpt-4o-2024-08-06', pricing)).toMatchObject({ input: 1 });
    expect(priceFor('gpt-5-codex', pricing)).toMatchObject({ input: 3 });
    expect(costUsd(['gpt-4o-2024-08-06', 'gpt-4o'], { input: 1_000_000, output: 0, cached: 0 })).toBe(2.5);
    expect(
      costUsd(['gpt-4o-2024-08-06', 'gpt-4o'], { input: 1_000_000, output: 0, cached: 0 }, pricing),
    ).toBe(1);
    // The answering model's name counts first, the requested one after it.
    expect(costUsd(['mystery', 'gpt-4o'], { input: 1_000_000, output: 0, cached: 0 })).toBe(2.5);
  });

  it("the workflow's pricing is found by id and by family however many ids were met, and only by its own entries", () => {
    const pricing = { 'gpt-4o': { input: 1, output: 1 }, 'my-model': { input: 7, output: 7 } };
    // Past the family memo's bound, and back: the family of each id is still its own.
    for (let n = 0; n < 600; n++) {
      expect(priceFor(`my-model-2025010${n % 10}`, pricing)).toMatchObject({ input: 7 });
      expect(priceFor(`other-${n}`, pricing)).toBeUndefined();
    }
    expect(priceFor('gpt-4o-2024-08-06', pricing)).toMatchObject({ input: 1 });
    expect(priceFor('openai/my-model', pricing)).toMatchObject({ input: 7 });
    // A model answering with the name of an Object.prototype member has no price from it.
    expect(priceFor('constructor', pricing)).toBeUndefined();
    expect(costUsd(['toString', 'hasOwnProperty'], { input: 10, output: 10, cached: 0 }, pricing)).toBeNull();
  });

  it('prices cached input at the cached rate and falls back to the input rate', () => {
    expect(costUsd('gpt-4.1', { input: 1_000_000, output: 0, cached: 500_000 })).toBe(1 + 0.25);
    expect(
      costUsd(
        'custom',
        { input: 1_000_000, output: 0, cached: 500_000 },
        { custom: { input: 2, output: 4 } },
      ),
    ).toBe(2);
  });

  it('a reported cost wins, an unknown price is null, never 0', () => {
    expect(costUsd('gpt-4.1', { input: 10, output: 10, cached: 0, reportedCostUsd: 0.7 })).toBe(0.7);
    expect(costUsd('mystery', { input: 10, output: 10, cached: 0 })).toBeNull();
    const known = { inputTokens: 1, outputTokens: 1, cachedInputTokens: 0, costUsd: 0.1 };
    expect(addUsage(known, { ...known, costUsd: 0.2 })).toEqual({
      inputTokens: 2,
      outputTokens: 2,
      cachedInputTokens: 0,
      costUsd: 0.3,
    });
    expect(addUsage(known, { ...known, costUsd: null }).costUsd).toBeNull();
  });
});

describe('parseJsonAnswer', () => {
  it('reads plain JSON, fenced JSON, and JSON with prose around it', () => {
    expect(parseJsonAnswer('{"a":1}')).toEqual({ ok: true, value: { a: 1 } });
    expect(parseJsonAnswer('```json\n{"a":1}\n```')).toEqual({ ok: true, value: { a: 1 } });
    expect(parseJsonAnswer('Here it is:\n```\n[1,2]\n```\nDone.')).toEqual({ ok: true, value: [1, 2] });
    expect(parseJsonAnswer('Sure! {"a": {"b": 2}} Hope that helps.')).toEqual({
      ok: true,
      value: { a: { b: 2 } },
    });
    expect(parseJsonAnswer('no json here')).toMatchObject({ ok: false });
  });
});
