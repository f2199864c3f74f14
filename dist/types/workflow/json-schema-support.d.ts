import type { WorkflowDef } from './types.js';
type Support = typeof import('./json-schema.js');
/** Thrown where JSON Schema support is needed before it was loaded: the caller loads it and tries again. */
export declare class JsonSchemaNotLoaded extends Error {
    constructor();
}
export declare function loadJsonSchemaSupport(): Promise<void>;
export declare function jsonSchemaSupport(): Support;
/** Whether a run of `workflow` may validate against a schema: an agent's answer, a tool's arguments, an ask's answer. */
export declare function needsJsonSchema(workflow: WorkflowDef): boolean;
export {};
