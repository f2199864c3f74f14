// The action's side of sharded runs (issue 11): a matrix job runs one shard (`shard`, `shards`), a merge
// job (`merge-shards: true`) takes every shard's newest journal artifact of this run, checks them as a
// set and replays them (shard-merge.ts, loaded only by a merge job). This module reads the settings.
import { checkShardId } from '../engine/shard.js';
import type { ShardId } from '../engine/shard.js';
import type { OnMissingShard } from '../journal/shard-set.js';
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
