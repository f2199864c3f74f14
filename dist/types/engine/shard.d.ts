import type { ShardId } from '../journal/types.js';
import type { StepDef, WorkflowDef } from '../workflow/types.js';
import type { CallKey } from './keys.js';
export type { ShardId };
/** The shard that runs the call with this key: a stable hash of the key, not the item's position. */
export declare function ownerOf(key: CallKey, total: number): number;
/** `I/N` as on the command line (0-based I, like `strategy.job-index`), or what is wrong with it. */
export declare function parseShardId(text: string): ShardId | string;
export declare function checkShardId(index: number, total: number): ShardId | string;
export declare function formatShard(shard: ShardId): string;
/** What a shard did, for summaries. */
export interface ShardReport extends ShardId {
    /** The first step it did not run because that step reads a sharded step's outputs. */
    stoppedBefore?: string;
    /** Per sharded step: how many of its items this shard owned. */
    steps: {
        id: string;
        owned: number;
        items: number;
    }[];
}
/**
 * A run's view of sharding. As a shard (`shard` given): which steps it runs and which items it owns.
 * As a merge (`mergeOf` given): which shard a fan-out item that had to run live belonged to.
 */
export declare class Sharding {
    private readonly workflow;
    readonly shard: ShardId | undefined;
    private readonly mergeOf;
    private readonly steps;
    private readonly liveByShard;
    /** Only the workflow's own top-level fan-outs split; a called workflow's steps never do. */
    private readonly sharded;
    private unreached;
    constructor(workflow: WorkflowDef, shard: ShardId | undefined, mergeOf: number | undefined);
    /** The top-level steps this run runs: a shard stops before the first reader of a sharded step. */
    stepsToRun(): StepDef[];
    /**
     * The paths of the steps a shard stops before (those of their groups, loops and callees included): their
     * journaled calls are the merge run's to ask for. Empty unless this run is a shard that stops early.
     */
    unreachedSteps(): ReadonlySet<string>;
    /** Whether this run runs the item with `key` of `step` (`index` places an item whose planning failed). */
    owns(step: StepDef, key: CallKey | undefined, index: number): boolean;
    /** Records how many items of a sharded step this shard owned. */
    countOwned(step: StepDef, owned: number, items: number): void;
    /** In a merge: notes an item of a sharded step that no shard's journal held. */
    noteLive(step: StepDef, key: CallKey): void;
    /** Warnings for a merge: sharded items run live, by the shard that should have journaled them. */
    mergeWarnings(step: StepDef): string[];
    report(): ShardReport | undefined;
}
