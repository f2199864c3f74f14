import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { type Tool } from './types.js';
export declare const DEFAULT_MCP_TIMEOUT_MS = 60000;
/** A server as declared under `mcp-servers:`, its env and headers resolved. */
export interface McpServerSpec {
    name: string;
    command?: string;
    args?: string[];
    env?: Record<string, string>;
    url?: string;
    headers?: Record<string, string>;
    timeoutMs?: number;
    /** Declared `reuse:`: all its tools, or those named, give results that depend on their arguments alone. */
    reuse?: boolean | string[];
}
/** What identifies a server in keys: its declared command and arguments, or its URL; never env or headers. */
export declare function serverIdentity(spec: McpServerSpec): Record<string, unknown>;
/** The name a model sees for `server/tool`: `server__tool`, in the characters both APIs accept. */
export declare function mcpToolName(server: string, tool: string): string;
/** A started server: its client, its tools, and why it is gone, once it is. */
export interface McpSession {
    client: Client;
    tools: Array<{
        name: string;
        description?: string;
        inputSchema: Record<string, unknown>;
    }>;
    transport: Transport;
    /** Why the server is gone, once it is. */
    gone?: string;
}
/** The run's MCP servers. */
export declare class McpServers {
    private readonly specs;
    /** `signal` is the run's: cancelling the run also stops a server that is still starting. */
    private readonly context;
    private readonly sessions;
    private closed;
    constructor(specs: Record<string, McpServerSpec>, 
    /** `signal` is the run's: cancelling the run also stops a server that is still starting. */
    context: {
        workspace: string;
        env: Record<string, string | undefined>;
        signal?: AbortSignal;
    });
    has(server: string): boolean;
    spec(server: string): McpServerSpec;
    /** The server's tools, starting it if needed. Rejects with a message naming the server when it cannot start. */
    tools(server: string): Promise<Tool[]>;
    /** Stops every server that was started, and their process trees. Safe to call more than once. */
    close(): Promise<void>;
    private session;
    private tool;
}
