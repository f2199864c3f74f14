import type { StepContext, WorkflowDef } from '../workflow/types.js';
/**
 * One workflow being run: the top-level file, or a file called by a `uses:` step. Each invocation has
 * its own inputs, env and step outputs; calls and budget are the run's.
 */
export interface Frame {
    workflow: WorkflowDef;
    inputs: Record<string, unknown>;
    /** The workflow's `env:`, resolved. */
    env: Record<string, string>;
    steps: Record<string, StepContext>;
    /** Prefix of step paths in this frame: '' at the top, `caller/` inside a called workflow. */
    prefix: string;
}
export interface Scope {
    /** The workflow the step belongs to; the top-level one when absent. */
    frame?: Frame;
    item?: unknown;
    index?: number;
    loop?: {
        iteration: number;
    };
    /** The phase of the enclosing group or loop: sub-steps without their own phase belong to it. */
    phase?: string;
    /** `reuse:` of the enclosing group, loop or `uses:` step: sub-steps without their own take it. */
    reuse?: boolean;
    /** An earlier step of this sequence failed: only steps whose `if` asks for it (`failure()`, `always()`) run. */
    failed?: boolean;
}
/** A step failed; the run stops unless the step continues on error. */
export declare class StepFailed extends Error {
}
/** A step waits for an answer (its own ask, or one it reads); independent steps still run. */
export declare class StepWaiting extends Error {
    readonly outputs: unknown;
    constructor(message: string, outputs?: unknown);
}
export declare class ItemError {
    readonly index: number;
    readonly value: unknown;
    readonly cause: string;
    constructor(index: number, value: unknown, caught: unknown);
}
/** A fan-out step with failed items; carries the outputs of the items that succeeded. */
export declare class ItemsFailed extends StepFailed {
    readonly outputs: unknown[];
    constructor(message: string, outputs: unknown[]);
}
