// A Streamable HTTP MCP server for tests, on 127.0.0.1 and an ephemeral port, built on the official SDK
// (stateless: a server and transport per request). It counts tool calls and records request headers.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';
import { readJson } from './common.js';

export interface FakeMcpHttp {
  url: string;
  calls: Array<{ tool: string; args: unknown }>;
  headers: http.IncomingHttpHeaders[];
  close(): Promise<void>;
}

export async function startMcpHttpServer(): Promise<FakeMcpHttp> {
  const calls: FakeMcpHttp['calls'] = [];
  const headers: FakeMcpHttp['headers'] = [];
  const build = () => {
    const server = new McpServer({ name: 'test-http', version: '1.0.0' });
    server.registerTool(
      'add',
      { description: 'Add two numbers.', inputSchema: { a: z.number(), b: z.number() } },
      async ({ a, b }) => {
        calls.push({ tool: 'add', args: { a, b } });
        return { content: [{ type: 'text', text: String(a + b) }] };
      },
    );
    return server;
  };
  const httpServer = http.createServer((req, res) => {
    void (async () => {
      headers.push(req.headers);
      if (req.method !== 'POST') {
        res.writeHead(405).end();
        return;
      }
      const body = await readJson(req);
      const server = build();
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      res.on('close', () => {
        void transport.close();
        void server.close();
      });
      await server.connect(transport);
      await transport.handleRequest(req, res, body);
    })();
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const { port } = httpServer.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    calls,
    headers,
    close: () =>
      new Promise<void>((resolve) => {
        httpServer.closeAllConnections();
        httpServer.close(() => resolve());
      }),
  };
}
