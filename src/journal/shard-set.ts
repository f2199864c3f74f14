// The journals of a sharded run's shards, checked as a set before they are merged and replayed: each
// is a journal of this workflow file, of the same number of shards and the same inputs, every shard is
// there exactly once and finished its part. Anything else is refused with a message naming the journal,
// unless the caller chose to run a missing or unfinished shard's items live.
import { addUsage, emptyTotals } from '../engine/budget.js';
import type { UsageTotals } from '../engine/budget.js';
import { journalLineage } from './lineage.js';
import { mergeJournals } from './merge.js';
import { summariseProblems, type JournalRead } from './reader.js';
import type { RunStatus, ShardId } from './types.js';

export type OnMissingShard = 'fail' | 'run';

export interface ShardSetOptions {
  workflow: string;
  /** `sha256:` of the workflow file the merge runs: a shard of another version is refused. */
  script: string;
  onMissing: OnMissingShard;
  /** The number of shards the caller expects (the action's `shards` input), when it knows. */
  total?: number;
}

export interface ShardJournal extends ShardId {
  source: string;
  attempts: number;
  /** How its last attempt ended; undefined when it was cut off before its end event. */
  status?: RunStatus;
  calls: number;
  /** What its journaled calls spent when they ran. */
  usage: UsageTotals;
}

export interface ShardSet {
  total: number;
  shards: ShardJournal[];
  /** Indexes with no journal (only with `onMissing: 'run'`). */
  missing: number[];
  /** The union of the shards' journals, shards in index order. */
  merged: JournalRead;
  /** Damaged lines, and the shards accepted under `onMissing: 'run'` despite being missing or unfinished. */
  warnings: string[];
}

/** The set cannot be merged; `problems` names every journal at fault. */
export class ShardSetError extends Error {
  constructor(readonly problems: string[]) {
    super(
      problems.length === 1
        ? `cannot merge the shards: ${problems[0]}`
        : `cannot merge the shards:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
}

export function checkShardSet(reads: JournalRead[], options: ShardSetOptions): ShardSet {
  const problems: string[] = [];
  const warnings: string[] = [];
  const found: { read: JournalRead; shard: ShardJournal }[] = [];

  for (const read of reads) {
    // A shard that reused an earlier run's journal (resume-scope: workflow) holds that run's lines too:
    // only its own attempts say which shard it is.
    const earlierRuns = journalLineage(read.events).earlierRuns;
    const runs = read.runs.filter((run) => !earlierRuns.has(run.runId));
    const header = runs[0];
    if (!header) {
      const why = read.problems.find((p) => p.severity === 'warning')?.message;
      problems.push(`${read.source} is ${why ? `corrupted: ${why}` : 'empty: no run was journaled in it'}`);
      continue;
    }
    if (read.runs.some((run) => run.workflow !== options.workflow)) {
      const other = read.runs.find((run) => run.workflow !== options.workflow)?.workflow;
      problems.push(`${read.source} is a journal of workflow "${other}", not "${options.workflow}"`);
      continue;
    }
    const shard = header.shard;
    if (!shard || runs.some((run) => !run.shard)) {
      problems.push(
        `${read.source} is not a shard's journal (it was not run with --shard or the action's "shard" input)`,
      );
      continue;
    }
    if (runs.some((run) => run.shard?.index !== shard.index || run.shard.total !== shard.total)) {
      problems.push(`${read.source} holds attempts of different shards`);
      continue;
    }
    const changed = runs.find((run) => run.script !== options.script);
    if (changed) {
      problems.push(
        `${read.source} (shard ${shard.index}/${shard.total}) ran another version of the workflow file ` +
          `(${short(changed.script)}, this one is ${short(options.script)}); re-run the shards with this version`,
      );
      continue;
    }
    for (const problem of summariseProblems(read.problems)) {
      if (problem.severity === 'warning') warnings.push(`${read.source}: ${problem.message}`);
    }
    const lastStart = read.events.lastIndexOf(runs[runs.length - 1]!);
    const end = read.events.slice(lastStart).findLast((event) => event.t === 'end');
    found.push({
      read,
      shard: {
        ...shard,
        source: read.source,
        attempts: runs.length,
        status: end?.t === 'end' ? end.status : undefined,
        calls: read.candidates.size,
        usage: totalUsage(read),
      },
    });
  }

  const totals = [
    ...new Set([...(options.total ? [options.total] : []), ...found.map((f) => f.shard.total)]),
  ];
  if (totals.length > 1) {
    const expected = options.total ? ` (expected ${options.total})` : '';
    problems.push(
      `the journals are of different numbers of shards${expected}: ` +
        found.map((f) => `${f.shard.source} is shard ${f.shard.index}/${f.shard.total}`).join(', '),
    );
  }
  const total = totals[0] ?? options.total;
  if (total === undefined) {
    if (problems.length === 0) problems.push('no shard journals were given');
    throw new ShardSetError(problems);
  }

  const byIndex = new Map<number, (typeof found)[number]>();
  for (const entry of found) {
    const first = byIndex.get(entry.shard.index);
    if (first) {
      problems.push(
        `shard ${entry.shard.index}/${total} appears twice: ${first.shard.source} and ${entry.shard.source}`,
      );
      continue;
    }
    byIndex.set(entry.shard.index, entry);
  }

  const reference = [...byIndex.values()].sort((a, b) => a.shard.index - b.shard.index)[0];
  for (const entry of byIndex.values()) {
    if (!reference || entry === reference) continue;
    const name = differingInput(reference.read, entry.read);
    if (name !== undefined) {
      problems.push(
        `${entry.shard.source} (shard ${entry.shard.index}/${total}) ran with another value of input "${name}" than ` +
          `${reference.shard.source} (shard ${reference.shard.index}/${total})`,
      );
    }
  }

  const missing: number[] = [];
  for (let index = 0; index < total; index++) if (!byIndex.has(index)) missing.push(index);
  if (missing.length > 0) {
    const list = missing.map((index) => `${index}/${total}`).join(', ');
    if (options.onMissing === 'run') {
      warnings.push(
        `no journal of shard ${list}: ${missing.length === 1 ? 'its' : 'their'} items run live here`,
      );
    } else {
      problems.push(
        `no journal of shard ${list} (found ${byIndex.size} of ${total}); re-run ${missing.length === 1 ? 'that shard' : 'those shards'}, ` +
          `or merge with on-missing-shard: run to run ${missing.length === 1 ? 'its' : 'their'} items live`,
      );
    }
  }
  for (const { shard } of byIndex.values()) {
    if (shard.status === 'sharded') continue;
    const how = shard.status === undefined ? 'was cut off' : `ended ${shard.status}`;
    const what = `shard ${shard.index}/${total} (${shard.source}) did not finish its part: its last attempt ${how}`;
    if (options.onMissing === 'run')
      warnings.push(`${what}; its ${shard.calls} journaled calls are replayed and the rest run live`);
    else
      problems.push(
        `${what}; re-run it, or merge with on-missing-shard: run to run its remaining items live`,
      );
  }
  if (problems.length > 0) throw new ShardSetError(problems);

  const ordered = [...byIndex.values()].sort((a, b) => a.shard.index - b.shard.index);
  return {
    total,
    shards: ordered.map((entry) => entry.shard),
    missing,
    merged: mergeJournals(ordered.map((entry) => entry.read)),
    warnings,
  };
}

/** The name of an input whose journaled value differs between two shards (secret ones are redacted in both). */
function differingInput(a: JournalRead, b: JournalRead): string | undefined {
  const left = a.runs.at(-1)?.inputs ?? {};
  const right = b.runs.at(-1)?.inputs ?? {};
  for (const name of new Set([...Object.keys(left), ...Object.keys(right)])) {
    if (JSON.stringify(left[name]) !== JSON.stringify(right[name])) return name;
  }
  return undefined;
}

function totalUsage(read: JournalRead): UsageTotals {
  const totals = emptyTotals();
  for (const call of read.calls.values()) addUsage(totals, call.usage);
  return totals;
}

function short(script: string): string {
  return script.slice(0, 'sha256:'.length + 12);
}
