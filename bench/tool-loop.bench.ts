// Replaying a tool loop: a finished 50-turn agent step that made 100 tool calls (workspace read_file, 1 KB
// results), resumed from its journal file, beside the floor of a bare read of the same file. Each turn's
// key covers the whole message history so far, so this is where that costs. `npm run bench`
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bench, describe } from 'vitest';
import type { TurnRequest, TurnResult } from '../src/agents/types.js';
import { runWorkflow } from '../src/engine/run.js';
import type { JournalSink } from '../src/engine/types.js';
import { readJournalFile } from '../src/journal/reader.js';
import { JournalWriter } from '../src/journal/writer.js';
import { loadWorkflowText } from '../src/workflow/loader.js';

const TURNS = 50;
const dir = mkdtempSync(join(tmpdir(), 'reprise-bench-loop-'));
writeFileSync(join(dir, 'context.md'), 'lorem ipsum dolor sit amet '.repeat(37)); // ~1 KB

const { workflow } = loadWorkflowText(
  `
name: bench-loop
limits: { max-calls: 100000 }
steps:
  - id: agent
    agent:
      prompt: Read the context again and again.
      provider: openai
      model: bench-model
      tools: [read_file]
      max-turns: ${TURNS}
`,
  'bench.yml',
);
if (!workflow) throw new Error('bench workflow does not load');

/** Turn 1 asks for four tool calls, turns 2 to 49 for two each (100 in all), turn 50 answers. */
const scriptedTurn = async (request: TurnRequest): Promise<TurnResult> => {
  const turn = request.messages.filter((message) => message.role === 'assistant').length;
  const calls = turn === TURNS - 1 ? 0 : turn === 0 ? 4 : 2;
  return {
    text: calls === 0 ? 'done' : '',
    toolCalls: Array.from({ length: calls }, (_, i) => ({
      id: `call_${turn}_${i}`,
      name: 'read_file',
      arguments: JSON.stringify({ path: 'context.md', start_line: i + 1 }),
    })),
    usage: { inputTokens: 800 + turn * 300, outputTokens: 40, cachedInputTokens: 0, costUsd: 0.0004 },
    model: 'bench-model',
  };
};

async function runOnce(journal: JournalSink, replay = new Map()) {
  const result = await runWorkflow({
    workflow: workflow!,
    inputs: {},
    runId: 'bench',
    attempt: 1,
    journal,
    replay,
    redact: (text) => text,
    workspace: dir,
    env: {},
    executors: { turn: scriptedTurn },
  });
  if (result.status !== 'succeeded') throw new Error(result.error);
  return result;
}

const journalPath = join(dir, 'loop.jsonl');
const writer = await JournalWriter.open(journalPath, {});
const live = await runOnce(writer);
await writer.close();
if (live.calls.live !== TURNS + 100) throw new Error(`expected 150 live calls, got ${live.calls.live}`);

describe('resume a finished 50-turn loop with 100 tool calls', () => {
  bench('floor: readFileSync + split + JSON.parse', () => {
    const text = readFileSync(journalPath, 'utf8');
    for (const line of text.split('\n')) if (line) JSON.parse(line);
  });
  bench('reprise: read the journal, then replay every turn and tool call through the engine', async () => {
    const read = await readJournalFile(journalPath);
    const result = await runOnce({ append: () => undefined }, read.candidates);
    if (result.calls.replayed !== TURNS + 100 || result.calls.live !== 0) throw new Error('not all replayed');
  });
});
