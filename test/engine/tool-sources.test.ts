// The three tool sources in one loop (command tools, workspace tools, MCP servers over stdio and
// Streamable HTTP), on both providers, and the faults a tool loop meets.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeAnthropic } from '../fakes/anthropic-server.js';
import type { FakeServer } from '../fakes/common.js';
import { startMcpHttpServer, type FakeMcpHttp } from '../fakes/mcp-http-server.js';
import { startFakeOpenAI } from '../fakes/openai-server.js';
import { toolResults, toolScript } from '../fakes/tool-script.js';
import { MemoryJournal, load, run } from './harness.js';

const FS_SERVER = resolve('node_modules/@modelcontextprotocol/server-filesystem/dist/index.js');
const STDIO_SERVER = resolve('test/fakes/mcp-stdio-server.mjs');

let openai: FakeServer;
let anthropic: FakeServer;
let mcpHttp: FakeMcpHttp;
beforeAll(async () => {
  openai = await startFakeOpenAI();
  anthropic = await startFakeAnthropic();
  mcpHttp = await startMcpHttpServer();
});
afterAll(async () => {
  await openai.close();
  await anthropic.close();
  await mcpHttp.close();
});

let workspace: string;
let scratch: string;
beforeEach(() => {
  workspace = mkdtempSync(join(tmpdir(), 'reprise-sources-'));
  scratch = mkdtempSync(join(tmpdir(), 'reprise-scratch-'));
  writeFileSync(join(workspace, 'notes.txt'), 'alpha\nbeta\n');
  openai.requests.length = 0;
  anthropic.requests.length = 0;
  mcpHttp.calls.length = 0;
});

function env(): Record<string, string | undefined> {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    SCRATCH: scratch,
    OPENAI_BASE_URL: openai.url,
    OPENAI_API_KEY: 'test-key',
    ANTHROPIC_BASE_URL: anthropic.url,
    ANTHROPIC_API_KEY: 'test-key',
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function gone(pids: number[]): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if (pids.every((pid) => !alive(pid))) return true;
    await new Promise((done) => setTimeout(done, 50));
  }
  return false;
}

describe.each([
  ['openai', 'gpt-4.1-mini', () => openai],
  ['anthropic', 'claude-haiku-4-5', () => anthropic],
])('on %s, one turn calls all three tool sources at once', (provider, model, server) => {
  it('command, workspace, the filesystem MCP server over stdio and an HTTP MCP server', async () => {
    const workflow = load(`
name: sources
defaults: { provider: ${provider}, model: ${model}, retries: 0 }
tools:
  shout:
    description: Upper-case a text.
    parameters: { type: object, properties: { text: { type: string } }, required: [text] }
    run: printf '%s' "$TOOL_INPUT_TEXT" | tr a-z A-Z
mcp-servers:
  fs:
    command: node
    args: [${JSON.stringify(FS_SERVER)}, ${JSON.stringify(workspace)}]
  calc:
    url: ${mcpHttp.url}
    headers: { X-Run: "\${{ inputs.tag }}" }
inputs:
  tag: { type: string, default: t1 }
steps:
  - id: work
    agent:
      prompt: Use every tool.
      tools: [shout, read_file, fs/read_text_file, calc/*]
outputs:
  text: \${{ steps.work.outputs.text }}
`);
    server().respond(
      toolScript((turn, request) => {
        if (turn === 0) {
          return {
            text: 'Calling them all.',
            toolCalls: [
              { name: 'shout', arguments: { text: 'hi' } },
              { name: 'read_file', arguments: { path: 'notes.txt', start_line: 2 } },
              { name: 'fs__read_text_file', arguments: { path: join(workspace, 'notes.txt') } },
              { name: 'calc__add', arguments: { a: 2, b: 40 } },
            ],
          };
        }
        return {
          text: toolResults(request)
            .map((r) => `${r.isError}:${r.content.trim()}`)
            .join(' | '),
        };
      }),
    );
    const journal = new MemoryJournal();
    const first = await run(workflow, { journal, env: env(), workspace });
    expect(first.error).toBeUndefined();
    expect(first.outputs['text']).toBe('false:HI | false:beta | false:alpha\nbeta | false:42');
    // The tool definitions the model saw: the MCP tools under server__tool names.
    const sent = JSON.stringify(server().requests[0]?.body);
    for (const name of ['shout', 'read_file', 'fs__read_text_file', 'calc__add'])
      expect(sent).toContain(name);
    expect(sent).not.toContain('fs__write_file');
    expect(mcpHttp.calls).toEqual([{ tool: 'add', args: { a: 2, b: 40 } }]);
    expect(mcpHttp.headers.some((headers) => headers['x-run'] === 't1')).toBe(true);

    // Replay needs neither the provider, nor the tools, nor the MCP servers.
    const requests = server().requests.length;
    const headers = mcpHttp.headers.length;
    const second = await run(workflow, { journal, env: env(), workspace });
    expect(second.outputs).toEqual(first.outputs);
    expect(second.calls).toMatchObject({ live: 0, replayed: 6 });
    expect(server().requests).toHaveLength(requests);
    expect(mcpHttp.headers).toHaveLength(headers);
  });
});

describe('faults', () => {
  const base = (steps: string, extra = '') =>
    load(`
name: faults
defaults: { provider: openai, model: gpt-4.1-mini, retries: 0 }
${extra}
steps:
${steps}
outputs:
  text: \${{ steps.work.outputs.text }}
`);
  const echoResults = () =>
    toolScript((turn, request) => (turn === 0 ? undefined : { text: JSON.stringify(toolResults(request)) }));

  it('a hanging tool times out, its process tree is stopped, and the model sees the error', async () => {
    const pidFile = join(scratch, 'sleep.pid');
    openai.respond(
      toolScript((turn, request) =>
        turn === 0
          ? { text: '', toolCalls: [{ name: 'hang', arguments: {} }] }
          : { text: JSON.stringify(toolResults(request)) },
      ),
    );
    const workflow = base(
      `  - id: work
    agent: { prompt: hang, tools: [hang] }`,
      `tools:
  hang:
    description: Never ends.
    run: |
      sleep 300 &
      echo $! > "$SCRATCH/sleep.pid"
      wait
    timeout: 1s`,
    );
    const result = await run(workflow, { env: env(), workspace });
    expect(result.status).toBe('succeeded');
    const [outcome] = JSON.parse(result.outputs['text'] as string) as Array<{
      content: string;
      isError: boolean;
    }>;
    expect(outcome).toEqual({
      isError: true,
      content: 'tool "hang" ran longer than its timeout of 1000 ms and was stopped',
    });
    expect(await gone([Number(readFileSync(pidFile, 'utf8'))])).toBe(true);
  });

  it('an MCP server that dies at start fails the step with its own words, and leaves nothing running', async () => {
    openai.respond(toolScript(() => ({ text: 'never' })));
    const workflow = base(
      `  - id: work
    agent: { prompt: start, tools: [bad/*] }`,
      `mcp-servers:
  bad:
    command: node
    args: [${JSON.stringify(STDIO_SERVER)}]
    env: { FAIL_AT_START: "1" }`,
    );
    const result = await run(workflow, { env: env(), workspace });
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(
      /step "work": MCP server "bad" \(node .*mcp-stdio-server\.mjs\) could not start/,
    );
    expect(result.error).toContain('fake MCP server: configuration missing, giving up');
    expect(openai.requests).toHaveLength(0);
  });

  it('an MCP server that dies mid-run gives the model tool errors; its process tree is gone at the end', async () => {
    const pidFile = join(scratch, 'mcp.pids');
    openai.respond(
      toolScript((turn, request) => {
        if (turn === 0) return { text: '', toolCalls: [{ name: 'srv__echo', arguments: { text: 'one' } }] };
        if (turn === 1) return { text: '', toolCalls: [{ name: 'srv__fail', arguments: {} }] };
        if (turn === 2) return { text: '', toolCalls: [{ name: 'srv__die', arguments: {} }] };
        if (turn === 3) return { text: '', toolCalls: [{ name: 'srv__echo', arguments: { text: 'two' } }] };
        return { text: JSON.stringify(toolResults(request)) };
      }),
    );
    const workflow = base(
      `  - id: work
    agent: { prompt: go, tools: [srv/*] }`,
      `mcp-servers:
  srv:
    command: node
    args: [${JSON.stringify(STDIO_SERVER)}, "--x=$(touch pwned)"]
    env: { PID_FILE: ${JSON.stringify(pidFile)} }`,
    );
    const result = await run(workflow, { env: env(), workspace });
    expect(result.error).toBeUndefined();
    const results = openai.requests.slice(1).map((request) => toolResults(request)[0]);
    expect(results[0]).toEqual({ isError: false, content: 'echo: one' });
    expect(results[1]).toEqual({ isError: true, content: 'it went wrong' });
    expect(results[2]?.isError).toBe(true);
    expect(results[2]?.content).toMatch(/MCP tool "srv\/die" failed/);
    expect(results[3]).toEqual({
      isError: true,
      content: 'MCP server "srv" is not running (it exited with code 1)',
    });
    const pids = readFileSync(pidFile, 'utf8').split(' ').map(Number);
    expect(await gone(pids)).toBe(true);
    // An argument with shell syntax is one argv element, never run.
    expect(existsSync(join(workspace, 'pwned'))).toBe(false);
  });

  it('the servers of a run that succeeds are shut down with their process trees', async () => {
    const pidFile = join(scratch, 'mcp.pids');
    openai.respond(
      toolScript((turn) =>
        turn === 0
          ? { text: '', toolCalls: [{ name: 'srv__echo', arguments: { text: 'x' } }] }
          : { text: 'ok' },
      ),
    );
    const workflow = base(
      `  - id: work
    agent: { prompt: go, tools: [srv/echo] }`,
      `mcp-servers:
  srv:
    command: node
    args: [${JSON.stringify(STDIO_SERVER)}]
    env: { PID_FILE: ${JSON.stringify(pidFile)} }`,
    );
    const result = await run(workflow, { env: env(), workspace });
    expect(result.status).toBe('succeeded');
    const pids = readFileSync(pidFile, 'utf8').split(' ').map(Number);
    expect(pids).toHaveLength(2);
    expect(await gone(pids)).toBe(true);
  });

  it('a run cancelled during an MCP tool call ends cancelled, with the server tree gone', async () => {
    const pidFile = join(scratch, 'mcp.pids');
    openai.respond(
      toolScript((turn) =>
        turn === 0 ? { text: '', toolCalls: [{ name: 'srv__wait', arguments: {} }] } : { text: 'never' },
      ),
    );
    const workflow = base(
      `  - id: work
    agent: { prompt: go, tools: [srv/*] }`,
      `mcp-servers:
  srv:
    command: node
    args: [${JSON.stringify(STDIO_SERVER)}]
    env: { PID_FILE: ${JSON.stringify(pidFile)} }`,
    );
    const controller = new AbortController();
    const journal = new MemoryJournal();
    const running = run(workflow, { journal, env: env(), workspace, signal: controller.signal });
    // Cancel once the model has asked for the tool and the server is up.
    for (let i = 0; i < 400 && !(openai.requests.length === 1 && existsSync(pidFile)); i++) {
      await new Promise((done) => setTimeout(done, 25));
    }
    await new Promise((done) => setTimeout(done, 200));
    controller.abort();
    const result = await running;
    expect(result.status).toBe('cancelled');
    expect(journal.events.filter((event) => event.t === 'call').map((event) => event.kind)).toEqual([
      'agent',
    ]);
    const pids = readFileSync(pidFile, 'utf8').split(' ').map(Number);
    expect(await gone(pids)).toBe(true);
  });

  it('a run cancelled while an MCP server is still starting ends at once, the server gone', async () => {
    const pidFile = join(scratch, 'silent.pid');
    openai.respond(toolScript(() => ({ text: 'never' })));
    // A "server" that never answers the MCP handshake.
    const workflow = base(
      `  - id: work
    agent: { prompt: go, tools: [silent/*] }`,
      `mcp-servers:
  silent:
    command: bash
    args: [-c, 'echo $$ > "$PID_FILE"; exec sleep 300']
    env: { PID_FILE: ${JSON.stringify(pidFile)} }`,
    );
    const controller = new AbortController();
    const running = run(workflow, { env: env(), workspace, signal: controller.signal });
    for (let i = 0; i < 400 && !existsSync(pidFile); i++) await new Promise((done) => setTimeout(done, 25));
    controller.abort();
    const result = await running;
    expect(result.status).toBe('cancelled');
    expect(openai.requests).toHaveLength(0);
    expect(await gone([Number(readFileSync(pidFile, 'utf8'))])).toBe(true);
  });

  it('max-turns reached fails the step, naming it, its item and the limit', async () => {
    openai.respond(
      toolScript(() => ({ text: '', toolCalls: [{ name: 'read_file', arguments: { path: 'notes.txt' } }] })),
    );
    const workflow = base(`  - id: work
    for-each: [a]
    agent: { prompt: "loop \${{ item }}", tools: [read_file], max-turns: 3 }`);
    const result = await run(workflow, { env: env(), workspace });
    expect(result.status).toBe('failed');
    expect(result.error).toBe(
      'step "work": 1 of 1 items failed:\n  item 0 ("a"): reached max-turns (3) with the model still calling tools (read_file): raise agent.max-turns or narrow the task',
    );
    expect(openai.requests).toHaveLength(3);
  });

  it('tool arguments are data: shell syntax in them is never run', async () => {
    const evil = ['$(touch pwned1)', '`touch pwned2`', '"; touch pwned3; "', "'; touch pwned4; '"];
    openai.respond(echoResults());
    openai.respond(
      toolScript((turn, request) =>
        turn === 0
          ? {
              text: '',
              toolCalls: evil.map((text) => ({ name: 'say', arguments: { text, 'odd name': text } })),
            }
          : { text: JSON.stringify(toolResults(request)) },
      ),
    );
    const workflow = base(
      `  - id: work
    agent: { prompt: go, tools: [say] }`,
      `tools:
  say:
    description: Say it.
    run: |
      printf '%s|%s|' "$TOOL_INPUT_TEXT" "$TOOL_INPUT_ODD_NAME"
      cat
    `,
    );
    const result = await run(workflow, { env: env(), workspace });
    const outcomes = JSON.parse(result.outputs['text'] as string) as Array<{ content: string }>;
    expect(outcomes.map((o) => o.content)).toEqual(
      evil.map((text) => `${text}|${text}|${JSON.stringify({ text, 'odd name': text })}`),
    );
    for (let i = 1; i <= 4; i++) expect(existsSync(join(workspace, `pwned${i}`))).toBe(false);
  });

  it('a result above the size cap is cut with a note; secrets never reach the journal', async () => {
    openai.respond(
      toolScript((turn, request) =>
        turn === 0
          ? { text: '', toolCalls: [{ name: 'big', arguments: {} }] }
          : { text: toolResults(request)[0]?.content.slice(-80) ?? '' },
      ),
    );
    const workflow = base(
      `  - id: work
    agent: { prompt: go, tools: [big], tool-result-limit: 1000 }`,
      `tools:
  big:
    description: A lot of output, and a secret.
    run: |
      echo "token=$DEPLOY_TOKEN"
      head -c 5000 /dev/zero | tr '\\0' x`,
    );
    const journal = new MemoryJournal();
    const result = await run(workflow, {
      journal,
      env: { ...env(), DEPLOY_TOKEN: 's3cr3t-value' },
      workspace,
      redact: (text) => text.replaceAll('s3cr3t-value', '***'),
    });
    // The cut counts the redacted result (5019 bytes printed, the 12-character secret now `***`).
    expect(result.outputs['text']).toMatch(/\[reprise: the result was cut at 1000 of 5010 bytes\]$/);
    const journaled = JSON.stringify(journal.events);
    expect(journaled).toContain('token=***');
    expect(journaled).not.toContain('s3cr3t-value');
    expect(JSON.stringify(openai.requests.map((r) => r.body))).not.toContain('s3cr3t-value');
  });

  it('schema: the final answer is validated, with one correction turn', async () => {
    openai.respond(
      toolScript((turn) => {
        if (turn === 0)
          return { text: '', toolCalls: [{ name: 'read_file', arguments: { path: 'notes.txt' } }] };
        if (turn === 1) return { text: '{"severity": "huge"}' };
        return { text: '{"severity": "minor"}' };
      }),
    );
    const workflow = base(`  - id: work
    agent:
      prompt: rate
      tools: [read_file]
      schema: { type: object, required: [severity], properties: { severity: { enum: [none, minor, major] } } }`);
    const result = await run(workflow, { env: env(), workspace });
    expect(result.error).toBeUndefined();
    expect(result.outputs['text']).toBe('{"severity": "minor"}');
    expect(openai.requests).toHaveLength(3);
    expect(JSON.stringify(openai.requests[2]?.body)).toContain('does not conform to the JSON Schema');
  });
});
