// The action as the runner starts it: dist/index.js (main) and dist/post.js (post) as cold processes under
// Node 24, on the Actions emulator (test/emulator, Azurite). `npm run bench` (needs `npm run bundle`).
// Results and how to read them: bench/README.md, "The action, cold".
//  - main's first log line, timed from spawn (goal: within 200 ms), beside the floor: `node -e` printing a line;
//    and main's run line (`reprise: run <id> of <workflow>`), said once the workflow is loaded and checked;
//  - post when main already saved (goal: under 100 ms);
//  - attempt n+1 of a finished 1,000-call run: its 1 MB journal restored from the cache, every call replayed,
//    main then post (goal: under 1 s).
// Every figure is a whole process timed by this one; the table after the run gives min and mean of each, and
// each process's CPU time (user + system, from GNU time when installed): steadier than wall time on a shared
// machine.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, bench, describe } from 'vitest';
import { ActionHarness, NODE24 } from '../test/e2e/action/harness.js';

const NODE = NODE24 ?? process.execPath;
const TIME = '/usr/bin/time';
const scratch = mkdtempSync(join(tmpdir(), 'reprise-bench-action-'));
/** Node under GNU time, which appends `cpu <user> <system>` (seconds) to $BENCH_CPU_FILE as the process ends. */
const TIMED_NODE = existsSync(TIME) ? join(scratch, 'node') : undefined;
if (TIMED_NODE) {
  writeFileSync(TIMED_NODE, `#!/bin/sh\nexec ${TIME} -a -o "$BENCH_CPU_FILE" -f 'cpu %U %S' ${NODE} "$@"\n`);
  chmodSync(TIMED_NODE, 0o755);
}
let cpuFiles = 0;
/** The CPU times (ms) GNU time wrote to `file`, one per process, in order. */
function cpuTimes(file: string): number[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('cpu '))
    .map((line) => {
      const [, user, system] = line.split(' ');
      return (Number(user) + Number(system)) * 1000;
    });
}
const COLD = { iterations: 8, warmupIterations: 0, time: 0, warmupTime: 0 };

const harness = await ActionHarness.start();

const PAD = 'x'.repeat(900);
const WORKFLOW = `
name: action-bench
limits: { max-calls: 2000 }
providers:
  fake: { type: openai, base-url: "${harness.openai.url}" }
inputs:
  count: { type: number, default: 1000 }
steps:
  - id: items
    run: seq 1 "$COUNT"
    env: { COUNT: "\${{ inputs.count }}" }
  - id: review
    for-each: \${{ steps.items.outputs.lines }}
    concurrency: 16
    agent: { prompt: "review item \${{ item }} ${PAD}", model: gpt-4o-mini, provider: fake }
`;
const files = { '.github/reprise/bench.yml': WORKFLOW };
const inputs = { workflow: '.github/reprise/bench.yml' };
const env = { OPENAI_API_KEY: 'k' };

/** Attempt 1 of a new workflow run: every call live; its journal (about 1 MB) goes to the cache. */
async function finishedRun(runId: number): Promise<void> {
  const attempt = harness.attempt({ runId, attempt: 1, files, inputs, env });
  const main = await attempt.main();
  if (main.code !== 0) throw new Error(`attempt 1 failed:\n${main.stdout}${main.stderr}`);
  const post = await attempt.post(main.state);
  if (post.code !== 0) throw new Error(`post of attempt 1 failed:\n${post.stdout}${post.stderr}`);
}

interface Sample {
  firstLine: number;
  /** The line naming the run, the workflow and the journal, once the workflow is loaded and checked. */
  runLine: number;
  main: number;
  post: number;
  mainCpu?: number;
  postCpu?: number;
}
const samples: Sample[] = [];
const floor: { firstLine: number; exit: number; cpu?: number }[] = [];

/** Main of attempt `n` of the finished run, timed to its first stdout line and to its exit; then post. */
async function nextAttempt(runId: number, n: number): Promise<void> {
  const cpuFile = join(scratch, `cpu-${++cpuFiles}`);
  const attempt = harness.attempt({
    runId,
    attempt: n,
    files,
    inputs,
    env: { ...env, BENCH_CPU_FILE: cpuFile },
    node: TIMED_NODE ?? NODE,
  });
  const started = performance.now();
  const step = attempt.startMain();
  let firstLine = 0;
  let runLine = 0;
  let seen = '';
  step.child.stdout?.on('data', (chunk: Buffer) => {
    const at = performance.now() - started;
    if (firstLine === 0) firstLine = at;
    seen += chunk.toString();
    if (runLine === 0 && /^reprise: run /m.test(seen)) runLine = at;
  });
  const main = await step.done;
  if (main.code !== 0) throw new Error(`attempt ${n} failed:\n${main.stdout}${main.stderr}`);
  if (main.outputs['calls-replayed'] !== '1001' || main.outputs['calls-live'] !== '0') {
    throw new Error(
      `attempt ${n} replayed ${main.outputs['calls-replayed']}, ran ${main.outputs['calls-live']}`,
    );
  }
  const post = await attempt.post(main.state);
  if (post.code !== 0 || !post.stdout.includes('saved by the main step')) {
    throw new Error(`post of attempt ${n}:\n${post.stdout}${post.stderr}`);
  }
  const [mainCpu, postCpu] = cpuTimes(cpuFile);
  samples.push({ firstLine, runLine, main: main.ms, post: post.ms, mainCpu, postCpu });
}

/** The least a Node 24 process does to print a line: spawn to first stdout data, and to exit. */
function nodeFloor(): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const cpuFile = join(scratch, `cpu-${++cpuFiles}`);
    const started = performance.now();
    const child = spawn(TIMED_NODE ?? NODE, ['-e', 'console.log(1)'], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, BENCH_CPU_FILE: cpuFile },
    });
    let firstLine = 0;
    child.stdout.once('data', () => (firstLine = performance.now() - started));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`node -e exited ${code}`));
      floor.push({ firstLine, exit: performance.now() - started, cpu: cpuTimes(cpuFile)[0] });
      resolvePromise();
    });
  });
}

const RUN_ID = 4200;
await finishedRun(RUN_ID);
let attemptNo = 1;

describe('the action on the Actions emulator, cold processes (Node 24)', () => {
  bench('floor: node -e "console.log(1)"', nodeFloor, COLD);
  bench(
    'attempt n+1 of a finished 1,000-call run (1 MB journal from the cache): main, then post',
    () => nextAttempt(RUN_ID, ++attemptNo),
    COLD,
  );
});

// Hooks inside a bench `describe` never run (vitest bench): the report and cleanup are the file's.
afterAll(async () => {
  await harness.close();
  rmSync(scratch, { recursive: true, force: true });
  const stats = (values: (number | undefined)[]): string => {
    const known = values.filter((value): value is number => value !== undefined);
    if (known.length === 0) return '| | ';
    const mean = known.reduce((a, b) => a + b, 0) / known.length;
    return `| ${Math.min(...known).toFixed(0)} ms | ${mean.toFixed(0)} ms `;
  };
  const row = (what: string, wall: number[], cpu: (number | undefined)[], goal: string): string =>
    `| ${what} ${stats(wall)}${stats(cpu)}| ${goal} |`;
  const lines = [
    `\nthe action, ${samples.length} samples (node ${NODE}); load average ${loadavg()
      .map((load) => load.toFixed(1))
      .join(' ')}`,
    '| what | wall min | wall mean | cpu min | cpu mean | goal |',
    '| --- | ---: | ---: | ---: | ---: | --- |',
    row(
      'floor: `node -e` to its line',
      floor.map((f) => f.firstLine),
      [],
      '',
    ),
    row(
      'floor: `node -e` to exit',
      floor.map((f) => f.exit),
      floor.map((f) => f.cpu),
      '',
    ),
    row(
      "main's first log line",
      samples.map((s) => s.firstLine),
      [],
      '200 ms',
    ),
    row(
      "main's run line (`reprise: run …`, the workflow checked)",
      samples.map((s) => s.runLine),
      [],
      '',
    ),
    row(
      'main: restore 1 MB, replay 1,001 calls, save',
      samples.map((s) => s.main),
      samples.map((s) => s.mainCpu),
      '',
    ),
    row(
      'post, nothing to save',
      samples.map((s) => s.post),
      samples.map((s) => s.postCpu),
      '100 ms',
    ),
    row(
      'main + post',
      samples.map((s) => s.main + s.post),
      samples
        .map((s) => (s.mainCpu ?? NaN) + (s.postCpu ?? NaN))
        .map((v) => (Number.isNaN(v) ? undefined : v)),
      '1 s',
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
});
