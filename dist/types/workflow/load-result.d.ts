import type { Problem, WorkflowDef } from './types.js';
export interface LoadResult {
    /** Present exactly when there are no problems. */
    workflow?: WorkflowDef;
    problems: Problem[];
    /** What runs but probably not as meant (e.g. a side effect repeated in every shard); never blocks a run. */
    warnings?: Problem[];
}
/** `file:line:column: message`, with the file as it was given. */
export declare function formatProblem(p: Problem): string;
/** A workflow file's `script` hash, as journals and definitions record it. */
export declare function scriptHash(bytes: Buffer): string;
