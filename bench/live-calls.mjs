// Per-call overhead of live agent calls through `reprise run` against a bare OpenAI SDK client: only the
// live rows of bench/cold.bench.ts, quick to repeat while profiling. Needs `npm run bundle` (it runs dist/).
//
//   node_modules/.bin/node bench/live-calls.mjs [--runs 5] [--calls 1000] [--cli dist/cli.js ...]
//
// Several --cli (e.g. the bundles of two commits) are measured in the same interleaved rounds, so that a
// before/after comparison sees the same load.
//
// Each sample is a cold process timed from spawn to exit (wall) and by GNU time (CPU: user + system). The
// fake server runs in a process of its own. Six commands, interleaved: the bare SDK client and a bare fetch
// client making 1 call and `--calls` calls, and `reprise run` of a 1-item and a `--calls`-item `for-each`.
// Per call, against each bare client:
//   ((reprise(N) - reprise(1)) - (client(N) - client(1))) / (N - 1)
// so that neither side's start-up (Node, imports, loading the workflow) counts as per-call cost.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { API_KEY, startFakeProcess, writeLiveFixtures } from './live-fixtures.mjs';

const REPO = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    calls: { type: 'string', default: '1000' },
    cli: { type: 'string', multiple: true, default: [join(REPO, 'dist/cli.js')] },
    concurrency: { type: 'string', default: '16' },
  },
});
const RUNS = Number(values.runs);
const CALLS = Number(values.calls);
const CONCURRENCY = Number(values.concurrency);
const CLIS = values.cli.map((cli) => resolve(cli));
/** How a CLI is named in the rows: `reprise`, or `reprise#<n>` (the n-th --cli) when several are compared. */
const label = (cli) => (CLIS.length === 1 ? 'reprise' : `reprise#${CLIS.indexOf(cli) + 1}`);
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const MARK = 'reprise-bench-cpu';

/** One cold process: wall time from spawn to exit, CPU time (user + system) from GNU time. */
function timed(args, cwd, env) {
  return new Promise((resolveRun, reject) => {
    const started = performance.now();
    const [command, commandArgs] = TIME
      ? [TIME, ['-f', `${MARK} %U %S`, process.execPath, ...args]]
      : [process.execPath, args];
    const child = spawn(command, commandArgs, { cwd, env: { ...process.env, NO_COLOR: '1', ...env } });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk.toString()));
    child.stderr.on('data', (chunk) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const wall = performance.now() - started;
      const mark = out.lastIndexOf(MARK);
      const [user, system] =
        mark >= 0
          ? out
              .slice(mark + MARK.length)
              .trim()
              .split(/\s+/)
              .map(Number)
          : [NaN, NaN];
      if (code !== 0) reject(new Error(`${args.join(' ')} exited ${code}:\n${out}`));
      else resolveRun({ wall, cpu: (user + system) * 1000 });
    });
  });
}

const stats = (list) => {
  const sorted = [...list].sort((a, b) => a - b);
  return { min: sorted[0], median: sorted[Math.floor(sorted.length / 2)] };
};

const dir = mkdtempSync(join(tmpdir(), 'reprise-bench-live-'));
const fake = await startFakeProcess();
try {
  writeLiveFixtures(dir, {
    url: fake.url,
    counts: [1, CALLS],
    concurrency: CONCURRENCY,
    maxCalls: 2 * CALLS,
  });
  let runId = 0;
  const rows = {
    'sdk 1': () => timed([join(dir, 'bare-sdk.mjs'), fake.url, '1'], dir),
    [`sdk ${CALLS}`]: () => timed([join(dir, 'bare-sdk.mjs'), fake.url, String(CALLS)], dir),
    'fetch 1': () => timed([join(dir, 'bare-fetch.mjs'), fake.url, '1'], dir),
    [`fetch ${CALLS}`]: () => timed([join(dir, 'bare-fetch.mjs'), fake.url, String(CALLS)], dir),
  };
  for (const cli of CLIS) {
    rows[`${label(cli)} 1`] = () => reprise(cli, 1);
    rows[`${label(cli)} ${CALLS}`] = () => reprise(cli, CALLS);
  }
  function reprise(cli, count) {
    const args = [cli, 'run', 'live.yml', '--inputs-file', `items-${count}.json`];
    args.push('--run-id', `live-${++runId}`, '--runs-dir', join(dir, 'runs'));
    return timed(args, dir, { OPENAI_API_KEY: API_KEY });
  }
  const samples = Object.fromEntries(Object.keys(rows).map((row) => [row, []]));
  // One warm-up round (page cache, the fake server's JIT), then the measured rounds, interleaved.
  for (let round = 0; round <= RUNS; round++) {
    for (const [row, run] of Object.entries(rows)) {
      const sample = await run();
      if (round > 0) samples[row].push(sample);
    }
  }
  const load = loadavg().map((value) => value.toFixed(1));
  console.log(`node ${process.version}, ${RUNS} runs per row, load average ${load.join(' ')}`);
  const figures = {};
  for (const [row, list] of Object.entries(samples)) {
    const wall = stats(list.map((sample) => sample.wall));
    const cpu = stats(list.map((sample) => sample.cpu));
    figures[row] = { wall, cpu };
    console.log(
      `${row.padEnd(16)} wall min ${wall.min.toFixed(0).padStart(5)} median ${wall.median.toFixed(0).padStart(5)} ms;` +
        ` cpu min ${cpu.min.toFixed(0).padStart(5)} median ${cpu.median.toFixed(0).padStart(5)} ms`,
    );
  }
  for (const cli of CLIS) {
    if (CLIS.length > 1) console.log(`${label(cli)}: ${cli}`);
    for (const measure of ['wall', 'cpu']) {
      for (const stat of ['min', 'median']) {
        const at = (row) => figures[row][measure][stat];
        const perCall = (client) => (at(`${client} ${CALLS}`) - at(`${client} 1`)) / (CALLS - 1);
        const reprise = perCall(label(cli));
        const [sdk, bare] = [perCall('sdk'), perCall('fetch')];
        console.log(
          `per call, ${measure} ${stat}: reprise ${reprise.toFixed(3)} ms, sdk ${sdk.toFixed(3)} ms, fetch ${bare.toFixed(3)} ms;` +
            ` overhead against the sdk ${(reprise - sdk).toFixed(3)} ms, against fetch ${(reprise - bare).toFixed(3)} ms;` +
            ` start-up: reprise ${at(`${label(cli)} 1`).toFixed(0)} ms, sdk ${at('sdk 1').toFixed(0)} ms, fetch ${at('fetch 1').toFixed(0)} ms`,
        );
      }
    }
  }
} finally {
  fake.stop();
  rmSync(dir, { recursive: true, force: true });
}
