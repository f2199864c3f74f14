// MCP servers: each starts lazily, once per run, is shared by the steps that use it, and is shut down by
// `close()` at the end of the run, whatever ended it. The SDK itself is in mcp-client.ts, imported when the
// first server starts.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { ToolOutcome } from '../types.js';
import { toolError, type Tool, type ToolContext } from './types.js';

export const DEFAULT_MCP_TIMEOUT_MS = 60_000;

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
export function serverIdentity(spec: McpServerSpec): Record<string, unknown> {
  return spec.url !== undefined ? { url: spec.url } : { command: spec.command, args: spec.args ?? [] };
}

/** The name a model sees for `server/tool`: `server__tool`, in the characters both APIs accept. */
export function mcpToolName(server: string, tool: string): string {
  return `${server}__${tool}`.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64);
}

/** A started server: its client, its tools, and why it is gone, once it is. */
export interface McpSession {
  client: Client;
  tools: Array<{ name: string; description?: string; inputSchema: Record<string, unknown> }>;
  transport: Transport;
  /** Why the server is gone, once it is. */
  gone?: string;
}

/** The run's MCP servers. */
export class McpServers {
  private readonly sessions = new Map<string, Promise<McpSession>>();
  private closed = false;

  constructor(
    private readonly specs: Record<string, McpServerSpec>,
    /** `signal` is the run's: cancelling the run also stops a server that is still starting. */
    private readonly context: {
      workspace: string;
      env: Record<string, string | undefined>;
      signal?: AbortSignal;
    },
  ) {}

  has(server: string): boolean {
    return server in this.specs;
  }

  spec(server: string): McpServerSpec {
    const spec = this.specs[server];
    if (!spec) throw new Error(`no MCP server "${server}"`);
    return spec;
  }

  /** The server's tools, starting it if needed. Rejects with a message naming the server when it cannot start. */
  async tools(server: string): Promise<Tool[]> {
    const session = await this.session(server);
    return session.tools.map((tool) => this.tool(server, tool));
  }

  /** Stops every server that was started, and their process trees. Safe to call more than once. */
  async close(): Promise<void> {
    this.closed = true;
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(
      sessions.map(async (pending) => {
        const session = await pending.catch(() => undefined);
        if (!session) return;
        await session.client.close().catch(() => undefined);
        await session.transport.close().catch(() => undefined);
      }),
    );
  }

  private session(server: string): Promise<McpSession> {
    if (this.closed) return Promise.reject(new Error('the run is over: MCP servers were shut down'));
    let pending = this.sessions.get(server);
    if (!pending) {
      const spec = this.spec(server);
      pending = import('./mcp-client.js').then(({ connectMcpServer }) =>
        connectMcpServer(server, spec, this.context),
      );
      this.sessions.set(server, pending);
    }
    return pending;
  }

  private tool(server: string, tool: McpSession['tools'][number]): Tool {
    const spec = this.spec(server);
    const timeoutMs = spec.timeoutMs ?? DEFAULT_MCP_TIMEOUT_MS;
    return {
      spec: {
        name: mcpToolName(server, tool.name),
        description: tool.description ?? `${tool.name} (MCP server ${server})`,
        parameters: tool.inputSchema,
      },
      identity: { type: 'mcp', server: serverIdentity(spec), tool: tool.name },
      invoke: async (args: Record<string, unknown>, context: ToolContext): Promise<ToolOutcome> => {
        let session: McpSession;
        try {
          session = await this.session(server);
        } catch (error) {
          return toolError((error as Error).message);
        }
        if (session.gone) return toolError(`MCP server "${server}" is not running (it ${session.gone})`);
        try {
          const result = await session.client.callTool({ name: tool.name, arguments: args }, undefined, {
            signal: context.signal,
            timeout: timeoutMs,
          });
          return { content: contentText(result), isError: result.isError === true };
        } catch (error) {
          if (context.signal.aborted) throw error;
          const gone = session.gone ? ` (the server ${session.gone})` : '';
          return toolError(`MCP tool "${server}/${tool.name}" failed${gone}: ${(error as Error).message}`);
        }
      },
    };
  }
}

/** A tool result's content as text: text blocks as they are, resources by their text, other media named. */
function contentText(result: Record<string, unknown>): string {
  const content = Array.isArray(result['content']) ? (result['content'] as unknown[]) : [];
  const parts = content.map((block) => {
    const b = block as Record<string, unknown>;
    if (b['type'] === 'text' && typeof b['text'] === 'string') return b['text'];
    const resource = b['resource'] as Record<string, unknown> | undefined;
    if (b['type'] === 'resource' && typeof resource?.['text'] === 'string') return resource['text'];
    return `[${String(b['type'])} content omitted]`;
  });
  if (parts.length === 0 && result['structuredContent'] !== undefined) {
    return JSON.stringify(result['structuredContent']);
  }
  return parts.join('\n');
}
