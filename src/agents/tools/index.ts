// The tools a step enables, from all three sources, behind one lookup: what goes into keys (known
// without starting anything), the specs a live turn sends (MCP servers start here), and one tool call
// run to an outcome the model sees (unknown tool, bad arguments and failures included).
import { schemaErrors } from '../structured.js';
import type { ToolCall, ToolOutcome, ToolSpec } from '../types.js';
import { commandTool, type CommandToolSpec } from './command.js';
import { mcpToolName, serverIdentity, type McpServers } from './mcp.js';
import { toolError, type Tool, type ToolContext } from './types.js';
import { isWorkspaceTool, workspaceTool } from './workspace.js';

export const DEFAULT_TOOL_RESULT_LIMIT = 64 * 1024;

export class ToolBox {
  constructor(
    private readonly commands: Record<string, CommandToolSpec>,
    readonly mcp: McpServers,
  ) {}

  /** The tools of a step's `tools:` list: command tool and workspace tool names, `server/*`, `server/tool`. */
  select(selectors: string[]): Toolset {
    return new Toolset(selectors, this.commands, this.mcp);
  }
}

export class Toolset {
  private loaded?: Promise<Tool[]>;
  private readonly fixed: Tool[] = [];
  private readonly servers: Array<{ server: string; tool?: string }> = [];
  /** Command tools declared `reuse: true`, by name. */
  private readonly reusableCommands = new Set<string>();

  constructor(
    private readonly selectors: string[],
    commands: Record<string, CommandToolSpec>,
    private readonly mcp: McpServers,
  ) {
    for (const selector of selectors) {
      const slash = selector.indexOf('/');
      if (slash > 0) {
        const server = selector.slice(0, slash);
        const tool = selector.slice(slash + 1);
        if (!mcp.has(server)) throw new Error(`tools: no MCP server "${server}" (in "${selector}")`);
        this.servers.push({ server, ...(tool === '*' ? {} : { tool }) });
      } else if (commands[selector]) {
        this.fixed.push(commandTool(commands[selector]));
        if (commands[selector].reuse) this.reusableCommands.add(commands[selector].name);
      } else if (isWorkspaceTool(selector)) {
        this.fixed.push(workspaceTool(selector));
      } else {
        throw new Error(`tools: no tool "${selector}"`);
      }
    }
  }

  /**
   * The tool definitions as they enter a turn's key. Command and workspace tools by their full definition;
   * MCP tools by the server's declared command/URL and the selector, so that a journaled loop replays
   * without starting its servers.
   */
  keyDefinitions(): unknown[] {
    return [
      ...this.fixed.map((tool) => ({ ...tool.spec, identity: tool.identity })),
      ...this.servers.map(({ server, tool }) => ({
        mcp: serverIdentity(this.mcp.spec(server)),
        name: server,
        tools: tool ?? '*',
      })),
    ];
  }

  /** What a tool call's key names as its tool, known without starting anything. */
  identityOf(name: string): Record<string, unknown> {
    const fixed = this.fixed.find((tool) => tool.spec.name === name);
    if (fixed) return fixed.identity;
    for (const { server } of this.servers) {
      const prefix = mcpToolName(server, '');
      if (name.startsWith(prefix)) {
        return {
          type: 'mcp',
          server: serverIdentity(this.mcp.spec(server)),
          tool: name.slice(prefix.length),
        };
      }
    }
    return { type: 'unknown', name };
  }

  /**
   * Whether the workflow declared the tool a model calls by `name` reusable across runs (`reuse:` of a command
   * tool or MCP server). Workspace tools are not: they read files, which change between runs, and running
   * them again costs nothing (an unchanged result keeps the next turn's key, so the turn is still reused).
   */
  reusable(name: string): boolean {
    if (this.reusableCommands.has(name)) return true;
    for (const { server } of this.servers) {
      if (!name.startsWith(mcpToolName(server, ''))) continue;
      const declared = this.mcp.spec(server).reuse;
      if (declared === true) return true;
      if (Array.isArray(declared)) return declared.some((tool) => mcpToolName(server, tool) === name);
    }
    return false;
  }

  /** Every tool, MCP servers started as needed; rejects when a server cannot start. */
  tools(): Promise<Tool[]> {
    this.loaded ??= (async () => {
      const fromServers = await Promise.all(
        this.servers.map(async ({ server, tool }) => {
          const all = await this.mcp.tools(server);
          if (tool === undefined) return all;
          const chosen = all.filter((candidate) => candidate.spec.name === mcpToolName(server, tool));
          if (chosen.length === 0) {
            throw new Error(
              `MCP server "${server}" has no tool "${tool}" (it has: ${all.map((t) => t.spec.name.slice(server.length + 2)).join(', ') || 'none'})`,
            );
          }
          return chosen;
        }),
      );
      return [...this.fixed, ...fromServers.flat()];
    })();
    return this.loaded;
  }

  async specs(): Promise<ToolSpec[]> {
    return (await this.tools()).map((tool) => tool.spec);
  }

  /**
   * Runs one tool call to the outcome the model sees: an unknown tool, arguments that are not JSON or fail
   * the tool's schema, a failure or a timeout are error outcomes. The content is capped at `limit` bytes and
   * redacted. Only an abort rejects.
   */
  async invoke(
    call: ToolCall,
    context: ToolContext,
    options: { limit: number; redact: (text: string) => string },
  ): Promise<ToolOutcome> {
    const outcome = await this.outcome(call, context);
    return { content: limitResult(outcome.content, options), isError: outcome.isError };
  }

  private async outcome(call: ToolCall, context: ToolContext): Promise<ToolOutcome> {
    let tools: Tool[];
    try {
      tools = await this.tools();
    } catch (error) {
      return toolError((error as Error).message);
    }
    const tool = tools.find((candidate) => candidate.spec.name === call.name);
    if (!tool) {
      return toolError(
        `there is no tool "${call.name}"; the tools are: ${tools.map((t) => t.spec.name).join(', ') || 'none'}`,
      );
    }
    let args: unknown;
    try {
      args = call.arguments.trim() === '' ? {} : JSON.parse(call.arguments);
    } catch (error) {
      return toolError(`the arguments of "${call.name}" are not JSON: ${(error as Error).message}`);
    }
    if (typeof args !== 'object' || args === null || Array.isArray(args)) {
      return toolError(`the arguments of "${call.name}" must be a JSON object`);
    }
    const errors = schemaErrors(tool.spec.parameters, args);
    if (errors && errors.length > 0) {
      return toolError(
        `the arguments of "${call.name}" do not match its parameters:\n${errors.map((e) => `- ${e}`).join('\n')}`,
      );
    }
    return tool.invoke(args as Record<string, unknown>, context);
  }

  toString(): string {
    return this.selectors.join(', ');
  }
}

/**
 * What the model sees and the journal keeps of a tool's result: redacted, then cut at `limit` bytes. In this
 * order, a cut can only split a `***`, never a secret whose first characters would then escape redaction.
 */
export function limitResult(
  content: string,
  options: { limit: number; redact: (text: string) => string },
): string {
  return cap(options.redact(content), options.limit);
}

/** Cuts a result above `limit` bytes, saying so. */
export function cap(content: string, limit: number): string {
  const bytes = Buffer.byteLength(content, 'utf8');
  if (bytes <= limit) return content;
  const kept = Buffer.from(content, 'utf8')
    .subarray(0, limit)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
  return `${kept}\n[reprise: the result was cut at ${limit} of ${bytes} bytes]`;
}

export { McpServers, type McpServerSpec } from './mcp.js';
export type { CommandToolSpec } from './command.js';
export { WORKSPACE_TOOL_NAMES, isWorkspaceTool } from './workspace.js';
