import type { JournalRead } from './journal/reader.js';
import type { RunAnswers } from './engine/ask.js';
import type { RunObserver, RunOptions, RunResult } from './engine/types.js';
import type { ShardId } from './engine/shard.js';
import type { WorkflowDef } from './workflow/types.js';
export interface AttemptOptions {
    workflow: WorkflowDef;
    runId: string;
    journalPath: string;
    /** What earlier attempts journaled (already checked to belong to this workflow). */
    previous: JournalRead;
    /** Inputs given for this attempt, merged over the ones this run recorded (secret inputs are never recorded). */
    given?: {
        values: Record<string, unknown>;
        fromStrings: boolean;
    };
    /** The inputs, already resolved with resolveAttemptInputs (else resolved here from `given`). */
    inputs?: AttemptInputs;
    /** Limits raised (or lowered) for this attempt, over the workflow's. */
    limits?: RunOptions['limits'];
    workspace: string;
    env: Record<string, string | undefined>;
    github?: Record<string, unknown>;
    concurrency?: number;
    /** Pause the run after this step (a step path). */
    until?: string;
    signal?: AbortSignal;
    observer?: RunObserver;
    /** Registers a secret value with the host (the action masks it in logs). */
    onSecret?: (value: string) => void;
    retry?: {
        baseMs?: number;
    };
    /** Answers given to this attempt (checked with checkGivenAnswers) and whether the run may wait. */
    answers?: Pick<RunAnswers, 'given' | 'wait'>;
    /** Run one shard of the sharded fan-outs. */
    shard?: ShardId;
    /** This attempt replays the merged journals of this many shards. */
    mergeOf?: number;
    /** Run steps' output cap and the directory (the run's own, never uploaded) for what exceeds it. */
    runOutput?: RunOptions['runOutput'];
}
export interface AttemptOutcome {
    attempt: number;
    inputs: Record<string, unknown>;
    result: RunResult;
}
/** Invalid inputs: nothing ran. */
export declare class InputsError extends Error {
}
/** The inputs of an attempt, checked: the given ones merged over those the run recorded. */
export interface AttemptInputs {
    values: Record<string, unknown>;
    /** Recorded inputs the workflow no longer declares: left out, and said so. */
    dropped: string[];
}
/**
 * Resolves and checks an attempt's inputs before anything is created or run. Throws InputsError. Given inputs
 * merge over the ones this run recorded (`--input token=...` alone keeps every other input); recorded inputs
 * the workflow no longer declares are left out (and named), and secret inputs, which were never journaled,
 * must be given again.
 */
export declare function resolveAttemptInputs(workflow: WorkflowDef, previous: JournalRead, given: AttemptOptions['given']): AttemptInputs;
/**
 * A merge run must run with the inputs its shards ran with, or no sharded call would match its key and
 * every item would run live again. Throws InputsError naming the first input that differs.
 */
export declare function checkMergeInputs(workflow: WorkflowDef, previous: JournalRead, values: Record<string, unknown>): void;
export declare function runAttempt(options: AttemptOptions): Promise<AttemptOutcome>;
