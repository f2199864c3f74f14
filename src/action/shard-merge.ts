// The merge job of a sharded run (`merge-shards: true`): every shard's newest journal artifact of this run,
// checked as a set and merged into the journal this attempt replays. The store fetches; this module
// decides and reports. Loaded by a merge job only.
import { writeFile } from 'node:fs/promises';
import { mergeJournals, serializeEvents } from '../journal/merge.js';
import type { JournalRead } from '../journal/reader.js';
import { ShardSetError, checkShardSet } from '../journal/shard-set.js';
import type { ShardSet } from '../journal/shard-set.js';
import { formatCost } from '../report/format.js';
import type { ActionJournalStore } from '../stores/journal-store.js';
import type { WorkflowDef } from '../workflow/types.js';
import type { ShardSettings } from './shards.js';

export { ShardSetError };

/**
 * The merge job's journal: its own earlier attempts' (`own`) plus the union of every shard's newest
 * journal, written to `journalPath`. Throws ShardSetError when the set is refused.
 */
export async function mergeShards(options: {
  store: ActionJournalStore;
  workflow: WorkflowDef;
  settings: ShardSettings;
  suffix?: string;
  attempt: number;
  workDir: string;
  journalPath: string;
  own: JournalRead;
  warn: (message: string) => void;
}): Promise<{ previous: JournalRead; set: ShardSet }> {
  const { workflow, settings } = options;
  const reads = await options.store.restoreShards({
    workflowName: workflow.name,
    suffix: options.suffix,
    attempt: options.attempt,
    workDir: options.workDir,
  });
  if (reads.length === 0 && settings.total === undefined) {
    throw new ShardSetError([
      `no shard journal artifact of workflow "${workflow.name}" was found in this run ` +
        '(did the shard jobs run with artifacts: true and finish before this job?)',
    ]);
  }
  const set = checkShardSet(reads, {
    workflow: workflow.name,
    script: workflow.scriptHash,
    onMissing: settings.onMissing,
    ...(settings.total !== undefined ? { total: settings.total } : {}),
  });
  for (const warning of set.warnings) options.warn(warning);
  const merged = options.own.runs.length > 0 ? mergeJournals([options.own, set.merged]) : set.merged;
  await writeFile(options.journalPath, serializeEvents(merged.events), { flush: true });
  return { previous: { ...merged, source: options.journalPath }, set };
}

/** The job summary's per-shard breakdown for a merge job. */
export function renderShardTable(set: ShardSet): string {
  const lines = [
    `### Shards (${set.shards.length} of ${set.total} merged)`,
    '',
    '| shard | journal | attempts | calls | tokens (in / out) | cost | status |',
    '| --- | --- | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const shard of set.shards) {
    lines.push(
      `| ${shard.index}/${set.total} | ${shard.source.replace(/^the artifact /, '')} | ${shard.attempts} | ${shard.calls} | ` +
        `${shard.usage.inputTokens} / ${shard.usage.outputTokens} | ${formatCost(shard.usage.costUsd, shard.usage.unpricedCalls)} | ` +
        `${shard.status ?? 'cut off'} |`,
    );
  }
  for (const index of set.missing)
    lines.push(`| ${index}/${set.total} | missing: items run live here | | | | | |`);
  return lines.join('\n') + '\n';
}
