// Cross-run reuse (issue 10): which journaled calls a new run may take from the runs it was seeded from.
// Attempts of one run replay everything, as always. A call journaled by an earlier run is reused only when
// its result stands for what this run would get: a model turn of an API provider (its whole input is in its
// key), or a call the workflow declares reusable (`reuse: true` on the step, or on a command tool / MCP
// server). `run` steps, tools, command agents (they read, and may edit, the workspace, which no key covers)
// and asks (a person answers this run's question) run again. Reused calls older than `reuse-max-age` run
// live again. Which lines are earlier runs' is recorded in the journal (journal/lineage.ts).
import type { AgentRequest } from '../agents/types.js';
import { callsOfRuns, journalLineage, runIdsOf } from '../journal/lineage.js';
import type { CallEvent, CallKind, JournalEvent } from '../journal/types.js';
import type { WorkflowDef } from '../workflow/types.js';

/** The Actions cache evicts an entry nobody restored for 7 days; older reuse would be luck. */
export const DEFAULT_REUSE_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;

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
export function reuseMaxAge(workflow: Pick<WorkflowDef, 'reuseMaxAgeMs'>, override?: number): number {
  return override ?? workflow.reuseMaxAgeMs ?? DEFAULT_REUSE_MAX_AGE_MS;
}

/**
 * The cross-run rule's inputs for an attempt of `runId` over the journal `events`. With `start`, the journal
 * was written by earlier runs (all of it) and this attempt begins a new run reusing it; otherwise the journal
 * says which lines are earlier runs' (`reuses` headers). Undefined when no line is an earlier run's and none
 * starts: everything replays as the run's own.
 */
export function crossRunReuse(
  events: readonly JournalEvent[],
  options: { start?: boolean; maxAgeMs: number },
): CrossRunReuse | undefined {
  if (options.start) {
    const starts = runIdsOf(events);
    return { earlier: callsOfRuns(events, new Set(starts)), starts, maxAgeMs: options.maxAgeMs };
  }
  const lineage = journalLineage(events);
  if (lineage.earlierRuns.size === 0) return undefined;
  const since = lineage.since !== undefined ? new Date(lineage.since) : undefined;
  return {
    earlier: callsOfRuns(events, lineage.earlierRuns),
    ...(since && !Number.isNaN(since.getTime()) ? { since } : {}),
    maxAgeMs: options.maxAgeMs,
  };
}

/** The number of the next attempt: after the run's own attempts (earlier runs' do not count). */
export function nextAttempt(events: readonly JournalEvent[], reuse: CrossRunReuse | undefined): number {
  if (reuse?.starts) return 1;
  const earlierRuns = reuse ? journalLineage(events).earlierRuns : new Set<string>();
  let attempt = 0;
  for (const event of events) {
    if (event.t === 'run' && !earlierRuns.has(event.runId)) attempt = Math.max(attempt, event.attempt);
  }
  return attempt + 1;
}

/** What decides a call's reuse: its kind, its provider, and what the workflow declared. */
export interface ReuseSubject {
  kind: CallKind;
  agent?: Pick<AgentRequest, 'provider' | 'fallbacks'>;
  /** `reuse:` of the step (or of the group, loop or `uses:` step around it), or of a tool's declaration. */
  reuse?: boolean;
}

/** Whether a call may take its result from an earlier run's journal (the cross-run rule). */
export function reusableAcrossRuns(call: ReuseSubject): boolean {
  if (call.reuse !== undefined) return call.reuse;
  if (call.kind !== 'agent' || !call.agent) return false;
  // A command agent (a coding-agent CLI) reads the workspace, which its key does not cover.
  const providers = [call.agent.provider, ...(call.agent.fallbacks ?? []).map((target) => target.provider)];
  return providers.every((provider) => provider.type !== 'command');
}

/** The engine's side of the rule for one attempt: orders a key's journaled lines and counts what happened. */
export class ReuseRule {
  private since = Number.NaN;
  private readonly counts = { reused: 0, rerun: 0, expired: 0 };

  constructor(readonly reuse: CrossRunReuse | undefined) {}

  /** The attempt started at `at`: the age of earlier runs' calls is measured from the run's reuse start. */
  begin(at: Date): void {
    this.since = (this.reuse?.since ?? at).getTime();
  }

  /**
   * The lines a call may replay from, in the order to try them: the run's own first (attempts of one run
   * replay everything), then earlier runs' when the rule lets this call take them. `refused` says why
   * earlier runs' lines were passed over, to be counted if nothing replays (`miss`).
   */
  candidates(
    call: ReuseSubject,
    lines: readonly CallEvent[],
  ): { lines: readonly CallEvent[]; refused?: 'rerun' | 'expired' } {
    const earlier = this.reuse?.earlier;
    if (!earlier || earlier.size === 0) return { lines };
    const own = lines.filter((line) => !earlier.has(line));
    const theirs = lines.filter((line) => earlier.has(line));
    if (theirs.length === 0) return { lines: own };
    if (!reusableAcrossRuns(call)) return { lines: own, refused: 'rerun' };
    const fresh = theirs.filter((line) => !this.expired(line));
    return { lines: [...own, ...fresh], ...(fresh.length === 0 ? { refused: 'expired' } : {}) };
  }

  /** The call replayed `line`. */
  replayed(line: CallEvent): void {
    if (this.reuse?.earlier.has(line)) this.counts.reused += 1;
  }

  /** Nothing replayed for a call whose earlier-run lines were passed over for `why`. */
  miss(why: 'rerun' | 'expired' | undefined): void {
    if (why) this.counts[why] += 1;
  }

  /** Undefined when the journal holds nothing of earlier runs and this attempt starts no reuse. */
  report(askedKeys: ReadonlySet<string>, unreached: ReadonlySet<string>): ReuseReport | undefined {
    if (!this.reuse) return undefined;
    const journaled = new Set<string>();
    for (const line of this.reuse.earlier) if (!unreached.has(line.step)) journaled.add(line.key);
    const unmatched = [...journaled].filter((key) => !askedKeys.has(key)).length;
    return { ...this.counts, unmatched, maxAgeMs: this.reuse.maxAgeMs };
  }

  private expired(line: CallEvent): boolean {
    const age = this.since - Date.parse(line.at);
    // A line whose time does not read cannot show it is young enough.
    return !(age <= (this.reuse?.maxAgeMs ?? 0));
  }
}
