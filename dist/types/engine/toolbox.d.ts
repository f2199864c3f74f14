import { ToolBox } from '../agents/tools/index.js';
import type { ExpressionContext, WorkflowDef } from '../workflow/types.js';
export interface RunToolbox {
    toolbox: ToolBox;
    /** Shuts down every MCP server the run started. */
    close(): Promise<void>;
}
export declare function runToolbox(workflow: WorkflowDef, workflowEnv: Record<string, string>, context: ExpressionContext, options: {
    workspace: string;
    env: Record<string, string | undefined>;
    signal: AbortSignal;
}): RunToolbox;
