// `reprise run FILE --reuse RUN`: a new run seeded with what an earlier run journaled, reused by the
// cross-run rule (engine/reuse.ts) as the action's `resume-scope: workflow` reuses an earlier workflow
// run's: model calls replay, run steps and tools run again, calls older than reuse-max-age run live.
import { formatShard, type ShardId } from '../engine/shard.js';
import { compactJournal, describeCompaction } from '../journal/compact.js';
import { ownPart } from '../journal/lineage.js';
import { serializeEvents } from '../journal/merge.js';
import { journalBelongsTo, parseJournal, readJournalFile, summariseProblems } from '../journal/reader.js';
import type { JournalRead } from '../journal/reader.js';
import type { LocalStore } from '../stores/local.js';
import { parseDuration } from '../workflow/duration.js';
import type { WorkflowDef } from '../workflow/types.js';
import { UsageError, asUsageError } from './io.js';
import type { CliIO } from './io.js';

/**
 * The journal a run reusing `source` starts from: the source's journal compacted as a seed (one line per key,
 * within the size cap), to be written as the new run's journal once every check has passed. Calls older than
 * reuse-max-age stay in it, so that the run's summary counts them as too old (and runs them live); the next
 * seed taken from this run drops them.
 */
export async function seedFromRun(
  store: LocalStore,
  source: string,
  workflow: WorkflowDef,
  options: { journalPath: string; now: Date; shard?: ShardId },
  io: CliIO,
): Promise<{ previous: JournalRead; sourceId: string; description: string }> {
  const sourceId = await asUsageError(() => store.resolve(source));
  const path = store.journalPath(sourceId);
  const read = await readJournalFile(path);
  for (const problem of summariseProblems(read.problems)) {
    io.err.write(`${problem.severity}: ${path}: ${problem.message}\n`);
  }
  if (read.runs.length === 0)
    throw new UsageError(`--reuse ${source}: run ${sourceId} has no journal to reuse`);
  const foreign = journalBelongsTo(read, workflow.name);
  if (foreign) throw new UsageError(`--reuse ${source}: ${foreign}`);
  if (options.shard) checkShardSeed(read, options.shard, source, sourceId);
  const { events, report } = compactJournal(read.events, {
    maxAgeMs: Number.POSITIVE_INFINITY,
    seedAt: options.now,
  });
  const previous = parseJournal(serializeEvents(events), options.journalPath);
  const compacted = describeCompaction(report);
  return {
    previous,
    sourceId,
    description:
      `reusing run ${sourceId}: ${previous.candidates.size} journaled calls` +
      (compacted ? ` (${compacted.replace(/^journal compacted: /, 'compacted: ')})` : ''),
  };
}

/** `--reuse-max-age`: a duration (`7d`, `36h`, `0`). */
export function parseMaxAgeFlag(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  if (ms === undefined) {
    throw new UsageError(`--reuse-max-age expects a duration like 7d, 36h, 90m or 0, got "${text}"`);
  }
  return ms;
}

/** The command line of a background child, with `--reuse latest` pinned to the run it meant now. */
export function pinReusedRun(argv: readonly string[], sourceId: string): string[] {
  const args = [...argv];
  const at = args.findIndex((arg) => arg === '--reuse' || arg.startsWith('--reuse='));
  if (at >= 0) args.splice(at, args[at] === '--reuse' ? 2 : 1, '--reuse', sourceId);
  return args;
}

/**
 * A shard reuses a whole run (unsharded, or a merge) or the same shard of an earlier run, as the action's
 * shard jobs restore their own shard's journal. Never another shard: the merge would then take that shard's
 * own calls for an earlier run's, and replay only what the cross-run rule allows of them.
 */
function checkShardSeed(read: JournalRead, shard: ShardId, source: string, sourceId: string): void {
  const its = ownPart(read.events).runs[0]?.shard;
  if (!its || (its.index === shard.index && its.total === shard.total)) return;
  throw new UsageError(
    `--reuse ${source}: run ${sourceId} is ${formatShard(its)}, and this run is ${formatShard(shard)}: ` +
      `a shard reuses a merged run or the same shard of an earlier run` +
      (source === 'latest' ? ' (latest is the newest run; name the one to reuse)' : ''),
  );
}
