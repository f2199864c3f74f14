import type { OutputLimit } from '../process.js';
import type { ToolOutcome, ToolSpec } from '../types.js';
export interface ToolContext {
    signal: AbortSignal;
    /** The inherited environment (command tools add their own declared env on top). */
    env: Record<string, string | undefined>;
    workspace: string;
    /** A command tool's output cap and spill files (default: 1 MiB per stream, the rest dropped). */
    output?: OutputLimit;
}
/** One tool a step may call, from any source. */
export interface Tool {
    /** As the model sees it. */
    spec: ToolSpec;
    /** What identifies the tool in a tool call's key: for MCP the server's declared command/URL and the tool name. */
    identity: Record<string, unknown>;
    /** Runs the tool with arguments that satisfy `spec.parameters`. Failures are outcomes, never throws (but aborts). */
    invoke(args: Record<string, unknown>, context: ToolContext): Promise<ToolOutcome>;
}
/** A failure the model should see and may recover from. */
export declare function toolError(content: string): ToolOutcome;
