import type { Usage } from '../agents/types.js';
/** The version this reprise writes. 2: every line ends with a checksum (see checksum.ts). */
export declare const JOURNAL_VERSION = 2;
/** The first version whose lines carry checksums. Lines of version 1 attempts are read unchecked. */
export declare const CHECKSUM_VERSION = 2;
export type JournalVersion = 1 | 2;
/** Versions this reprise reads: its own and version 1 (without checksums). */
export declare function isReadableVersion(version: number): version is JournalVersion;
/** `waiting`: an ask is unanswered; everything that did not depend on it ran. `sharded`: a shard of a
 * matrix job finished its part of the sharded fan-outs (see engine/shard.ts). `paused`: stopped after
 * the step named by `--until`; `--resume` continues. */
export type RunStatus = 'succeeded' | 'failed' | 'cancelled' | 'waiting' | 'sharded' | 'paused';
export type CallKind = 'agent' | 'run' | 'tool' | 'ask';
/** Opens every attempt: the first line of a journal is always one. */
export interface RunEvent {
    v: JournalVersion;
    t: 'run';
    workflow: string;
    /** `sha256:<hex>` of the workflow file this attempt ran. */
    script: string;
    /** The workflow file, relative to the workspace (so `reprise fork --from` can find the step order). */
    file?: string;
    runId: string;
    attempt: number;
    /** A line leaves them out when they are the previous attempt's (since 0.2): the reader fills them in. */
    inputs: Record<string, unknown>;
    /** Set when this attempt ran one shard (0-based `index` of `total`) of the workflow's sharded fan-outs. */
    shard?: ShardId;
    /** Limits given for this attempt on top of the workflow's (`--limit`, the action's `limits`). */
    limits?: Record<string, number>;
    /**
     * Set on the first attempt of a run seeded from earlier runs' journal (`reprise run --reuse`, the action's
     * `resume-scope: workflow`): the ids of those runs. Their calls are reused only by the cross-run rule
     * (engine/reuse.ts); every other line of the journal is a run's own and replays in full.
     */
    reuses?: string[];
    at: string;
}
export interface ShardId {
    index: number;
    total: number;
}
/** A completed call. Its `result` is replayed for any later call with the same key. */
export interface CallEvent {
    t: 'call';
    key: string;
    step: string;
    /** The for-each index, when the step fans out. */
    item?: number;
    kind: CallKind;
    /** What was asked, in one line of at most 200 characters (prompt, script), for people reading runs. */
    request?: string;
    model?: string;
    result: unknown;
    usage?: Usage;
    ms: number;
    at: string;
}
export interface FailEvent {
    t: 'fail';
    key: string;
    step: string;
    item?: number;
    error: {
        class: 'recoverable' | 'fatal';
        message: string;
    };
    /** What the failed call spent before it failed (counted against run-wide limits on resume). */
    usage?: Usage;
    at: string;
}
/** A step's final state in this attempt (succeeded, failed, skipped). */
export interface StepEvent {
    t: 'step';
    step: string;
    status: 'succeeded' | 'failed' | 'skipped' | 'cancelled' | 'waiting';
    at: string;
}
/**
 * A person's answer to an ask, bound to the ask's key (its resolved question and occurrence): a changed
 * question is a new key and is asked again. The ask's call event is written when a run takes it.
 */
export interface AnswerEvent {
    t: 'answer';
    key: string;
    step: string;
    item?: number;
    value: unknown;
    /** Who answered (a login, `cli`), when known. */
    by?: string;
    at: string;
}
/** An unanswered ask of a run that ended `waiting`. */
export interface Question {
    step: string;
    /** The for-each index, when the ask fans out. */
    item?: number;
    key: string;
    question: string;
    /** JSON Schema of a valid answer. */
    answerSchema: Record<string, unknown>;
}
export interface EndEvent {
    t: 'end';
    status: RunStatus;
    error?: string;
    /** Absent when the same as the previous attempt's end (since 0.2); the reader fills it in. */
    outputs?: Record<string, unknown>;
    /** With status `waiting`: the asks nobody has answered yet. */
    questions?: Question[];
    at: string;
}
export type JournalEvent = RunEvent | CallEvent | FailEvent | StepEvent | AnswerEvent | EndEvent;
/**
 * Every call event of `key` in a map of calls by key (a reader's `candidates`, what the engine replays from),
 * in journal order: the map holds the event itself for a key journaled once, a list for a repeated key.
 */
export declare function candidatesOf(candidates: ReadonlyMap<string, CallEvent | readonly CallEvent[]>, key: string): readonly CallEvent[];
