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
