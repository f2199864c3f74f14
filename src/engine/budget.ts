// Spending: what live calls cost, what replay saved, and the workflow's limits on both.
import type { Usage } from '../agents/types.js';
import type { Limits } from '../workflow/types.js';

export interface UsageTotals {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  /** Sum of known costs. */
  costUsd: number;
  /** Calls whose price was unknown: their cost is not in `costUsd`. */
  unpricedCalls: number;
}

export const DEFAULT_MAX_CALLS = 1000;

export function emptyTotals(): UsageTotals {
  return { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, costUsd: 0, unpricedCalls: 0 };
}

export function addUsage(totals: UsageTotals, usage: Usage | undefined): void {
  if (!usage) return;
  totals.inputTokens += usage.inputTokens;
  totals.outputTokens += usage.outputTokens;
  totals.cachedInputTokens += usage.cachedInputTokens;
  if (usage.costUsd === null) totals.unpricedCalls += 1;
  else totals.costUsd += usage.costUsd;
}

export class LimitExceeded extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LimitExceeded';
  }
}

/** Checked before each live call and after each completion. Replayed calls never count. */
export class Budget {
  readonly spent = emptyTotals();
  readonly saved = emptyTotals();
  liveCalls = 0;
  private readonly maxCalls: number;

  constructor(private readonly limits: Limits) {
    this.maxCalls = limits.maxCalls ?? DEFAULT_MAX_CALLS;
  }

  /** Reserves one live call, or explains which limit forbids it. */
  reserveCall(): LimitExceeded | undefined {
    const exceeded = this.exceeded(true);
    if (exceeded) return exceeded;
    if (this.liveCalls >= this.maxCalls) {
      return new LimitExceeded(`limits.max-calls reached: ${this.maxCalls} live calls`);
    }
    this.liveCalls += 1;
    return undefined;
  }

  recordLive(usage: Usage | undefined): LimitExceeded | undefined {
    addUsage(this.spent, usage);
    return this.exceeded(false);
  }

  recordReplayed(usage: Usage | undefined): void {
    addUsage(this.saved, usage);
  }

  /** Before a call, reaching a limit is enough to stop; after one, only going past it is. */
  private exceeded(reaching: boolean): LimitExceeded | undefined {
    const { tokens, usd } = this.limits;
    const used = this.spent.inputTokens + this.spent.outputTokens;
    const over = (value: number, limit: number) => (reaching ? value >= limit : value > limit);
    if (tokens !== undefined && over(used, tokens)) {
      return new LimitExceeded(`limits.tokens exceeded: ${used} tokens used of ${tokens}`);
    }
    if (usd !== undefined && over(this.spent.costUsd, usd)) {
      return new LimitExceeded(
        `limits.usd exceeded: $${this.spent.costUsd.toFixed(4)} spent of $${usd.toFixed(2)}`,
      );
    }
    return undefined;
  }
}
