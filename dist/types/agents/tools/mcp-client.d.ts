import type { McpServerSpec, McpSession } from './mcp.js';
/** Starts (or connects to) a server and lists its tools. Rejects with a message naming the server when it cannot. */
export declare function connectMcpServer(server: string, spec: McpServerSpec, context: {
    workspace: string;
    env: Record<string, string | undefined>;
    signal?: AbortSignal;
}): Promise<McpSession>;
