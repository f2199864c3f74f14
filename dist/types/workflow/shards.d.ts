import type { Problem, StepDef, WorkflowDef } from './types.js';
export interface ShardLayout {
    /** Ids of the sharded fan-out steps (top-level steps only). */
    sharded: string[];
    /** Index in `workflow.steps` of the first step a shard does not run; `steps.length` when it runs them all. */
    stop: number;
}
/** Undefined when the workflow has no sharded step. */
export declare function shardLayout(workflow: WorkflowDef): ShardLayout | undefined;
export declare function isSharded(step: StepDef): boolean;
/**
 * Steps that run in every shard and have side effects: a `run` step there runs once per shard. Found
 * before the first sharded step and between sharded steps, nested ones included.
 */
export declare function shardWarnings(workflow: WorkflowDef): Problem[];
/** Whether any expression of `step` (or of its sub-steps) reads one of `ids`, or all steps at once. */
export declare function readsAny(step: StepDef, ids: ReadonlySet<string>): boolean;
