// Journal throughput. `npx vitest bench --run --config bench/vitest.config.ts bench/journal.bench.ts`
//  - replay: reading a 10,000-call journal (1 KB results, checksummed lines of the current version)
//    with readJournalFile, beside the floor of a bare readFileSync + split + JSON.parse of every line
//    (target: at most ~2x the floor);
//  - append: events per second with the default group commit, beside fsync after every append.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bench, describe } from 'vitest';
import { serializeEvents } from '../src/journal/merge.js';
import { readJournalFile } from '../src/journal/reader.js';
import { Secrets } from '../src/journal/secrets.js';
import { JOURNAL_VERSION, type CallEvent, type RunEvent } from '../src/journal/types.js';
import { JournalWriter } from '../src/journal/writer.js';

const CALLS = 10_000;
const options = { time: 3000, warmupTime: 500 };
const dir = mkdtempSync(join(tmpdir(), 'reprise-bench-'));
const at = '2026-11-21T06:15:03.000Z';

const header: RunEvent = {
  v: JOURNAL_VERSION,
  t: 'run',
  workflow: 'bench',
  script: 'sha256:' + 'a'.repeat(64),
  runId: 'bench',
  attempt: 1,
  inputs: {},
  at,
};

function call(index: number): CallEvent {
  return {
    t: 'call',
    key: `sha256:${index.toString(16).padStart(64, '0')}`,
    step: 'review',
    item: index,
    kind: 'agent',
    model: 'gpt-bench',
    // ~1 KB of result text, varied so nothing is trivially shared.
    result: { text: `answer ${index}: ` + 'lorem ipsum dolor sit amet '.repeat(37), score: index % 10 },
    usage: { inputTokens: 812, outputTokens: 95, cachedInputTokens: 0, costUsd: 0.0004 },
    ms: 2310,
    at,
  };
}

const journalPath = join(dir, 'replay.jsonl');
writeFileSync(
  journalPath,
  serializeEvents([header, ...Array.from({ length: CALLS }, (_, index) => call(index))]),
);

describe(`replay a ${CALLS}-call journal (1 KB results)`, () => {
  bench(
    'bare readFileSync + split + JSON.parse',
    () => {
      const values: unknown[] = [];
      for (const line of readFileSync(journalPath, 'utf8').split('\n'))
        if (line !== '') values.push(JSON.parse(line));
      if (values.length !== CALLS + 1) throw new Error('unexpected line count');
    },
    options,
  );

  bench(
    'readJournalFile (validated)',
    async () => {
      const read = await readJournalFile(journalPath);
      if (read.calls.size !== CALLS) throw new Error('unexpected call count');
    },
    options,
  );
});

const secrets = new Secrets();
secrets.addFromEnv({ OPENAI_API_KEY: 'sk-proj-bench-0123456789', GITHUB_TOKEN: 'ghs_bench0123456789abcdef' });
const groupCommit = await JournalWriter.open(join(dir, 'group.jsonl'), { secrets });
const everyAppend = await JournalWriter.open(join(dir, 'fsync.jsonl'), { secrets, fsyncIntervalMs: 0 });
groupCommit.append(header);
everyAppend.append(header);
let counter = 0;

describe('append one call event (1 KB result, 2 secrets redacted)', () => {
  bench(
    'default group commit (fsync at most every 50 ms)',
    () => {
      groupCommit.append(call(counter++));
    },
    options,
  );

  bench(
    'fsync after every append',
    () => {
      everyAppend.append(call(counter++));
    },
    options,
  );
});
