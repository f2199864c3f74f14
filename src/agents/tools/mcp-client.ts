// The MCP SDK's side of reprise's MCP servers: connecting a client over stdio (a process reprise starts and
// owns, whole process group included) or Streamable HTTP, and listing the server's tools. Imported by
// mcp.ts only when a server starts: the SDK and zod are a large part of the bundle, and a workflow
// without `mcp-servers` (or a run that replays every call) never loads them.
import { spawn, type ChildProcess } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { McpServerSpec, McpSession } from './mcp.js';

const START_TIMEOUT_MS = 30_000;
const KILL_GRACE_MS = 1000;
const STDERR_TAIL = 2000;
/** What a stdio server inherits besides its declared env (as the SDK's own default): never credentials. */
const INHERITED_ENV = ['HOME', 'LOGNAME', 'PATH', 'SHELL', 'TERM', 'USER', 'TMPDIR', 'LANG'];

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

/** Starts (or connects to) a server and lists its tools. Rejects with a message naming the server when it cannot. */
export async function connectMcpServer(
  server: string,
  spec: McpServerSpec,
  context: { workspace: string; env: Record<string, string | undefined>; signal?: AbortSignal },
): Promise<McpSession> {
  const transport =
    spec.url !== undefined
      ? new StreamableHTTPClientTransport(new URL(spec.url), {
          requestInit: { headers: spec.headers ?? {} },
        })
      : new ProcessTransport(spec, context.workspace, context.env);
  const client = new Client({ name: 'reprise', version: '1' }, { capabilities: {} });
  const where = spec.url !== undefined ? spec.url : [spec.command, ...(spec.args ?? [])].join(' ');
  try {
    const starting = { timeout: START_TIMEOUT_MS, signal: context.signal };
    await client.connect(transport, starting);
    const tools: McpSession['tools'] = [];
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
    const session: McpSession = { client, tools, transport };
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
