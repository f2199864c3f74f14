// `reprise run --shard I/N` and `reprise run --merge DIR...`: the CLI's side of sharded runs.
import { existsSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseShardId } from '../engine/shard.js';
import type { ShardId } from '../engine/shard.js';
import { serializeEvents } from '../journal/merge.js';
import type { JournalRead } from '../journal/reader.js';
import { readJournalFile } from '../journal/reader.js';
import { ShardSetError, checkShardSet } from '../journal/shard-set.js';
import type { OnMissingShard, ShardSet } from '../journal/shard-set.js';
import { shardLayout } from '../workflow/shards.js';
import type { WorkflowDef } from '../workflow/types.js';
import { UsageError } from './io.js';
import type { CliIO } from './io.js';

/** The shard this invocation runs: `--shard`, or on `--resume` the shard the run's journal ran. */
export function shardOfRun(
  workflow: WorkflowDef,
  option: string | undefined,
  previous: JournalRead,
): ShardId | undefined {
  let given: ShardId | undefined;
  if (option !== undefined) {
    const parsed = parseShardId(option);
    if (typeof parsed === 'string') throw new UsageError(`--shard: ${parsed}`);
    given = parsed;
  }
  const recorded = previous.runs.at(-1)?.shard;
  if (given && recorded && (given.index !== recorded.index || given.total !== recorded.total)) {
    throw new UsageError(
      `--shard ${given.index}/${given.total}: this run is shard ${recorded.index}/${recorded.total}; resume it with that shard`,
    );
  }
  if (given && previous.runs.length > 0 && !recorded) {
    throw new UsageError(`--shard: this run was not a shard; it cannot continue as one`);
  }
  const shard = given ?? recorded;
  if (shard && !shardLayout(workflow)) {
    throw new UsageError(
      `--shard: workflow "${workflow.name}" has no step with "shard: true"; there is nothing to shard`,
    );
  }
  return shard;
}

/**
 * Checks the shard journals at `paths` (run directories or journal files) as a set and returns their
 * union, to be the journal at `journalPath` (written by writeMergedJournal once every check passed).
 */
export async function prepareMerge(
  paths: string[],
  workflow: WorkflowDef,
  onMissing: OnMissingShard,
  journalPath: string,
  io: CliIO,
): Promise<{ previous: JournalRead; set: ShardSet }> {
  if (!shardLayout(workflow)) {
    throw new UsageError(
      `--merge: workflow "${workflow.name}" has no step with "shard: true"; there are no shards to merge`,
    );
  }
  const reads = await Promise.all(
    paths.map((path) => readJournalFile(journalFileOf(resolve(io.cwd, path), path))),
  );
  let set: ShardSet;
  try {
    set = checkShardSet(reads, { workflow: workflow.name, script: workflow.scriptHash, onMissing });
  } catch (caught) {
    if (caught instanceof ShardSetError) throw new UsageError(caught.message);
    throw caught;
  }
  for (const warning of set.warnings) io.err.write(`warning: ${warning}\n`);
  return { previous: { ...set.merged, source: journalPath }, set };
}

/** The merged shards become the new run's journal. */
export async function writeMergedJournal(merged: JournalRead, journalPath: string): Promise<void> {
  await mkdir(dirname(journalPath), { recursive: true });
  await writeFile(journalPath, serializeEvents(merged.events), { flush: true });
}

/** One line per shard: what the merge takes from it. */
export function describeShards(set: ShardSet): string {
  const lines = set.shards.map(
    (shard) =>
      `  shard ${shard.index}/${set.total}: ${shard.calls} calls, ${shard.attempts} attempt${shard.attempts === 1 ? '' : 's'}, ` +
      `${shard.status ?? 'cut off'} (${shard.source})`,
  );
  for (const index of set.missing) lines.push(`  shard ${index}/${set.total}: missing; its items run live`);
  return lines.join('\n') + '\n';
}

function journalFileOf(path: string, shown: string): string {
  if (!existsSync(path)) throw new UsageError(`--merge: ${shown} does not exist`);
  if (!statSync(path).isDirectory()) return path;
  const file = join(path, 'journal.jsonl');
  if (!existsSync(file))
    throw new UsageError(`--merge: ${shown} holds no journal.jsonl (give a run directory or a journal file)`);
  return file;
}
