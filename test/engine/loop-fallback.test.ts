// Model fallback in a tool loop: every turn tries the declared list as a single call does, the journal
// names the model that answered, and a resume replays every turn by keys that cover the declared list.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FakeServer } from '../fakes/common.js';
import { startFakeOpenAI } from '../fakes/openai-server.js';
import { toolResults, toolScript } from '../fakes/tool-script.js';
import { MemoryJournal, load, run } from './harness.js';

let openai: FakeServer;
beforeAll(async () => {
  // Only the fallback exists: the primary answers 404 (model_not_found) on every turn.
  openai = await startFakeOpenAI({ models: ['gpt-4.1-mini'] });
});
afterAll(async () => {
  await openai.close();
});

it('each turn of a tool loop falls back from a 404 model, journals who answered, and replays with 0 requests', async () => {
  const workspace = mkdtempSync(join(tmpdir(), 'reprise-loop-fallback-'));
  writeFileSync(join(workspace, 'notes.txt'), 'line one\n');
  openai.respond(
    toolScript((turn, request) =>
      turn === 0
        ? { text: '', toolCalls: [{ name: 'read_file', arguments: { path: 'notes.txt' } }] }
        : { text: `read: ${toolResults(request)[0]?.content ?? ''}` },
    ),
  );
  const workflowOf = (models: string) =>
    load(`
name: loop-fallback
defaults: { provider: openai, retries: 0 }
steps:
  - id: work
    agent:
      model: [${models}]
      prompt: Read notes.txt.
      tools: [read_file]
outputs:
  text: \${{ steps.work.outputs.text }}
`);
  const workflow = workflowOf('gone-model, gpt-4.1-mini');
  const env = { PATH: process.env.PATH, OPENAI_BASE_URL: openai.url, OPENAI_API_KEY: 'test-key' };
  const journal = new MemoryJournal();
  const warnings: string[] = [];
  const first = await run(workflow, {
    journal,
    env,
    workspace,
    observer: { warning: (message: string) => warnings.push(message) },
  });
  expect(first.error).toBeUndefined();
  expect(first.status).toBe('succeeded');
  expect(first.outputs).toEqual({ text: 'read: line one\n' });
  // Two turns, each tried on the primary (404) and then answered by the fallback.
  expect(openai.requests.map((r) => (r.body as { model: string }).model)).toEqual([
    'gone-model',
    'gpt-4.1-mini',
    'gone-model',
    'gpt-4.1-mini',
  ]);
  expect(warnings.filter((w) => w.includes('falling back to "gpt-4.1-mini"'))).toHaveLength(2);
  const calls = journal.events.flatMap((event) => (event.t === 'call' ? [event] : []));
  expect(calls.map((call) => call.kind)).toEqual(['agent', 'tool', 'agent']);
  for (const call of calls.filter((c) => c.kind === 'agent')) expect(call.model).toBe('gpt-4.1-mini');

  // A resume replays both turns and the tool call: nothing reaches the server.
  const sent = openai.requests.length;
  const second = await run(workflow, { journal, env, workspace });
  expect(second.status).toBe('succeeded');
  expect(second.outputs).toEqual(first.outputs);
  expect(second.calls).toMatchObject({ live: 0, replayed: 3 });
  expect(openai.requests.length - sent).toBe(0);

  // The turn keys cover the declared list: another list is another request, run live.
  const third = await run(workflowOf('gone-model, gpt-4.1-mini, gpt-4.1'), { journal, env, workspace });
  expect(third.status).toBe('succeeded');
  expect(third.calls).toMatchObject({ live: 3, replayed: 0 });
});
