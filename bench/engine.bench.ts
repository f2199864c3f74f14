// Engine benchmarks. `npm run bench`
//  - replay: resuming a finished 10,000-call fan-out (1 KB results) from its journal file, beside the
//    floor of a bare readFileSync + split + JSON.parse of the same file (goal: at most 2x);
//  - overhead: a 1,000-item for-each with an instant agent, journaled to a real file (goal: < 0.3 ms/call);
//  - edit reuse: calls replayed after inserting a step / editing a prompt, beside a position-based journal.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bench, describe } from 'vitest';
import type { AgentRequest, AgentResult } from '../src/agents/types.js';
import { runWorkflow } from '../src/engine/run.js';
import type { JournalSink } from '../src/engine/types.js';
import { readJournalFile } from '../src/journal/reader.js';
import { JournalWriter } from '../src/journal/writer.js';
import { loadWorkflowText } from '../src/workflow/loader.js';
import type { WorkflowDef } from '../src/workflow/types.js';

const dir = mkdtempSync(join(tmpdir(), 'reprise-bench-engine-'));
const ANSWER = 'lorem ipsum dolor sit amet '.repeat(37); // ~1 KB

function workflow(): WorkflowDef {
  const { workflow, problems } = loadWorkflowText(
    `
name: bench
limits: { max-calls: 100000 }
steps:
  - id: review
    for-each: \${{ fromJSON(inputs.items) }}
    concurrency: 16
    agent: { prompt: "review item \${{ item }}", model: bench-model, provider: openai }
inputs:
  items: { type: string }
`,
    'bench.yml',
  );
  if (!workflow) throw new Error(JSON.stringify(problems));
  return workflow;
}

const instantAgent = async (request: AgentRequest): Promise<AgentResult> => ({
  text: `${request.prompt}: ${ANSWER}`,
  usage: { inputTokens: 812, outputTokens: 95, cachedInputTokens: 0, costUsd: 0.0004 },
  model: request.model,
});

const nullSink: JournalSink = { append: () => undefined };

async function runOnce(def: WorkflowDef, items: number, journalPath: string | undefined, replay = new Map()) {
  const writer = journalPath ? await JournalWriter.open(journalPath, {}) : undefined;
  const result = await runWorkflow({
    workflow: def,
    inputs: { items: JSON.stringify(Array.from({ length: items }, (_, i) => i)) },
    runId: 'bench',
    attempt: 1,
    journal: writer ?? nullSink,
    replay,
    redact: (text) => text,
    workspace: dir,
    env: {},
    executors: { agent: instantAgent },
  });
  await writer?.close();
  if (result.status !== 'succeeded') throw new Error(result.error);
  return result;
}

// A finished 10,000-call run to resume from.
const REPLAY_ITEMS = 10_000;
const replayDef = workflow();
const replayJournal = join(dir, 'replay.jsonl');
await runOnce(replayDef, REPLAY_ITEMS, replayJournal);

describe('resume a finished 10,000-call run (1 KB results)', () => {
  bench('floor: readFileSync + split + JSON.parse', () => {
    const text = readFileSync(replayJournal, 'utf8');
    for (const line of text.split('\n')) if (line) JSON.parse(line);
  });
  bench('reprise: read the journal, then replay every call through the engine', async () => {
    const read = await readJournalFile(replayJournal);
    const result = await runOnce(replayDef, REPLAY_ITEMS, undefined, read.candidates);
    if (result.calls.replayed !== REPLAY_ITEMS) throw new Error('not everything replayed');
  });
});

const OVERHEAD_ITEMS = 1000;
const overheadDef = workflow();
let round = 0;
describe('engine overhead: 1,000-item for-each, instant agent, journaled to a file', () => {
  bench(
    'run 1,000 live calls (divide the mean by 1,000 for per call)',
    async () => {
      const path = join(dir, `overhead-${round++}.jsonl`);
      await runOnce(overheadDef, OVERHEAD_ITEMS, path);
      rmSync(path);
    },
    { time: 3000 },
  );
});
