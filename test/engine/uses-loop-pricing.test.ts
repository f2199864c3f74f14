// Inside a `uses:` callee, every agent call is priced by the caller's `pricing:` (README, sub-workflows):
// a tool-using or threaded step's turns too, as the run-start price check assumes.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runAttempt } from '../../src/attempt.js';
import { emptyJournalRead } from '../../src/journal/reader.js';
import { loadWorkflowFile } from '../../src/workflow/loader.js';
import type { FakeServer } from '../fakes/common.js';
import { startFakeOpenAI } from '../fakes/openai-server.js';

let openai: FakeServer;
beforeAll(async () => {
  openai = await startFakeOpenAI();
});
afterAll(async () => {
  await openai.close();
});

it('a threaded step in a callee is priced by the caller, so limits.usd counts it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'reprise-uses-price-'));
  writeFileSync(
    join(dir, 'inner.yml'),
    'name: inner\nsteps:\n  - id: plain\n    agent: { prompt: one, model: house-model, provider: openai }\n' +
      '  - id: talk\n    agent: { prompt: two, model: house-model, provider: openai, thread: t }\n',
  );
  writeFileSync(
    join(dir, 'outer.yml'),
    'name: outer\nlimits: { usd: 5, on-unknown-cost: fail }\npricing:\n  house-model: { input: 1, output: 1 }\n' +
      'steps:\n  - id: sub\n    uses: ./inner.yml\n',
  );
  const { workflow } = await loadWorkflowFile(join(dir, 'outer.yml'));
  const warnings: string[] = [];
  const journalPath = join(dir, 'journal.jsonl');
  const { result } = await runAttempt({
    workflow: workflow!,
    runId: 'r',
    journalPath,
    previous: emptyJournalRead(journalPath),
    workspace: dir,
    env: { PATH: process.env.PATH, OPENAI_BASE_URL: openai.url, OPENAI_API_KEY: 'k' },
    observer: { warning: (message) => warnings.push(message) },
  });
  expect(result.error).toBeUndefined();
  expect(result.status).toBe('succeeded');
  expect(result.calls.live).toBe(2);
  expect(result.usage.unpricedCalls).toBe(0);
  expect(warnings.join('\n')).not.toContain('unknown');
});
