// How budgets read in summaries: a run resumed many times must not name every attempt one by one.
import { describe, expect, it } from 'vitest';
import { Budget, addUsage, emptyTotals } from '../../src/engine/budget.js';
import { formatBudget, numberRanges } from '../../src/report/format.js';

const usage = { inputTokens: 40, outputTokens: 20, cachedInputTokens: 0, costUsd: 0.01 };

describe('numberRanges', () => {
  it('writes runs of consecutive numbers as ranges', () => {
    expect(numberRanges([1])).toBe('1');
    expect(numberRanges([1, 2])).toBe('1, 2');
    expect(numberRanges([1, 2, 3, 5, 7, 8, 9, 12])).toBe('1-3, 5, 7-9, 12');
    expect(numberRanges(Array.from({ length: 177 }, (_, i) => i + 1))).toBe('1-177');
  });
});

describe('the budget of a run resumed many times', () => {
  // Attempt 1 made the calls; attempts 2 to 177 replayed them (and spent nothing).
  const earlier = Array.from({ length: 177 }, (_, i) => {
    const spent = emptyTotals();
    if (i === 0) addUsage(spent, usage);
    return { attempt: i + 1, calls: i === 0 ? 3 : 0, usage: spent };
  });

  it('names the earlier attempts as a range in the summary', () => {
    const budget = new Budget({ maxCalls: 10 }, earlier, 178);
    expect(formatBudget(budget.report())).toBe('calls 3 / 10 (3 in attempts 1-177)');
  });

  it('names only the attempts that spent when a limit stops the run', () => {
    const budget = new Budget({ tokens: 50 }, earlier, 178);
    const exceeded = budget.recordLive(usage);
    expect(exceeded?.message).toContain('(attempt 1: 60, 176 other attempts: nothing, attempt 178: 60)');
    expect(exceeded?.message).not.toContain('attempt 2:');
  });
});
