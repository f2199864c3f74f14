// A small MCP server over stdio for tests, built on the official SDK. `echo` answers, `getenv` tells the
// value of one of its environment variables, `die` kills the
// server mid-call, `wait` never answers. At start it leaves a grandchild (`sleep`) running and writes both pids to $PID_FILE, so a
// test can check that reprise ends the whole process tree. FAIL_AT_START=1 makes it exit before answering.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

if (process.env.FAIL_AT_START === '1') {
  process.stderr.write('fake MCP server: configuration missing, giving up\n');
  process.exit(3);
}
const grandchild = spawn('sleep', ['300'], { stdio: 'ignore' });
if (process.env.PID_FILE) writeFileSync(process.env.PID_FILE, `${process.pid} ${grandchild.pid}`);

const server = new McpServer({ name: 'test-stdio', version: '1.0.0' });
server.registerTool(
  'echo',
  { description: 'Echo a text back.', inputSchema: { text: z.string() } },
  async ({ text }) => ({ content: [{ type: 'text', text: `echo: ${text}` }] }),
);
server.registerTool(
  'getenv',
  { description: 'The value of an environment variable.', inputSchema: { name: z.string() } },
  async ({ name }) => ({ content: [{ type: 'text', text: process.env[name] ?? '' }] }),
);
server.registerTool('die', { description: 'Crash the server.', inputSchema: {} }, async () => {
  process.exit(1);
});
server.registerTool('fail', { description: 'Answer with an error result.', inputSchema: {} }, async () => ({
  content: [{ type: 'text', text: 'it went wrong' }],
  isError: true,
}));
server.registerTool('wait', { description: 'Never answer.', inputSchema: {} }, () => new Promise(() => {}));
await server.connect(new StdioServerTransport());
