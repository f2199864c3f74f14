import { formatProblem } from './workflow/loader.js';
import type { RunObserver, RunResult } from './engine/types.js';
import type { Problem, WorkflowDef } from './workflow/types.js';
export type { CallReport, CallCounts, RunObserver, RunResult, StepStatus, StepSummary, } from './engine/types.js';
export type { WorkflowCommand } from './agents/workflow-commands.js';
export type { RunStatus } from './journal/types.js';
export type { Problem, WorkflowDef } from './workflow/types.js';
export { formatProblem };
/** A workflow file with problems: `problems` has each one with its file, line and column. */
export declare class WorkflowError extends Error {
    readonly problems: Problem[];
    constructor(problems: Problem[]);
}
/** Loads and validates a workflow file (and the files its `uses:` steps call). Throws WorkflowError. */
export declare function loadWorkflow(file: string): Promise<WorkflowDef>;
export interface RunWorkflowOptions {
    /** A loaded workflow, or the path of its file. */
    workflow: WorkflowDef | string;
    /** Typed values (`{ pr: 12 }`); on a resume the recorded inputs are reused when absent. */
    inputs?: Record<string, unknown>;
    /** Where runs live (default `.reprise/runs`, relative to `workspace`). */
    runsDir?: string;
    /** Name of a new run (default: a timestamp id). */
    runId?: string;
    /** Continue this run (an id or `latest`): journaled calls replay, the rest runs live. */
    resume?: string;
    /** Directory scripts run in and paths are relative to (default: the current directory). */
    workspace?: string;
    /** The environment calls see (default: process.env); API keys are read from it. */
    env?: Record<string, string | undefined>;
    /** Pause after this step (status `paused`); resume later. */
    until?: string;
    concurrency?: number;
    /** Aborting it stops the run as Ctrl-C does: the journal is kept, status `cancelled`. */
    signal?: AbortSignal;
    /** Told when steps start and finish, calls finish or retry, and what run steps print. */
    observer?: RunObserver;
}
export interface WorkflowRun extends RunResult {
    runId: string;
    attempt: number;
    /** The journal of the run (JSONL), for `reprise runs show` and friends. */
    journalPath: string;
}
/**
 * Runs (or resumes) a workflow, journaling every call under `runsDir/<runId>/`. Resolves with the
 * result whatever the status; throws only for bad input (WorkflowError, an unknown run, invalid inputs).
 */
export declare function runWorkflow(options: RunWorkflowOptions): Promise<WorkflowRun>;
