import type { YamlSource } from './source.js';
import type { Problem, WorkflowDef } from './types.js';
type Raw = Record<string, unknown>;
export declare function toWorkflowDef(raw: Raw, source: YamlSource, meta: {
    file: string;
    scriptHash: string;
}): {
    workflow: WorkflowDef;
    problems: Problem[];
};
export {};
