import type { SourceLocation, WorkflowDef } from '../workflow/types.js';
export interface UnpricedModel {
    step: string;
    model: string;
    loc: SourceLocation;
}
/**
 * The models of agent steps that can be resolved before the run (no `${{ }}` in them) and have no price in the
 * workflow's `pricing:` or the built-in table. Claude Code reports its own cost, so it is priced. Steps of
 * `uses:` callees count too, named by their path (`caller/inner`): their models are routed by the callee's
 * own defaults, providers and phases, and priced by the calling workflow's `pricing:`, as the run does.
 */
export declare function unpricedModels(root: WorkflowDef): UnpricedModel[];
