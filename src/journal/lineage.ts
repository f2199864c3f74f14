// Whose lines a journal holds: a run's own (its attempts, and what it continues: a fork's source, merged
// shards, the run `resume-from` answers) or those of earlier runs it reuses. A run seeded from earlier runs'
// journal (`reprise run --reuse`, the action's `resume-scope: workflow`) names them in the header of its
// first attempt (`reuses`); their calls are replayed only by the cross-run rule (engine/reuse.ts), and
// compaction (compact.ts) may thin them out. Every other line replays as today and is never dropped.
import type { CallEvent, JournalEvent, RunEvent } from './types.js';

export interface JournalLineage {
  /** Ids of the runs whose lines are held only for reuse: every id a `reuses` header names. */
  earlierRuns: ReadonlySet<string>;
  /** The `at` of the newest header that started reusing: how old a reused call is, is measured from it. */
  since?: string;
}

export function journalLineage(events: readonly JournalEvent[]): JournalLineage {
  const earlierRuns = new Set<string>();
  let since: string | undefined;
  for (const event of events) {
    if (event.t !== 'run' || event.reuses === undefined) continue;
    for (const id of event.reuses) earlierRuns.add(id);
    since = event.at;
  }
  return { earlierRuns, ...(since !== undefined ? { since } : {}) };
}

/** The ids of every run with an attempt in the journal, in order of first appearance. */
export function runIdsOf(events: readonly JournalEvent[]): string[] {
  const ids = new Set<string>();
  for (const event of events) if (event.t === 'run') ids.add(event.runId);
  return [...ids];
}

/** The call lines journaled by attempts of `runIds` (a line belongs to the run of the header before it). */
export function callsOfRuns(events: readonly JournalEvent[], runIds: ReadonlySet<string>): Set<CallEvent> {
  const calls = new Set<CallEvent>();
  if (runIds.size === 0) return calls;
  let current: RunEvent | undefined;
  for (const event of events) {
    if (event.t === 'run') current = event;
    else if (event.t === 'call' && current && runIds.has(current.runId)) calls.add(event);
  }
  return calls;
}

/**
 * What a journal holds of its own run: its attempts' headers and the keys of its calls, without the lines of
 * the earlier runs (`earlierRuns`) it carries for reuse. `runs show` and `runs ls` count these.
 */
export function ownPart(events: readonly JournalEvent[]): {
  runs: RunEvent[];
  callKeys: Set<string>;
  earlierRuns: ReadonlySet<string>;
} {
  const { earlierRuns } = journalLineage(events);
  const runs: RunEvent[] = [];
  const callKeys = new Set<string>();
  let own = true;
  for (const event of events) {
    if (event.t === 'run') {
      own = !earlierRuns.has(event.runId);
      if (own) runs.push(event);
    } else if (own && event.t === 'call') callKeys.add(event.key);
  }
  return { runs, callKeys, earlierRuns };
}

/**
 * When run `runId` started: its first attempt's header. A journal seeded from an earlier run, forked or
 * merged begins with other runs' headers, so the first line alone would date the run by theirs.
 */
export function startOfRun(runs: readonly RunEvent[], runId: string): string | undefined {
  return (runs.find((run) => run.runId === runId) ?? runs[0])?.at;
}
