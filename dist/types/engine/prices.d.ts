import type { SourceLocation, WorkflowDef } from '../workflow/types.js';
export interface UnpricedModel {
    step: string;
    model: string;
    loc: SourceLocation;
}
/**
 * The models of agent steps that can be resolved before the run (no `${{ }}` in them) and have no price in the
 * workflow's `pricing:` or the built-in table. Claude Code reports its own cost, so it is priced.
 */
export declare function unpricedModels(workflow: WorkflowDef): UnpricedModel[];
