// What each layer of a live call costs once the JIT is warm: CPU time per call (process.cpuUsage of this
// process; the fake OpenAI server runs in its own) of the bare OpenAI SDK, of reprise's openai provider
// around the same SDK, and of the engine around the provider, without and with the journal and the
// progress lines. Runs reprise's TypeScript source (no bundle needed):
//
//   node_modules/.bin/node --experimental-transform-types bench/live-warm.mjs [--calls 2000] [--rounds 8]
//
// Every round runs every layer once, in turn; the first round is a warm-up; the best round counts.
// Progress lines go to this process's stdout: send it to /dev/null (the figures are printed on stderr).
import './ts-imports.mjs';
import { API_KEY, startFakeProcess, writeLiveFixtures } from './live-fixtures.mjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '8' },
  },
});
const CALLS = Number(values.calls);
const CONCURRENCY = 16;

const { default: OpenAI } = await import('openai');
const { openaiProvider } = await import('../src/agents/openai.ts');
const { runWorkflow } = await import('../src/engine/run.ts');
const { JournalWriter } = await import('../src/journal/writer.ts');
const { Secrets } = await import('../src/journal/secrets.ts');
const { loadWorkflowFile } = await import('../src/workflow/loader.ts');
const { ProgressReporter } = await import('../src/report/progress.ts');

const fake = await startFakeProcess();
const { url } = fake;
const dir = mkdtempSync(join(tmpdir(), 'reprise-bench-warm-'));
try {
  writeLiveFixtures(dir, { url, counts: [], concurrency: CONCURRENCY, maxCalls: 100_000_000 });
  const { workflow } = await loadWorkflowFile(join(dir, 'live.yml'));
  const env = { ...process.env, OPENAI_API_KEY: API_KEY };
  const client = new OpenAI({ apiKey: API_KEY, baseURL: url, maxRetries: 0 });
  const items = JSON.stringify(Array.from({ length: CALLS }, (_, i) => i));
  const signal = new AbortController().signal;

  /** `CALLS` calls of `call`, 16 at a time. */
  const pool = async (call) => {
    let next = 0;
    const worker = async () => {
      while (next < CALLS) await call(next++);
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  };
  let runs = 0;
  /** The engine as `reprise run` drives it; without the journal (a sink) or without progress lines. */
  const engine = async ({ journal = true, progress = true }) => {
    const secrets = new Secrets();
    secrets.addFromEnv(env);
    const writer = await JournalWriter.open(join(dir, `journal-${++runs}.jsonl`), { secrets });
    const result = await runWorkflow({
      workflow,
      inputs: { items },
      runId: `run-${runs}`,
      attempt: 1,
      journal: journal ? writer : { append() {} },
      replay: new Map(),
      redact: (text) => secrets.redact(text),
      workspace: dir,
      env,
      observer: progress ? new ProgressReporter({ out: process.stdout, bar: false, batch: true }) : undefined,
      runOutput: { dir },
    });
    await writer.close();
    if (result.status !== 'succeeded') throw new Error(result.error);
  };
  const layers = {
    'bare SDK': () =>
      pool((i) =>
        client.chat.completions.create({
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: `review item ${i}` }],
        }),
      ),
    'openai provider': () =>
      pool((i) =>
        openaiProvider.call(
          { provider: workflow.providers.fake, model: 'gpt-4o-mini', prompt: `review item ${i}` },
          { signal, env, cwd: dir, timeoutMs: 600_000, pricing: {} },
        ),
      ),
    'engine, no journal, no progress': () => engine({ journal: false, progress: false }),
    'engine + journal': () => engine({ progress: false }),
    'engine + journal + progress': () => engine({}),
  };
  const best = {};
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const [layer, run] of Object.entries(layers)) {
      const before = process.cpuUsage();
      await run();
      const used = process.cpuUsage(before);
      if (round > 0) best[layer] = Math.min(best[layer] ?? Infinity, (used.user + used.system) / CALLS);
    }
  }
  console.error(`node ${process.version}, ${CALLS} calls per round, best of ${Number(values.rounds) - 1}`);
  for (const [layer, us] of Object.entries(best)) {
    console.error(`${layer.padEnd(32)} ${us.toFixed(1).padStart(6)} µs CPU per call`);
  }
} finally {
  fake.stop();
  rmSync(dir, { recursive: true, force: true });
}
