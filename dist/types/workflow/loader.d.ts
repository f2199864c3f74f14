import { type LoadResult } from './load-result.js';
export { formatProblem, scriptHash, type LoadResult } from './load-result.js';
export declare function loadWorkflowFile(file: string): Promise<LoadResult>;
/**
 * `loadWorkflowFile` for a text, synchronously: a workflow with a schema needs JSON Schema support loaded
 * first (`loadJsonSchemaSupport`; the unit tests load it in test/setup/json-schema.ts).
 */
export declare function loadWorkflowText(text: string, file: string): LoadResult;
