// Merging shards. `npm run bench`
// 8 shard journals of a sharded 8,000-item fan-out (1,000 calls each, 1 KB results), made by running
// the engine as each shard. Measured: a bare read of the 8 files (readFileSync + split + JSON.parse of
// every line), the checked merge (read and validate each, check the set, union by key), and the whole
// merge run (the checked merge, then the engine replaying all 8,000 calls).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bench, describe } from 'vitest';
import type { AgentRequest, AgentResult } from '../src/agents/types.js';
import { runWorkflow } from '../src/engine/run.js';
import { readJournalFile } from '../src/journal/reader.js';
import { checkShardSet } from '../src/journal/shard-set.js';
import { JournalWriter } from '../src/journal/writer.js';
import { loadWorkflowText } from '../src/workflow/loader.js';
import type { WorkflowDef } from '../src/workflow/types.js';

const SHARDS = 8;
const ITEMS = 8_000;
const dir = mkdtempSync(join(tmpdir(), 'reprise-bench-shards-'));
const ANSWER = 'lorem ipsum dolor sit amet '.repeat(37); // ~1 KB

const loaded = loadWorkflowText(
  `
name: bench-shards
limits: { max-calls: 100000 }
inputs:
  items: { type: string }
steps:
  - id: review
    for-each: \${{ fromJSON(inputs.items) }}
    shard: true
    concurrency: 16
    agent: { prompt: "review item \${{ item }}", model: bench-model, provider: openai }
`,
  'bench.yml',
);
if (!loaded.workflow) throw new Error(JSON.stringify(loaded.problems));
const def: WorkflowDef = loaded.workflow;
const inputs = { items: JSON.stringify(Array.from({ length: ITEMS }, (_, i) => i)) };

const instantAgent = async (request: AgentRequest): Promise<AgentResult> => ({
  text: `${request.prompt}: ${ANSWER}`,
  usage: { inputTokens: 812, outputTokens: 95, cachedInputTokens: 0, costUsd: 0.0004 },
  model: request.model,
});

const paths: string[] = [];
for (let index = 0; index < SHARDS; index++) {
  const path = join(dir, `shard-${index}.jsonl`);
  const writer = await JournalWriter.open(path, {});
  const result = await runWorkflow({
    workflow: def,
    inputs,
    runId: `shard-${index}`,
    attempt: 1,
    journal: writer,
    replay: new Map(),
    redact: (text) => text,
    workspace: dir,
    env: {},
    executors: { agent: instantAgent },
    shard: { index, total: SHARDS },
  });
  await writer.close();
  if (result.status !== 'sharded') throw new Error(result.error);
  paths.push(path);
}

async function checkedMerge() {
  const reads = await Promise.all(paths.map((path) => readJournalFile(path)));
  const set = checkShardSet(reads, { workflow: def.name, script: def.scriptHash, onMissing: 'fail' });
  if (set.merged.calls.size !== ITEMS) throw new Error(`merged ${set.merged.calls.size} calls`);
  return set;
}

describe(`merge ${SHARDS} shard journals of ${ITEMS / SHARDS} calls each (1 KB results)`, () => {
  bench('floor: readFileSync + split + JSON.parse of the 8 files', () => {
    for (const path of paths) {
      const text = readFileSync(path, 'utf8');
      for (const line of text.split('\n')) if (line) JSON.parse(line);
    }
  });
  bench('reprise: read, validate and check the set, union by key', async () => {
    await checkedMerge();
  });
  bench('reprise: the merge run (checked merge, then replay every call through the engine)', async () => {
    const set = await checkedMerge();
    const result = await runWorkflow({
      workflow: def,
      inputs,
      runId: 'merge',
      attempt: 2,
      journal: { append: () => undefined },
      replay: set.merged.calls,
      redact: (text) => text,
      workspace: dir,
      env: {},
      executors: { agent: instantAgent },
      mergeOf: SHARDS,
    });
    if (result.status !== 'succeeded' || result.calls.replayed !== ITEMS) throw new Error('not all replayed');
  });
});
