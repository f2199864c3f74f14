// Sharding a fan-out across matrix jobs (issue 11). Every shard plans every item, so call keys and
// occurrence numbers are the same in all of them; an item belongs to the shard its key hashes to, so
// reordering or inserting items never moves finished work to another shard.
import { createHash } from 'node:crypto';
import type { ShardId } from '../journal/types.js';
import type { StepDef, WorkflowDef } from '../workflow/types.js';
import { isSharded, shardLayout } from '../workflow/shards.js';
import { calleeSteps } from './uses.js';
import type { CallKey } from './keys.js';

export type { ShardId };

/** The shard that runs the call with this key: a stable hash of the key, not the item's position. */
export function ownerOf(key: CallKey, total: number): number {
  if (total === 1) return 0;
  const digest = createHash('sha256').update(key).digest();
  return digest.readUIntBE(0, 6) % total;
}

/** `I/N` as on the command line (0-based I, like `strategy.job-index`), or what is wrong with it. */
export function parseShardId(text: string): ShardId | string {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!match) return `expected I/N (shard I of N, 0-based like strategy.job-index), got "${text}"`;
  return checkShardId(Number(match[1]), Number(match[2]));
}

export function checkShardId(index: number, total: number): ShardId | string {
  if (!Number.isInteger(total) || total < 1 || total > 256) {
    return `the number of shards must be a whole number from 1 to 256, got ${total}`;
  }
  if (!Number.isInteger(index) || index < 0 || index >= total) {
    return `the shard index must be a whole number from 0 to ${total - 1} (0-based, like strategy.job-index), got ${index}`;
  }
  return { index, total };
}

export function formatShard(shard: ShardId): string {
  return `shard ${shard.index}/${shard.total}`;
}

/** What a shard did, for summaries. */
export interface ShardReport extends ShardId {
  /** The first step it did not run because that step reads a sharded step's outputs. */
  stoppedBefore?: string;
  /** Per sharded step: how many of its items this shard owned. */
  steps: { id: string; owned: number; items: number }[];
}

/**
 * A run's view of sharding. As a shard (`shard` given): which steps it runs and which items it owns.
 * As a merge (`mergeOf` given): which shard a fan-out item that had to run live belonged to.
 */
export class Sharding {
  private readonly steps: ShardReport['steps'] = [];
  private readonly liveByShard = new Map<string, Map<number, number>>();
  /** Only the workflow's own top-level fan-outs split; a called workflow's steps never do. */
  private readonly sharded: ReadonlySet<StepDef>;
  private unreached: ReadonlySet<string> | undefined;

  constructor(
    private readonly workflow: WorkflowDef,
    readonly shard: ShardId | undefined,
    private readonly mergeOf: number | undefined,
  ) {
    this.sharded = new Set(workflow.steps.filter(isSharded));
    if (shard && !shardLayout(workflow)) {
      throw new Error(
        `workflow "${workflow.name}" has no step with "shard: true"; there is nothing to shard`,
      );
    }
  }

  /** The top-level steps this run runs: a shard stops before the first reader of a sharded step. */
  stepsToRun(): StepDef[] {
    if (!this.shard) return this.workflow.steps;
    return this.workflow.steps.slice(0, shardLayout(this.workflow)?.stop);
  }

  /**
   * The paths of the steps a shard stops before (those of their groups, loops and callees included): their
   * journaled calls are the merge run's to ask for. Empty unless this run is a shard that stops early.
   */
  unreachedSteps(): ReadonlySet<string> {
    if (this.unreached) return this.unreached;
    const stop = this.shard ? shardLayout(this.workflow)?.stop : undefined;
    const after = stop === undefined ? [] : this.workflow.steps.slice(stop);
    this.unreached = new Set(calleeSteps(after, '').map(({ path }) => path));
    return this.unreached;
  }

  /** Whether this run runs the item with `key` of `step` (`index` places an item whose planning failed). */
  owns(step: StepDef, key: CallKey | undefined, index: number): boolean {
    if (!this.shard || !this.sharded.has(step)) return true;
    const owner = key === undefined ? index % this.shard.total : ownerOf(key, this.shard.total);
    return owner === this.shard.index;
  }

  /** Records how many items of a sharded step this shard owned. */
  countOwned(step: StepDef, owned: number, items: number): void {
    if (this.shard && this.sharded.has(step)) this.steps.push({ id: step.id, owned, items });
  }

  /** In a merge: notes an item of a sharded step that no shard's journal held. */
  noteLive(step: StepDef, key: CallKey): void {
    if (this.mergeOf === undefined || !this.sharded.has(step)) return;
    const byShard = this.liveByShard.get(step.id) ?? new Map<number, number>();
    const owner = ownerOf(key, this.mergeOf);
    byShard.set(owner, (byShard.get(owner) ?? 0) + 1);
    this.liveByShard.set(step.id, byShard);
  }

  /** Warnings for a merge: sharded items run live, by the shard that should have journaled them. */
  mergeWarnings(step: StepDef): string[] {
    const byShard = this.liveByShard.get(step.id);
    if (!byShard || this.mergeOf === undefined) return [];
    return [...byShard.entries()]
      .sort(([a], [b]) => a - b)
      .map(
        ([owner, count]) =>
          `step "${step.id}": ${count} item${count === 1 ? '' : 's'} of shard ${owner}/${this.mergeOf} had no journaled result; running ${count === 1 ? 'it' : 'them'} live`,
      );
  }

  report(): ShardReport | undefined {
    if (!this.shard) return undefined;
    const layout = shardLayout(this.workflow);
    const stoppedBefore =
      layout && layout.stop < this.workflow.steps.length ? this.workflow.steps[layout.stop]?.id : undefined;
    return { ...this.shard, ...(stoppedBefore ? { stoppedBefore } : {}), steps: [...this.steps] };
  }
}
