import type { YamlSource } from './source.js';
import type { Problem, WorkflowDef } from './types.js';
type Raw = Record<string, unknown>;
/** Marks the inputs that feed a credential `secret: true` in `workflow`; returns one warning per input. */
export declare function secretInputWarnings(raw: Raw, source: YamlSource, workflow: WorkflowDef, callees: ReadonlyMap<string, WorkflowDef>): Problem[];
export {};
