import type { WorkflowDef } from './types.js';
export interface ResolvedInputs {
    values: Record<string, unknown>;
    problems: string[];
}
/**
 * Applies defaults, checks required inputs, types and enum options, and rejects unknown names.
 * With `fromStrings`, string values are read as the input's type (`"3"` → 3, `"true"` → true,
 * arrays and objects as JSON or YAML), as they come from `--input name=value`.
 */
export declare function resolveInputs(workflow: Pick<WorkflowDef, 'inputs'>, given: Record<string, unknown>, opts: {
    fromStrings: boolean;
}): ResolvedInputs;
/**
 * Reads a YAML or JSON map of inputs (an `--inputs-file`, the action's `inputs:`). Typed YAML values
 * become the strings a person would type, so the workflow's declared input types decide, exactly as for
 * `--input name=value` (`pr: 12` fits both `type: number` and `type: string`).
 */
export declare function parseInputsMap(text: string): {
    values: Record<string, string>;
} | {
    error: string;
};
