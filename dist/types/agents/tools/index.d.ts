import type { ToolCall, ToolOutcome, ToolSpec } from '../types.js';
import { type CommandToolSpec } from './command.js';
import { type McpServers } from './mcp.js';
import { type Tool, type ToolContext } from './types.js';
export declare const DEFAULT_TOOL_RESULT_LIMIT: number;
export declare class ToolBox {
    private readonly commands;
    readonly mcp: McpServers;
    constructor(commands: Record<string, CommandToolSpec>, mcp: McpServers);
    /** The tools of a step's `tools:` list: command tool and workspace tool names, `server/*`, `server/tool`. */
    select(selectors: string[]): Toolset;
}
export declare class Toolset {
    private readonly selectors;
    private readonly mcp;
    private loaded?;
    private readonly fixed;
    private readonly servers;
    /** Command tools declared `reuse: true`, by name. */
    private readonly reusableCommands;
    constructor(selectors: string[], commands: Record<string, CommandToolSpec>, mcp: McpServers);
    /**
     * The tool definitions as they enter a turn's key. Command and workspace tools by their full definition;
     * MCP tools by the server's declared command/URL and the selector, so that a journaled loop replays
     * without starting its servers.
     */
    keyDefinitions(): unknown[];
    /** What a tool call's key names as its tool, known without starting anything. */
    identityOf(name: string): Record<string, unknown>;
    /**
     * Whether the workflow declared the tool a model calls by `name` reusable across runs (`reuse:` of a command
     * tool or MCP server). Workspace tools are not: they read files, which change between runs, and running
     * them again costs nothing (an unchanged result keeps the next turn's key, so the turn is still reused).
     */
    reusable(name: string): boolean;
    /** Every tool, MCP servers started as needed; rejects when a server cannot start. */
    tools(): Promise<Tool[]>;
    specs(): Promise<ToolSpec[]>;
    /**
     * Runs one tool call to the outcome the model sees: an unknown tool, arguments that are not JSON or fail
     * the tool's schema, a failure or a timeout are error outcomes. The content is capped at `limit` bytes and
     * redacted. Only an abort rejects.
     */
    invoke(call: ToolCall, context: ToolContext, options: {
        limit: number;
        redact: (text: string) => string;
    }): Promise<ToolOutcome>;
    private outcome;
    toString(): string;
}
/**
 * What the model sees and the journal keeps of a tool's result: redacted, then cut at `limit` bytes. In this
 * order, a cut can only split a `***`, never a secret whose first characters would then escape redaction.
 */
export declare function limitResult(content: string, options: {
    limit: number;
    redact: (text: string) => string;
}): string;
/** Cuts a result above `limit` bytes, saying so. */
export declare function cap(content: string, limit: number): string;
export { McpServers, type McpServerSpec } from './mcp.js';
export type { CommandToolSpec } from './command.js';
export { WORKSPACE_TOOL_NAMES, isWorkspaceTool } from './workspace.js';
