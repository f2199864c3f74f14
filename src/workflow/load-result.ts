// What loading a workflow gives, and the two small helpers its users need without the loader itself: a
// resume whose definition is in the cache (src/workflow/definition-cache.ts) loads neither the YAML library
// nor the schema validator (src/workflow/loader.ts imports them; it is imported when a file is checked).
import { createHash } from 'node:crypto';
import type { Problem, WorkflowDef } from './types.js';

export interface LoadResult {
  /** Present exactly when there are no problems. */
  workflow?: WorkflowDef;
  problems: Problem[];
  /** What runs but probably not as meant (e.g. a side effect repeated in every shard); never blocks a run. */
  warnings?: Problem[];
}

/** `file:line:column: message`, with the file as it was given. */
export function formatProblem(p: Problem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.message}`;
}

/** A workflow file's `script` hash, as journals and definitions record it. */
export function scriptHash(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}
