// Tool-using agent steps against the fake OpenAI and Anthropic servers: the loop of turns and tool
// calls, each journaled on its own and replayed by key.
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeAnthropic } from '../fakes/anthropic-server.js';
import { startFakeOpenAI } from '../fakes/openai-server.js';
import type { FakeServer } from '../fakes/common.js';
import { toolResults, toolScript } from '../fakes/tool-script.js';
import { MemoryJournal, load, run } from './harness.js';

let openai: FakeServer;
let anthropic: FakeServer;
beforeAll(async () => {
  openai = await startFakeOpenAI();
  anthropic = await startFakeAnthropic();
});
afterAll(async () => {
  await openai.close();
  await anthropic.close();
});

let workspace: string;
let counter: string;
beforeEach(() => {
  workspace = mkdtempSync(join(tmpdir(), 'reprise-loop-'));
  counter = join(mkdtempSync(join(tmpdir(), 'reprise-counter-')), 'count.log');
  writeFileSync(join(workspace, 'notes.txt'), 'line one\nline two\n');
  openai.requests.length = 0;
  anthropic.requests.length = 0;
});

const TOOLS = `
tools:
  count:
    description: Record a label, once per call.
    parameters:
      type: object
      properties: { label: { type: string } }
      required: [label]
      additionalProperties: false
    run: |
      printf '%s\\n' "$TOOL_INPUT_LABEL" >> "$COUNTER_FILE"
      printf 'counted %s' "$TOOL_INPUT_LABEL"
`;

function env(): Record<string, string | undefined> {
  return {
    PATH: process.env.PATH,
    COUNTER_FILE: counter,
    OPENAI_BASE_URL: openai.url,
    OPENAI_API_KEY: 'test-key',
    ANTHROPIC_BASE_URL: anthropic.url,
    ANTHROPIC_API_KEY: 'test-key',
  };
}

function counted(): string[] {
  return existsSync(counter) ? readFileSync(counter, 'utf8').split('\n').filter(Boolean) : [];
}

describe.each([
  ['openai', 'gpt-4.1-mini', () => openai],
  ['anthropic', 'claude-haiku-4-5', () => anthropic],
])('a tool loop on %s', (provider, model, server) => {
  const workflow = () =>
    load(`
name: loop
defaults: { provider: ${provider}, model: ${model}, retries: 0 }
${TOOLS}
steps:
  - id: work
    agent:
      prompt: Count a and b, then read notes.txt.
      tools: [count, read_file]
outputs:
  text: \${{ steps.work.outputs.text }}
  turns: \${{ steps.work.outputs.turns }}
`);

  it('runs parallel tool calls, sends their results back, and replays every turn and tool call', async () => {
    server().respond(
      toolScript((turn, request) => {
        if (turn === 0) {
          return {
            text: '',
            toolCalls: [
              { name: 'count', arguments: { label: 'a' } },
              { name: 'count', arguments: { label: 'b' } },
              { name: 'read_file', arguments: { path: 'notes.txt' } },
            ],
          };
        }
        return {
          text: `done: ${toolResults(request)
            .map((r) => r.content)
            .join(' | ')}`,
        };
      }),
    );
    const journal = new MemoryJournal();
    const first = await run(workflow(), { journal, env: env(), workspace });
    expect(first.error).toBeUndefined();
    expect(first.status).toBe('succeeded');
    expect(first.outputs).toEqual({
      text: 'done: counted a | counted b | line one\nline two\n',
      turns: 2,
    });
    expect(server().requests).toHaveLength(2);
    expect(counted().sort()).toEqual(['a', 'b']);
    const kinds = journal.events.flatMap((event) => (event.t === 'call' ? [event.kind] : []));
    expect(kinds).toEqual(['agent', 'tool', 'tool', 'tool', 'agent']);
    expect(first.calls.live).toBe(5);

    // A re-run with the journal: nothing reaches the server, no tool runs again.
    const second = await run(workflow(), { journal, env: env(), workspace });
    expect(second.outputs).toEqual(first.outputs);
    expect(second.calls).toMatchObject({ live: 0, replayed: 5 });
    expect(server().requests).toHaveLength(2);
    expect(counted()).toHaveLength(2);
    expect(second.saved.inputTokens).toBe(first.usage.inputTokens);
  });

  it('gives the model its errors: unknown tool, bad arguments, a failing tool, a path outside the workspace', async () => {
    server().respond(
      toolScript((turn, request) => {
        if (turn === 0) {
          return {
            text: '',
            toolCalls: [
              { name: 'nope', arguments: {} },
              { name: 'count', arguments: { label: 7 } },
              { name: 'read_file', arguments: { path: '../outside.txt' } },
              { name: 'count', arguments: '{not json' },
            ],
          };
        }
        return { text: JSON.stringify(toolResults(request)) };
      }),
    );
    const result = await run(workflow(), { env: env(), workspace });
    expect(result.status).toBe('succeeded');
    const results = JSON.parse(result.outputs['text'] as string) as Array<{
      content: string;
      isError: boolean;
    }>;
    expect(results.map((r) => r.isError)).toEqual([true, true, true, true]);
    expect(results[0]?.content).toMatch(/there is no tool "nope"; the tools are: count, read_file/);
    expect(results[1]?.content).toMatch(/do not match its parameters:\n- \/label must be string/);
    expect(results[2]?.content).toMatch(/outside the workspace/);
    expect(results[3]?.content).toMatch(/not JSON|must be a JSON object/);
    expect(counted()).toEqual([]);
  });
});

describe('thread: conversations across steps', () => {
  it('a later step continues the thread, and a resume rebuilds it from the journal', async () => {
    const workflow = load(`
name: threads
defaults: { provider: anthropic, model: claude-haiku-4-5, retries: 0 }
steps:
  - id: loop
    repeat:
      max: 2
      until: \${{ loop.iteration == 2 }}
      steps:
        - id: review
          agent: { prompt: "review pass \${{ loop.iteration }}", thread: pr, tools: [read_file] }
        - id: fix
          agent: { prompt: "fix what you found", thread: pr }
  - id: other
    agent: { prompt: "unrelated", thread: elsewhere }
outputs:
  last: \${{ steps.fix.outputs.text }}
`);
    anthropic.respond(
      toolScript((turn, request) => {
        const body = request.body as { messages: Array<{ role: string; content: unknown }> };
        const last = body.messages[body.messages.length - 1];
        if (typeof last?.content === 'string' && last.content.startsWith('review')) {
          return { text: '', toolCalls: [{ name: 'read_file', arguments: { path: 'notes.txt' } }] };
        }
        return { text: `answer ${turn} after ${body.messages.length} messages` };
      }),
    );
    const journal = new MemoryJournal();
    const first = await run(workflow, { journal, env: env(), workspace });
    expect(first.error).toBeUndefined();
    // review 1: 2 turns; fix 1: 1; review 2: 2; fix 2: 1; other: 1.
    const sizes = anthropic.requests.map((r) => (r.body as { messages: unknown[] }).messages.length);
    expect(sizes).toEqual([1, 3, 5, 7, 9, 11, 1]);
    expect(first.outputs['last']).toBe('answer 5 after 11 messages');
    const fix2 = anthropic.requests[5]?.body as { messages: Array<{ role: string; content: unknown }> };
    expect(fix2.messages.map((m) => m.role)).toEqual([
      'user',
      'assistant',
      'user',
      'assistant',
      'user',
      'assistant',
      'user',
      'assistant',
      'user',
      'assistant',
      'user',
    ]);

    // Drop the journal's last two turns (fix 2 and other): a resume replays the thread up to there and
    // sends exactly those two turns, with the same history as before.
    const cut = new MemoryJournal();
    const calls = journal.events.filter((event) => event.t === 'call');
    for (const event of journal.events) {
      if (event.t !== 'call' || calls.indexOf(event) < calls.length - 2) cut.append(event);
    }
    const before = anthropic.requests.length;
    const resumed = await run(workflow, { journal: cut, env: env(), workspace });
    expect(resumed.outputs).toEqual(first.outputs);
    const resent = anthropic.requests.slice(before).map((r) => r.body);
    expect(resent).toEqual([anthropic.requests[5]?.body, anthropic.requests[6]?.body]);
  });
});

describe('openai with stream: true', () => {
  it('reads streamed tool calls (arguments in pieces) and runs the loop', async () => {
    const workflow = load(`
name: streamed
providers:
  streamed: { type: openai, stream: true, model: gpt-4.1-mini }
defaults: { provider: streamed, retries: 0 }
${TOOLS}
steps:
  - id: work
    agent: { prompt: count, tools: [count] }
outputs:
  text: \${{ steps.work.outputs.text }}
`);
    openai.respond(
      toolScript((turn, request) =>
        turn === 0
          ? {
              text: 'Counting.',
              toolCalls: [
                { name: 'count', arguments: { label: 'first' } },
                { name: 'count', arguments: { label: 'second' } },
              ],
            }
          : {
              text: toolResults(request)
                .map((r) => r.content)
                .join(', '),
            },
      ),
    );
    const result = await run(workflow, { env: env(), workspace });
    expect(result.error).toBeUndefined();
    expect(result.outputs['text']).toBe('counted first, counted second');
    expect(counted().sort()).toEqual(['first', 'second']);
    expect(result.usage.inputTokens).toBeGreaterThan(0);
  });
});
