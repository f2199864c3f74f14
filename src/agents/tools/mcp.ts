// MCP servers through the official SDK client: stdio (a process reprise starts and owns, whole process
// group included) or Streamable HTTP. Each server starts lazily, once per run, is shared by the steps that
// use it, and is shut down by `close()` at the end of the run, whatever ended it.
import { spawn, type ChildProcess } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { ToolOutcome } from '../types.js';
import { toolError, type Tool, type ToolContext } from './types.js';

export const DEFAULT_MCP_TIMEOUT_MS = 60_000;
const START_TIMEOUT_MS = 30_000;
const KILL_GRACE_MS = 1000;
const STDERR_TAIL = 2000;
/** What a stdio server inherits besides its declared env (as the SDK's own default): never credentials. */
const INHERITED_ENV = ['HOME', 'LOGNAME', 'PATH', 'SHELL', 'TERM', 'USER', 'TMPDIR', 'LANG'];

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

/** A stdio transport whose server leads its own process group, so closing it ends the whole tree. */
class ProcessTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private child?: ChildProcess;
  /** Kept after the server exits: its process group may outlive it (a grandchild), and is ended at close. */
  private pid?: number;
  private readonly buffer = new ReadBuffer();
  stderr = '';
  exited?: string;

  constructor(
    private readonly spec: McpServerSpec,
    private readonly cwd: string,
    private readonly env: Record<string, string | undefined>,
  ) {}

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const inherited = Object.fromEntries(INHERITED_ENV.map((name) => [name, this.env[name]]));
      const child = spawn(this.spec.command ?? '', this.spec.args ?? [], {
        cwd: this.cwd,
        env: { ...inherited, ...this.spec.env },
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: process.platform !== 'win32',
      });
      this.child = child;
      this.pid = child.pid;
      child.on('error', (error) => {
        this.exited ??= error.message;
        reject(error);
        this.onerror?.(error);
      });
      child.on('spawn', () => resolve());
      child.on('exit', (code, signal) => {
        this.exited ??= signal ? `killed by ${signal}` : `exited with code ${code}`;
      });
      child.on('close', () => {
        this.child = undefined;
        this.onclose?.();
      });
      child.stdin.on('error', (error) => this.onerror?.(error));
      child.stderr.on('data', (chunk: Buffer) => {
        this.stderr = (this.stderr + chunk.toString('utf8')).slice(-STDERR_TAIL);
      });
      child.stdout.on('data', (chunk: Buffer) => {
        this.buffer.append(chunk);
        for (;;) {
          let message: JSONRPCMessage | null;
          try {
            message = this.buffer.readMessage();
          } catch (error) {
            this.onerror?.(error as Error);
            continue;
          }
          if (message === null) break;
          this.onmessage?.(message);
        }
      });
    });
  }

  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      const stdin = this.child?.stdin;
      if (!stdin || this.exited) {
        reject(new Error(`the server ${this.exited ?? 'is not running'}`));
        return;
      }
      if (stdin.write(serializeMessage(message))) resolve();
      else stdin.once('drain', resolve);
    });
  }

  async close(): Promise<void> {
    const { child, pid } = this;
    if (pid === undefined) return;
    this.pid = undefined;
    if (child) {
      const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
      child.stdin?.end();
      signalGroup(pid, 'SIGTERM');
      const timer = new Promise<void>((resolve) => setTimeout(resolve, KILL_GRACE_MS).unref());
      await Promise.race([closed, timer]);
    }
    // The leader may be gone while its children still run: the group gets SIGKILL either way.
    signalGroup(pid, 'SIGKILL');
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(process.platform === 'win32' ? pid : -pid, signal);
  } catch {
    // Already gone.
  }
}

interface Session {
  client: Client;
  tools: Array<{ name: string; description?: string; inputSchema: Record<string, unknown> }>;
  transport: Transport;
  /** Why the server is gone, once it is. */
  gone?: string;
}

/** The run's MCP servers. */
export class McpServers {
  private readonly sessions = new Map<string, Promise<Session>>();
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

  private session(server: string): Promise<Session> {
    if (this.closed) return Promise.reject(new Error('the run is over: MCP servers were shut down'));
    let pending = this.sessions.get(server);
    if (!pending) {
      pending = this.start(server);
      this.sessions.set(server, pending);
    }
    return pending;
  }

  private async start(server: string): Promise<Session> {
    const spec = this.spec(server);
    const transport =
      spec.url !== undefined
        ? new StreamableHTTPClientTransport(new URL(spec.url), {
            requestInit: { headers: spec.headers ?? {} },
          })
        : new ProcessTransport(spec, this.context.workspace, this.context.env);
    const client = new Client({ name: 'reprise', version: '1' }, { capabilities: {} });
    const where = spec.url !== undefined ? spec.url : [spec.command, ...(spec.args ?? [])].join(' ');
    try {
      const starting = { timeout: START_TIMEOUT_MS, signal: this.context.signal };
      await client.connect(transport, starting);
      const tools: Session['tools'] = [];
      let cursor: string | undefined;
      do {
        const page = await client.listTools(cursor ? { cursor } : {}, starting);
        for (const tool of page.tools) {
          tools.push({
            name: tool.name,
            description: tool.description,
            inputSchema: tool.inputSchema as Record<string, unknown>,
          });
        }
        cursor = page.nextCursor;
      } while (cursor);
      const session: Session = { client, tools, transport };
      client.onclose = () => {
        session.gone ??= transport instanceof ProcessTransport ? (transport.exited ?? 'closed') : 'closed';
      };
      return session;
    } catch (error) {
      await transport.close().catch(() => undefined);
      const stderr = transport instanceof ProcessTransport ? transport.stderr.trim() : '';
      const exited =
        transport instanceof ProcessTransport && transport.exited ? ` (it ${transport.exited})` : '';
      throw new Error(
        `MCP server "${server}" (${where}) could not start${exited}: ${(error as Error).message}` +
          (stderr ? `\n${stderr}` : ''),
        { cause: error },
      );
    }
  }

  private tool(server: string, tool: Session['tools'][number]): Tool {
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
        let session: Session;
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
