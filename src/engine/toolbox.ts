// The run's tools: command tools and MCP servers as the workflow declares them, their env and headers
// resolved once per run (they may read inputs, env and github, never a step).
import { McpServers, ToolBox, type CommandToolSpec, type McpServerSpec } from '../agents/tools/index.js';
import { evaluateTemplate } from '../workflow/expressions.js';
import type { ExpressionContext, WorkflowDef } from '../workflow/types.js';
import { SECRET_ENV_NAME, stringMap } from './plan.js';

export interface RunToolbox {
  toolbox: ToolBox;
  /** Shuts down every MCP server the run started. */
  close(): Promise<void>;
}

export function runToolbox(
  workflow: WorkflowDef,
  workflowEnv: Record<string, string>,
  context: ExpressionContext,
  options: { workspace: string; env: Record<string, string | undefined>; signal: AbortSignal },
): RunToolbox {
  const commands: Record<string, CommandToolSpec> = {};
  for (const [name, tool] of Object.entries(workflow.tools)) {
    const env = { ...workflowEnv, ...stringMap(evaluateTemplate(tool.env, context), `tool "${name}" env`) };
    commands[name] = {
      name,
      description: tool.description,
      parameters: tool.parameters,
      run: tool.run,
      ...(tool.shell !== undefined ? { shell: tool.shell } : {}),
      env,
      keyEnv: Object.fromEntries(Object.entries(env).filter(([key]) => !SECRET_ENV_NAME.test(key))),
      ...(tool.timeoutMs !== undefined ? { timeoutMs: tool.timeoutMs } : {}),
      ...(tool.reuse ? { reuse: true } : {}),
    };
  }
  const servers: Record<string, McpServerSpec> = {};
  for (const [name, server] of Object.entries(workflow.mcpServers)) {
    servers[name] = {
      name,
      ...(server.command !== undefined ? { command: server.command, args: server.args ?? [] } : {}),
      ...(server.url !== undefined ? { url: server.url } : {}),
      env: stringMap(evaluateTemplate(server.env, context), `MCP server "${name}" env`),
      headers: stringMap(evaluateTemplate(server.headers, context), `MCP server "${name}" headers`),
      ...(server.timeoutMs !== undefined ? { timeoutMs: server.timeoutMs } : {}),
      ...(server.reuse !== undefined ? { reuse: server.reuse } : {}),
    };
  }
  const mcp = new McpServers(servers, options);
  return { toolbox: new ToolBox(commands, mcp), close: () => mcp.close() };
}
