// The action's side of sharded runs (issue 11): a matrix job runs one shard (`shard`, `shards`), a merge
// job (`merge-shards: true`) takes every shard's newest journal artifact of this run, checks them as a
// set and replays them. The store fetches; this module decides and reports.
import { writeFile } from 'node:fs/promises';
import { checkShardId } from '../engine/shard.js';
import type { ShardId } from '../engine/shard.js';
import { mergeJournals, serializeEvents } from '../journal/merge.js';
import type { JournalRead } from '../journal/reader.js';
import { ShardSetError, checkShardSet } from '../journal/shard-set.js';
import type { OnMissingShard, ShardSet } from '../journal/shard-set.js';
import { formatCost } from '../report/format.js';
import type { ActionJournalStore } from '../stores/journal-store.js';
import { shardLayout } from '../workflow/shards.js';
import type { WorkflowDef } from '../workflow/types.js';

export interface ShardSettings {
  /** This job runs one shard. */
  shard?: ShardId;
  /** This job merges the shards. */
  merge: boolean;
  onMissing: OnMissingShard;
  /** `shards` given to a merge job: how many shards to expect. */
  total?: number;
}

/** Reads `shard`, `shards`, `merge-shards` and `on-missing-shard`; throws with a message naming the input. */
export function readShardSettings(getInput: (name: string) => string): ShardSettings {
  const shardText = getInput('shard');
  const shardsText = getInput('shards');
  const mergeText = getInput('merge-shards') || 'false';
  const onMissing = getInput('on-missing-shard') || 'fail';
  if (mergeText !== 'true' && mergeText !== 'false') {
    throw new Error(`input "merge-shards" must be true or false; got "${mergeText}"`);
  }
  if (onMissing !== 'fail' && onMissing !== 'run') {
    throw new Error(`input "on-missing-shard" must be one of fail, run; got "${onMissing}"`);
  }
  const merge = mergeText === 'true';
  const total = shardsText === '' ? undefined : Number(shardsText);
  if (total !== undefined && (!Number.isInteger(total) || total < 1)) {
    throw new Error(`input "shards" must be a whole number >= 1 (strategy.job-total); got "${shardsText}"`);
  }
  if (merge) {
    if (shardText !== '') throw new Error('input "shard" cannot be combined with "merge-shards: true"');
    return { merge, onMissing, ...(total !== undefined ? { total } : {}) };
  }
  if (shardText === '' && total === undefined) return { merge, onMissing };
  if (shardText === '' || total === undefined) {
    throw new Error(
      'inputs "shard" and "shards" go together: shard: ${{ strategy.job-index }}, shards: ${{ strategy.job-total }}',
    );
  }
  const shard = checkShardId(Number(shardText), total);
  if (typeof shard === 'string') throw new Error(`input "shard": ${shard}`);
  return { shard, merge, onMissing };
}

/** Why this workflow cannot be sharded or merged as asked, or undefined. */
export function shardSettingsProblem(settings: ShardSettings, workflow: WorkflowDef): string | undefined {
  if ((settings.shard || settings.merge) && !shardLayout(workflow)) {
    return `workflow "${workflow.name}" has no step with "shard: true"; there is nothing to ${settings.merge ? 'merge' : 'shard'}`;
  }
  return undefined;
}

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
