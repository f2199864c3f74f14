// The bundled CLI (dist/) runs a tool loop with an MCP server over stdio and a command tool, journals each
// turn and tool call, and a resume replays all of them without the provider or the server.
import { join, resolve } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI } from '../fakes/openai-server.js';
import type { FakeServer } from '../fakes/openai-server.js';
import { toolResults, toolScript } from '../fakes/tool-script.js';
import { cli, cliAsync, exited, journalLines, lastJson, workspace } from './cli-helpers.js';

const STDIO_SERVER = resolve('test/fakes/mcp-stdio-server.mjs');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Killed processes are reaped by their new parent a moment later. */
async function gone(pids: number[]): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if (!pids.some(alive)) return true;
    await new Promise((done) => setTimeout(done, 50));
  }
  return false;
}

let server: FakeServer;
beforeAll(async () => {
  server = await startFakeOpenAI({ apiKey: 'test-key' });
  server.respond(
    toolScript((turn, request) =>
      turn === 0
        ? {
            text: '',
            toolCalls: [
              { name: 'srv__echo', arguments: { text: 'hello' } },
              { name: 'stamp', arguments: { note: 'once' } },
            ],
          }
        : {
            text: toolResults(request)
              .map((r) => r.content)
              .join(' + '),
          },
    ),
  );
});
afterAll(async () => {
  await server.close();
});

describe('a tool loop through the bundled CLI', () => {
  it('runs, journals turns and tool calls, and replays them on resume', async () => {
    const pidFile = join(workspace(), 'pids');
    const dir = workspace({
      'loop.yml': `
name: cli-loop
defaults: { provider: openai, model: gpt-4.1-mini, retries: 0 }
tools:
  stamp:
    description: Append a note to stamps.log.
    parameters: { type: object, properties: { note: { type: string } }, required: [note] }
    run: printf '%s\\n' "$TOOL_INPUT_NOTE" >> stamps.log && printf stamped
mcp-servers:
  srv:
    command: node
    args: [${JSON.stringify(STDIO_SERVER)}]
    env: { PID_FILE: ${JSON.stringify(pidFile)} }
steps:
  - id: work
    agent: { prompt: go, tools: [srv/echo, stamp] }
outputs:
  text: \${{ steps.work.outputs.text }}
`,
    });
    const env = { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: 'test-key' };
    expect(cli(dir, ['validate', 'loop.yml']).code).toBe(0);
    const first = await exited(cliAsync(dir, ['run', 'loop.yml', '--run-id', 'r', '--json'], env));
    expect(first.code, first.stderr).toBe(0);
    expect(lastJson(first.stdout)).toMatchObject({
      status: 'succeeded',
      outputs: { text: 'echo: hello + stamped' },
      calls: { live: 4 },
    });
    const kinds = journalLines(dir, 'r').flatMap((line) => (line.t === 'call' ? [line.kind] : []));
    expect(kinds.sort()).toEqual(['agent', 'agent', 'tool', 'tool']);
    // The server and its grandchild are gone once the CLI has exited.
    const pids = readFileSync(pidFile, 'utf8').split(' ').map(Number);
    expect(await gone(pids)).toBe(true);

    const sent = server.requests.length;
    const resumed = await exited(cliAsync(dir, ['run', 'loop.yml', '--resume', 'r', '--json'], env));
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(lastJson(resumed.stdout)).toMatchObject({
      outputs: { text: 'echo: hello + stamped' },
      calls: { live: 0, replayed: 4 },
    });
    expect(server.requests).toHaveLength(sent);
    expect(readFileSync(join(dir, 'stamps.log'), 'utf8')).toBe('once\n');
    expect(existsSync(pidFile)).toBe(true);
  });
});
