import type { AgentRequest } from '../agents/types.js';
import type { CallEvent, CallKind, JournalEvent } from '../journal/types.js';
import type { WorkflowDef } from '../workflow/types.js';
/** The Actions cache evicts an entry nobody restored for 7 days; older reuse would be luck. */
export declare const DEFAULT_REUSE_MAX_AGE_MS: number;
/** What the engine needs to apply the cross-run rule (RunOptions.reuse); built by `crossRunReuse`. */
export interface CrossRunReuse {
    /** The call lines journaled by earlier runs: replayed only by the cross-run rule. */
    earlier: ReadonlySet<CallEvent>;
    /** On the first attempt of a run seeded from earlier runs: their ids, written in its header (`reuses`). */
    starts?: string[];
    /** When the run began reusing (the `at` of that header); absent on the first attempt: its own start. */
    since?: Date;
    /** Earlier runs' calls journaled longer than this before `since` run live again. */
    maxAgeMs: number;
}
/** What cross-run reuse did in one attempt: in the terminal and job summaries and `--json`. */
export interface ReuseReport {
    /** Calls replayed from a line an earlier run journaled. */
    reused: number;
    /** Calls an earlier run journaled that ran again: run steps, tools, command agents, asks, `reuse: false`. */
    rerun: number;
    /** Calls whose earlier-run result was older than reuse-max-age: they ran live. */
    expired: number;
    /** Keys earlier runs journaled that no call of this attempt asked for (edited or removed steps). */
    unmatched: number;
    maxAgeMs: number;
}
/** The effective `reuse-max-age`: a flag or action input, else the workflow's, else 7 days. */
export declare function reuseMaxAge(workflow: Pick<WorkflowDef, 'reuseMaxAgeMs'>, override?: number): number;
/**
 * The cross-run rule's inputs for an attempt of `runId` over the journal `events`. With `start`, the journal
 * was written by earlier runs (all of it) and this attempt begins a new run reusing it; otherwise the journal
 * says which lines are earlier runs' (`reuses` headers). Undefined when no line is an earlier run's and none
 * starts: everything replays as the run's own.
 */
export declare function crossRunReuse(events: readonly JournalEvent[], options: {
    start?: boolean;
    maxAgeMs: number;
}): CrossRunReuse | undefined;
/** The number of the next attempt: after the run's own attempts (earlier runs' do not count). */
export declare function nextAttempt(events: readonly JournalEvent[], reuse: CrossRunReuse | undefined): number;
/** What decides a call's reuse: its kind, its provider, and what the workflow declared. */
export interface ReuseSubject {
    kind: CallKind;
    agent?: Pick<AgentRequest, 'provider' | 'fallbacks'>;
    /** `reuse:` of the step (or of the group, loop or `uses:` step around it), or of a tool's declaration. */
    reuse?: boolean;
}
/** Whether a call may take its result from an earlier run's journal (the cross-run rule). */
export declare function reusableAcrossRuns(call: ReuseSubject): boolean;
/** The engine's side of the rule for one attempt: orders a key's journaled lines and counts what happened. */
export declare class ReuseRule {
    readonly reuse: CrossRunReuse | undefined;
    private since;
    private readonly counts;
    constructor(reuse: CrossRunReuse | undefined);
    /** The attempt started at `at`: the age of earlier runs' calls is measured from the run's reuse start. */
    begin(at: Date): void;
    /**
     * The lines a call may replay from, in the order to try them: the run's own first (attempts of one run
     * replay everything), then earlier runs' when the rule lets this call take them. `refused` says why
     * earlier runs' lines were passed over, to be counted if nothing replays (`miss`).
     */
    candidates(call: ReuseSubject, lines: readonly CallEvent[]): {
        lines: readonly CallEvent[];
        refused?: 'rerun' | 'expired';
    };
    /** The call replayed `line`. */
    replayed(line: CallEvent): void;
    /** Nothing replayed for a call whose earlier-run lines were passed over for `why`. */
    miss(why: 'rerun' | 'expired' | undefined): void;
    /** Undefined when the journal holds nothing of earlier runs and this attempt starts no reuse. */
    report(askedKeys: ReadonlySet<string>, unreached: ReadonlySet<string>): ReuseReport | undefined;
    private expired;
}
