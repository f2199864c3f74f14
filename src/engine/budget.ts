// Spending: what live calls cost, what replay saved, and the workflow's limits on both. Limits are run-wide:
// what earlier attempts of the same run spent (read back from its journal) counts as much as this attempt.
import type { Usage } from '../agents/types.js';
import type { JournalEvent } from '../journal/types.js';
import type { Limits } from '../workflow/types.js';

/** Earlier attempts named one by one in a limit's message; beyond this, only those that spent. */
const MAX_ATTEMPTS_NAMED = 5;
export interface UsageTotals {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  /** Sum of known costs. */
  costUsd: number;
  /** Calls whose price was unknown: their cost is not in `costUsd`. */
  unpricedCalls: number;
  /** Calls whose provider reported no usage: their tokens (and cost) are estimates. */
  estimatedCalls: number;
}

export const DEFAULT_MAX_CALLS = 1000;

export function emptyTotals(): UsageTotals {
  return {
    inputTokens: 0,
    outputTokens: 0,
    cachedInputTokens: 0,
    costUsd: 0,
    unpricedCalls: 0,
    estimatedCalls: 0,
  };
}

export function addUsage(totals: UsageTotals, usage: Usage | undefined): void {
  if (!usage) return;
  totals.inputTokens += usage.inputTokens;
  totals.outputTokens += usage.outputTokens;
  totals.cachedInputTokens += usage.cachedInputTokens;
  if (usage.costUsd === null) totals.unpricedCalls += 1;
  else totals.costUsd += usage.costUsd;
  if (usage.estimated) totals.estimatedCalls += 1;
}

export function addTotals(totals: UsageTotals, more: UsageTotals): void {
  totals.inputTokens += more.inputTokens;
  totals.outputTokens += more.outputTokens;
  totals.cachedInputTokens += more.cachedInputTokens;
  totals.costUsd += more.costUsd;
  totals.unpricedCalls += more.unpricedCalls;
  totals.estimatedCalls += more.estimatedCalls;
}

/** What one earlier attempt of this run spent on live calls. */
export interface AttemptSpend {
  attempt: number;
  /** Live calls it made (completed or failed). */
  calls: number;
  usage: UsageTotals;
}

/**
 * The live spending of earlier attempts of run `runId`, read from its journal. Another run's entries (a journal
 * restored across runs) never count: their calls are reused, not spent again.
 */
export function spentInJournal(events: readonly JournalEvent[], runId: string): AttemptSpend[] {
  const byAttempt = new Map<number, AttemptSpend>();
  let current: AttemptSpend | undefined;
  for (const event of events) {
    if (event.t === 'run') {
      current = undefined;
      if (event.runId !== runId) continue;
      current = byAttempt.get(event.attempt) ?? { attempt: event.attempt, calls: 0, usage: emptyTotals() };
      byAttempt.set(event.attempt, current);
    } else if (current && (event.t === 'call' || event.t === 'fail')) {
      current.calls += 1;
      // An agent's usage is kept once, in its result (the file reader copies it onto the event).
      addUsage(current.usage, event.usage ?? (event.t === 'call' ? resultUsage(event.result) : undefined));
    }
  }
  return [...byAttempt.values()].sort((a, b) => a.attempt - b.attempt);
}

/**
 * Totals for machine-readable output (`--json`, action outputs): `costUsd` is null unless every call was
 * priced, so an unknown cost never reads as 0; `knownCostUsd` and `unpricedCalls` say what is known.
 */
export function usageJson(totals: UsageTotals): {
  inputTokens: number;
  outputTokens: number;
  costUsd: number | null;
  knownCostUsd: number;
  unpricedCalls: number;
  estimatedCalls: number;
} {
  const known = Number(totals.costUsd.toPrecision(12));
  return {
    inputTokens: totals.inputTokens,
    outputTokens: totals.outputTokens,
    costUsd: totals.unpricedCalls > 0 ? null : known,
    knownCostUsd: known,
    unpricedCalls: totals.unpricedCalls,
    estimatedCalls: totals.estimatedCalls,
  };
}

export type LimitOverrides = Partial<Pick<Limits, 'tokens' | 'usd' | 'maxCalls'>>;

const OVERRIDABLE: Record<string, keyof LimitOverrides> = {
  tokens: 'tokens',
  usd: 'usd',
  'max-calls': 'maxCalls',
};

/**
 * Limits given for one attempt (`--limit tokens=50000`, the action's `limits:` input), by their workflow names.
 * Since limits count every attempt of a run, this is the explicit way for a resumed run to spend more.
 */
export function parseLimitOverrides(
  values: Record<string, string>,
): { limits: LimitOverrides } | { error: string } {
  const limits: LimitOverrides = {};
  for (const [name, text] of Object.entries(values)) {
    const field = OVERRIDABLE[name];
    if (!field) return { error: `unknown limit "${name}": use ${Object.keys(OVERRIDABLE).join(', ')}` };
    const value = Number(text.trim());
    const whole = field !== 'usd';
    if (text.trim() === '' || !Number.isFinite(value) || value <= 0 || (whole && !Number.isInteger(value))) {
      return { error: `limit "${name}" must be ${whole ? 'a whole number' : 'a number'} > 0, got "${text}"` };
    }
    limits[field] = value;
  }
  return { limits };
}

function resultUsage(result: unknown): Usage | undefined {
  const usage =
    typeof result === 'object' && result !== null ? (result as { usage?: unknown }).usage : undefined;
  if (typeof usage !== 'object' || usage === null) return undefined;
  const { inputTokens, outputTokens } = usage as Partial<Usage>;
  return typeof inputTokens === 'number' && typeof outputTokens === 'number' ? (usage as Usage) : undefined;
}

export function totalTokens(totals: UsageTotals): number {
  return totals.inputTokens + totals.outputTokens;
}

export class LimitExceeded extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LimitExceeded';
  }
}

/** Where a run stands against its limits, for summaries: spent counts every attempt of the run. */
export interface BudgetReport {
  limits: Pick<Limits, 'maxCalls' | 'tokens' | 'usd'>;
  /** Live calls and usage of all attempts, this one included. */
  calls: number;
  spent: UsageTotals;
  /** The part of `calls`/`spent` that earlier attempts made. */
  earlier: { attempts: number[]; calls: number; usage: UsageTotals };
}

/** Checked before each live call and after each completion. Replayed calls never count; earlier attempts do. */
export class Budget {
  /** This attempt's live spending. */
  readonly spent = emptyTotals();
  readonly saved = emptyTotals();
  liveCalls = 0;
  private readonly maxCalls: number;
  private readonly earlier: AttemptSpend[];
  private readonly earlierTotals = emptyTotals();
  private readonly earlierCalls: number;

  constructor(
    private readonly limits: Limits,
    earlier: readonly AttemptSpend[] = [],
    private readonly attempt = 1,
  ) {
    this.maxCalls = limits.maxCalls ?? DEFAULT_MAX_CALLS;
    this.earlier = earlier.filter((spend) => spend.attempt !== attempt);
    for (const spend of this.earlier) addTotals(this.earlierTotals, spend.usage);
    this.earlierCalls = this.earlier.reduce((sum, spend) => sum + spend.calls, 0);
  }

  /** Reserves one live call, or explains which limit forbids it. */
  reserveCall(): LimitExceeded | undefined {
    const exceeded = this.exceeded(true);
    if (exceeded) return exceeded;
    const calls = this.earlierCalls + this.liveCalls;
    if (calls >= this.maxCalls) {
      return new LimitExceeded(
        `limits.max-calls reached: ${calls} live calls${this.byAttempt((spend) => spend.calls, this.liveCalls)}`,
      );
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

  report(): BudgetReport {
    const spent = emptyTotals();
    addTotals(spent, this.earlierTotals);
    addTotals(spent, this.spent);
    return {
      limits: { maxCalls: this.limits.maxCalls, tokens: this.limits.tokens, usd: this.limits.usd },
      calls: this.earlierCalls + this.liveCalls,
      spent,
      earlier: {
        attempts: this.earlier.map((spend) => spend.attempt),
        calls: this.earlierCalls,
        usage: { ...this.earlierTotals },
      },
    };
  }

  /** Before a call, reaching a limit is enough to stop; after one, only going past it is. */
  private exceeded(reaching: boolean): LimitExceeded | undefined {
    const { tokens, usd } = this.limits;
    const used = totalTokens(this.earlierTotals) + totalTokens(this.spent);
    const over = (value: number, limit: number) => (reaching ? value >= limit : value > limit);
    const estimated = this.earlierTotals.estimatedCalls + this.spent.estimatedCalls > 0 ? '~' : '';
    if (tokens !== undefined && over(used, tokens)) {
      return new LimitExceeded(
        `limits.tokens exceeded: ${estimated}${used} tokens used of ${tokens}` +
          this.byAttempt((spend) => totalTokens(spend.usage), totalTokens(this.spent)),
      );
    }
    const cost = this.earlierTotals.costUsd + this.spent.costUsd;
    if (usd !== undefined && over(cost, usd)) {
      return new LimitExceeded(
        `limits.usd exceeded: $${cost.toFixed(4)} spent of $${usd < 0.01 ? usd.toFixed(4) : usd.toFixed(2)}` +
          this.byAttempt(
            (spend) => `$${spend.usage.costUsd.toFixed(4)}`,
            `$${this.spent.costUsd.toFixed(4)}`,
          ),
      );
    }
    return undefined;
  }

  /** ` (attempt 1: 30, attempt 2: 18)` when earlier attempts spent part of it; empty otherwise. */
  private byAttempt(measure: (spend: AttemptSpend) => number | string, current: number | string): string {
    if (this.earlier.length === 0) return '';
    // A run resumed many times names the attempts that made live calls, and counts those that only replayed.
    const many = this.earlier.length > MAX_ATTEMPTS_NAMED;
    const named = many ? this.earlier.filter((spend) => spend.calls > 0) : this.earlier;
    const parts = named.map((spend) => `attempt ${spend.attempt}: ${measure(spend)}`);
    const idle = this.earlier.length - named.length;
    if (idle > 0) parts.push(`${idle} other attempt${idle === 1 ? '' : 's'}: nothing`);
    parts.push(`attempt ${this.attempt}: ${current}`);
    return ` (${parts.join(', ')})`;
  }
}
