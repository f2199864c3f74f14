import type { CallEvent, JournalEvent, RunEvent } from './types.js';
export interface JournalLineage {
    /** Ids of the runs whose lines are held only for reuse: every id a `reuses` header names. */
    earlierRuns: ReadonlySet<string>;
    /** The `at` of the newest header that started reusing: how old a reused call is, is measured from it. */
    since?: string;
}
export declare function journalLineage(events: readonly JournalEvent[]): JournalLineage;
/** The ids of every run with an attempt in the journal, in order of first appearance. */
export declare function runIdsOf(events: readonly JournalEvent[]): string[];
/** The call lines journaled by attempts of `runIds` (a line belongs to the run of the header before it). */
export declare function callsOfRuns(events: readonly JournalEvent[], runIds: ReadonlySet<string>): Set<CallEvent>;
/**
 * What a journal holds of its own run: its attempts' headers and the keys of its calls, without the lines of
 * the earlier runs (`earlierRuns`) it carries for reuse. `runs show` and `runs ls` count these.
 */
export declare function ownPart(events: readonly JournalEvent[]): {
    runs: RunEvent[];
    callKeys: Set<string>;
    earlierRuns: ReadonlySet<string>;
};
/**
 * When run `runId` started: its first attempt's header. A journal seeded from an earlier run, forked or
 * merged begins with other runs' headers, so the first line alone would date the run by theirs.
 */
export declare function startOfRun(runs: readonly RunEvent[], runId: string): string | undefined;
