import type { Usage } from '../agents/types.js';
import type { JournalEvent } from '../journal/types.js';
import type { Limits } from '../workflow/types.js';
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
export declare const DEFAULT_MAX_CALLS = 1000;
export declare function emptyTotals(): UsageTotals;
export declare function addUsage(totals: UsageTotals, usage: Usage | undefined): void;
export declare function addTotals(totals: UsageTotals, more: UsageTotals): void;
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
export declare function spentInJournal(events: readonly JournalEvent[], runId: string): AttemptSpend[];
/**
 * Totals for machine-readable output (`--json`, action outputs): `costUsd` is null unless every call was
 * priced, so an unknown cost never reads as 0; `knownCostUsd` and `unpricedCalls` say what is known.
 */
export declare function usageJson(totals: UsageTotals): {
    inputTokens: number;
    outputTokens: number;
    costUsd: number | null;
    knownCostUsd: number;
    unpricedCalls: number;
    estimatedCalls: number;
};
export type LimitOverrides = Partial<Pick<Limits, 'tokens' | 'usd' | 'maxCalls'>>;
/**
 * Limits given for one attempt (`--limit tokens=50000`, the action's `limits:` input), by their workflow names.
 * Since limits count every attempt of a run, this is the explicit way for a resumed run to spend more.
 */
export declare function parseLimitOverrides(values: Record<string, string>): {
    limits: LimitOverrides;
} | {
    error: string;
};
export declare function totalTokens(totals: UsageTotals): number;
export declare class LimitExceeded extends Error {
    constructor(message: string);
}
/** Where a run stands against its limits, for summaries: spent counts every attempt of the run. */
export interface BudgetReport {
    limits: Pick<Limits, 'maxCalls' | 'tokens' | 'usd'>;
    /** Live calls and usage of all attempts, this one included. */
    calls: number;
    spent: UsageTotals;
    /** The part of `calls`/`spent` that earlier attempts made. */
    earlier: {
        attempts: number[];
        calls: number;
        usage: UsageTotals;
    };
}
/** Checked before each live call and after each completion. Replayed calls never count; earlier attempts do. */
export declare class Budget {
    private readonly limits;
    private readonly attempt;
    /** This attempt's live spending. */
    readonly spent: UsageTotals;
    readonly saved: UsageTotals;
    liveCalls: number;
    private readonly maxCalls;
    private readonly earlier;
    private readonly earlierTotals;
    private readonly earlierCalls;
    constructor(limits: Limits, earlier?: readonly AttemptSpend[], attempt?: number);
    /** Reserves one live call, or explains which limit forbids it. */
    reserveCall(): LimitExceeded | undefined;
    recordLive(usage: Usage | undefined): LimitExceeded | undefined;
    recordReplayed(usage: Usage | undefined): void;
    report(): BudgetReport;
    /** Before a call, reaching a limit is enough to stop; after one, only going past it is. */
    private exceeded;
    /** ` (attempt 1: 30, attempt 2: 18)` when earlier attempts spent part of it; empty otherwise. */
    private byAttempt;
}
