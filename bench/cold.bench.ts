// What a user waits for: cold processes, timed from spawn to exit (or to the first log line), against
// the floor of a bare `node` doing the least the same job needs. `npm run bench` (needs `npm run bundle`).
// Results and how to read them: bench/README.md, "Cold processes".
//  - `reprise run --resume` of a finished run of 1k, 10k and 100k calls vs a bare node read + JSON.parse of
//    the same journal (goal: at most 2x);
//  - a live 1,000-call fan-out through `reprise run` vs a bare OpenAI SDK client making the same calls
//    against the same fake server, which runs in its own process (goal: under 0.1 ms more per call, start-up
//    excluded: each side also makes 1 call, and the summary subtracts it);
// The action's main and post as processes on the Actions emulator: bench/cold-action.bench.ts.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, bench, describe } from 'vitest';
import type { AgentRequest, AgentResult } from '../src/agents/types.js';
import { runWorkflow } from '../src/engine/run.js';
import { JournalWriter } from '../src/journal/writer.js';
import { loadWorkflowFile } from '../src/workflow/loader.js';
import { API_KEY, startFakeProcess, writeLiveFixtures } from './live-fixtures.mjs';

const REPO = resolve(import.meta.dirname, '..');
const CLI = join(REPO, 'dist/cli.js');
const dir = mkdtempSync(join(tmpdir(), 'reprise-bench-cold-'));
const ANSWER = 'lorem ipsum dolor sit amet '.repeat(37); // ~1 KB
/**
 * Few iterations: each is a whole process, and 100k calls take seconds. `COLD_RUNS=10` takes more, for
 * figures steadier than three samples on a machine whose speed drifts.
 */
const COLD = { iterations: Number(process.env.COLD_RUNS ?? 3), warmupIterations: 1, time: 0, warmupTime: 0 };

/** GNU time, when installed, gives each process's CPU time too: steadier than wall time on a shared machine. */
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const CPU_MARK = 'reprise-bench-cpu';

interface Sample {
  wall: number;
  cpu?: number;
}
/** Every timed process by row, for the summary printed at the end (min and mean, ratio to its floor). */
const samples = new Map<string, Sample[]>();

/** Runs a process to its end; rejects unless it exits 0. Async, so servers in this process keep serving. */
function run(
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; row?: string } = {},
): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const [command, commandArgs] = TIME
      ? [TIME, ['-f', `${CPU_MARK} %U %S`, process.execPath, ...args]]
      : [process.execPath, args];
    const child = spawn(command, commandArgs, {
      cwd: options.cwd ?? dir,
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const wall = performance.now() - started;
      const mark = err.lastIndexOf(CPU_MARK);
      let cpu: number | undefined;
      if (mark >= 0) {
        const [user, system] = err
          .slice(mark + CPU_MARK.length)
          .trim()
          .split(/\s+/)
          .map(Number);
        cpu = ((user ?? 0) + (system ?? 0)) * 1000;
        err = err.slice(0, mark);
      }
      if (code !== 0) {
        reject(new Error(`${args.join(' ')} exited ${code}:\n${out}${err}`));
        return;
      }
      if (options.row) {
        const list = samples.get(options.row) ?? [];
        list.push({ wall, cpu });
        samples.set(options.row, list);
      }
      resolvePromise(out + err);
    });
  });
}

/** The figures bench/README.md quotes: min and mean of wall and CPU time per row, and each row over its floor. */
function summary(): string {
  const stats = (values: number[]) => ({
    min: Math.min(...values),
    mean: values.reduce((sum, value) => sum + value, 0) / values.length,
  });
  const lines = [
    `node ${process.version}, load average ${loadavg()
      .map((load) => load.toFixed(1))
      .join(' ')}`,
  ];
  let floor: { wall: ReturnType<typeof stats>; cpu?: ReturnType<typeof stats> } | undefined;
  for (const [row, list] of samples) {
    const wall = stats(list.map((sample) => sample.wall));
    const cpus = list.flatMap((sample) => (sample.cpu === undefined ? [] : [sample.cpu]));
    const cpu = cpus.length > 0 ? stats(cpus) : undefined;
    if (row.includes('floor')) floor = { wall, cpu };
    const ratio = (a: number, b: number | undefined) => (b ? ` ${(a / b).toFixed(2)}x` : '');
    lines.push(
      `${row}: wall min ${wall.min.toFixed(0)} mean ${wall.mean.toFixed(0)} ms` +
        (row.includes('floor')
          ? ''
          : ` (min${ratio(wall.min, floor?.wall.min)}, mean${ratio(wall.mean, floor?.wall.mean)})`) +
        (cpu
          ? `; cpu min ${cpu.min.toFixed(0)} mean ${cpu.mean.toFixed(0)} ms` +
            (row.includes('floor')
              ? ''
              : ` (min${ratio(cpu.min, floor?.cpu?.min)}, mean${ratio(cpu.mean, floor?.cpu?.mean)})`)
          : ''),
    );
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------------
// Resume of a finished run

const RESUME_WORKFLOW = `
name: bench
limits: { max-calls: 200000 }
inputs:
  count: { type: number }
steps:
  - id: items
    run: seq 1 "$COUNT"
    env: { COUNT: "\${{ inputs.count }}" }
  - id: review
    for-each: \${{ steps.items.outputs.lines }}
    concurrency: 16
    agent: { prompt: "review item \${{ item }}", model: bench-model, provider: openai }
`;
writeFileSync(join(dir, 'bench.yml'), RESUME_WORKFLOW);
const runsDir = join(dir, 'runs');

const instantAgent = async (request: AgentRequest): Promise<AgentResult> => ({
  text: `${request.prompt}: ${ANSWER}`,
  usage: { inputTokens: 812, outputTokens: 95, cachedInputTokens: 0, costUsd: 0.0004 },
  model: request.model,
});

/** A finished run of `count` agent calls in the CLI's run store, written by the engine itself. */
async function finishedRun(count: number): Promise<{ runId: string; journal: string }> {
  const { workflow } = await loadWorkflowFile(join(dir, 'bench.yml'));
  if (!workflow) throw new Error('bench.yml does not load');
  const runId = `resume-${count}`;
  const journal = join(runsDir, runId, 'journal.jsonl');
  mkdirSync(join(runsDir, runId), { recursive: true });
  const writer = await JournalWriter.open(journal, {});
  const result = await runWorkflow({
    workflow,
    inputs: { count },
    runId,
    attempt: 1,
    journal: writer,
    replay: new Map(),
    redact: (text) => text,
    workspace: dir,
    env: { PATH: process.env.PATH },
    executors: { agent: instantAgent },
  });
  await writer.close();
  if (result.status !== 'succeeded') throw new Error(result.error);
  return { runId, journal };
}

// What a program must do at the least to resume: start node, read the journal, parse every line.
const FLOOR = `const t = require('fs').readFileSync(process.argv[1], 'utf8');
for (const line of t.split('\\n')) if (line) JSON.parse(line);`;

for (const count of [1_000, 10_000, 100_000]) {
  const { runId, journal } = await finishedRun(count);
  const mb = (statSync(journal).size / 1e6).toFixed(1);
  describe(`resume a finished run of ${count.toLocaleString('en')} calls (${mb} MB journal), cold process`, () => {
    bench(
      'floor: node -e "readFileSync + JSON.parse of every line"',
      () => run(['-e', FLOOR, journal], { row: `resume ${count}: floor` }).then(),
      COLD,
    );
    bench(
      'reprise run --resume',
      () =>
        run([CLI, 'run', 'bench.yml', '--resume', runId, '--runs-dir', runsDir], {
          env: { OPENAI_API_KEY: 'k' },
          row: `resume ${count}: reprise`,
        }).then(),
      COLD,
    );
  });
}

// ---------------------------------------------------------------------------------------------------
// Per-call overhead of live calls, against a bare SDK client

// The fake OpenAI server runs in a process of its own (bench/fake-openai.mjs), not in this one: in here it
// would share vitest's event loop, and its answers would wait for the bench's own work.
const fake = await startFakeProcess();
const FAN_OUT = 1_000;
const CONCURRENCY = 16;
writeLiveFixtures(dir, { url: fake.url, counts: [1, FAN_OUT], concurrency: CONCURRENCY, maxCalls: 2000 });
let liveRuns = 0;

// Each size has its floor; the 1-call rows measure each side's start-up, which the per-call figure leaves out.
for (const count of [1, FAN_OUT]) {
  const calls = `${count.toLocaleString('en')} live agent call${count === 1 ? '' : 's'}`;
  describe(`${calls} (concurrency ${CONCURRENCY}) against a fake OpenAI server in its own process, cold process`, () => {
    bench(
      'floor: the OpenAI SDK alone',
      () =>
        run([join(dir, 'bare-sdk.mjs'), fake.url, String(count)], {
          row: `live ${count}: floor (bare SDK)`,
        }).then(),
      COLD,
    );
    bench(
      'floor: fetch alone (the least any client does)',
      () =>
        run([join(dir, 'bare-fetch.mjs'), fake.url, String(count)], {
          row: `live ${count}: bare fetch`,
        }).then(),
      COLD,
    );
    bench(
      'reprise run (every call journaled)',
      () =>
        run(
          [
            CLI,
            'run',
            'live.yml',
            '--inputs-file',
            `items-${count}.json`,
            '--run-id',
            `live-${++liveRuns}`,
            '--runs-dir',
            runsDir,
          ],
          { env: { OPENAI_API_KEY: API_KEY }, row: `live ${count}: reprise` },
        ).then(),
      COLD,
    );
  });
}

/**
 * What reprise adds per live call, start-up excluded on both sides:
 * ((reprise(N) - reprise(1)) - (sdk(N) - sdk(1))) / (N - 1), from the minimums and from the means; and the
 * same against a bare fetch client (reprise's own work per call, the request itself left out).
 */
function perCall(): string {
  const figure = (row: string, measure: 'wall' | 'cpu', stat: 'min' | 'mean') => {
    const values = (samples.get(row) ?? []).flatMap((sample) =>
      sample[measure] === undefined ? [] : [sample[measure]],
    );
    if (values.length === 0) return NaN;
    return stat === 'min'
      ? Math.min(...values)
      : values.reduce((sum, value) => sum + value, 0) / values.length;
  };
  const lines: string[] = [];
  for (const measure of ['wall', 'cpu'] as const) {
    for (const stat of ['min', 'mean'] as const) {
      const at = (row: string) => figure(row, measure, stat);
      const perCall = (client: string) =>
        (at(`live ${FAN_OUT}: ${client}`) - at(`live 1: ${client}`)) / (FAN_OUT - 1);
      const reprise = perCall('reprise');
      const sdk = perCall('floor (bare SDK)');
      const bare = perCall('bare fetch');
      if (Number.isNaN(reprise - sdk)) continue;
      lines.push(
        `live, per call (${measure} ${stat}): reprise ${reprise.toFixed(3)} ms, bare SDK ${sdk.toFixed(3)} ms, ` +
          `bare fetch ${bare.toFixed(3)} ms; overhead ${(reprise - sdk).toFixed(3)} ms (goal < 0.1), against ` +
          `fetch ${(reprise - bare).toFixed(3)} ms; start-up: reprise ${at('live 1: reprise').toFixed(0)} ms, ` +
          `bare SDK ${at('live 1: floor (bare SDK)').toFixed(0)} ms, bare fetch ${at('live 1: bare fetch').toFixed(0)} ms`,
      );
    }
  }
  return lines.join('\n');
}

afterAll(() => {
  fake.stop();
  console.log(`\ncold processes, min and mean of each row (ratio to its floor):\n${summary()}\n${perCall()}`);
});
