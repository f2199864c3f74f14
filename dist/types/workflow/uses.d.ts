import type { YamlSource } from './source.js';
import type { Problem, SourceLocation, WorkflowDef } from './types.js';
/** A called workflow as the loader produced it. */
export interface LoadedCallee {
    workflow?: WorkflowDef;
    problems: Problem[];
    /** Where each declared input is written, for messages that point at both files. */
    inputAt: (name: string) => SourceLocation;
}
/** What loading one file needs to load the files it calls. */
export interface UsesContext {
    /** Absolute paths of the files calling this one, outermost first (for cycle detection). */
    stack: string[];
    /** Callees already loaded during this validation, by absolute path. */
    cache: Map<string, LoadedCallee>;
    /** Loads a called file (display path as given, absolute path), with this context extended. */
    load: (display: string, absolute: string, context: UsesContext) => LoadedCallee;
}
export interface UsesCheck {
    problems: Problem[];
    /** The called workflow of each `uses` step, by step id. */
    callees: Map<string, WorkflowDef>;
}
/** Every `uses:` step of a raw workflow that passed the schema: its file, its inputs, cycles. */
export declare function checkUses(raw: Record<string, unknown>, source: YamlSource, file: string, context: UsesContext): UsesCheck;
