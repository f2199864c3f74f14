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
    /**
     * `previous` was written by earlier runs (the action's `resume-scope: workflow` restoring another run's
     * journal, `reprise run --reuse`): this attempt starts a new run that reuses their calls by the cross-run
     * rule (engine/reuse.ts) and says so in its header. Later attempts of the run need not say it: the journal
     * does. Ignored, with a warning, when `previous` already holds an attempt of this run id (then it is a resume).
     */
    reuseEarlierRuns?: boolean;
    /** Overrides the workflow's `reuse-max-age` (`--reuse-max-age`, the action's input). */
    reuseMaxAgeMs?: number;
    /** The clock of the run's timestamps and of reuse ages (tests simulate weeks with it). */
    now?: () => Date;
    /** Told of every call about to run live, before it starts (RunOptions.beforeLive). */
    beforeLive?: () => void;
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
/**
 * Whether this attempt would replay every call from the journal and run none live, so that no provider is
 * needed. Known by doing it: the attempt runs against the journal with the same inputs, environment and
 * answers, writing nothing, and stops at the first call that would run live (a model turn, a tool, a run
 * step). Only a replay that gets to the end without one proves it; anything else (a live call, a failure,
 * an error) says no. What a step does depends on what came before it (conditions, loops, asks), so
 * nothing short of replaying can tell which calls a resume will make.
 */
export declare function replaysWhole(options: AttemptOptions): Promise<boolean>;
