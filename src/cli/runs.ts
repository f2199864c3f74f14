// `reprise runs ls|show|rm|gc`: the local store, for a person.
import { resolve } from 'node:path';
import { answerTarget } from '../engine/ask.js';
import { ownPart } from '../journal/lineage.js';
import { readJournalFile, summariseProblems } from '../journal/reader.js';
import type { CallEvent } from '../journal/types.js';
import { addUsage, emptyTotals } from '../engine/budget.js';
import { LocalStore, parseAge } from '../stores/local.js';
import { formatMs, formatTokens, formatTotals, formatTotalsCost, hasUsage, table } from '../report/format.js';
import { EXIT, asUsageError } from './io.js';
import type { CliIO } from './io.js';
import { runsCallsCommand } from './read.js';
import { runningInfo } from './background.js';

interface StoreOptions {
  runsDir: string;
  json?: boolean;
}

function storeFor(options: StoreOptions, io: CliIO): LocalStore {
  return new LocalStore(resolve(io.cwd, options.runsDir));
}

export async function runsLsCommand(options: StoreOptions, io: CliIO): Promise<number> {
  const store = storeFor(options, io);
  const all = await asUsageError(() => store.list());
  // A directory without a journal never started an attempt (an older version created one for a
  // rejected command): nothing to show or resume.
  const kept = all.filter((run) => run.attempts > 0 || run.status === 'running');
  const empty = all.length - kept.length;
  const emptyNote =
    empty > 0
      ? `(${empty} empty run director${empty === 1 ? 'y' : 'ies'} without a journal not shown; \`reprise runs gc --older-than 0s\` removes ${empty === 1 ? 'it' : 'them'})\n`
      : '';
  // A run whose recorded process is alive (same pid, same start time) is running: show pid and progress.
  const runs = await Promise.all(
    kept.map(async (run) => {
      const live = await runningInfo(store.runDir(run.id));
      return live ? { ...run, status: 'running' as const, pid: live.pid, progress: live } : run;
    }),
  );
  if (options.json) {
    io.out.write(JSON.stringify(runs) + '\n');
    return EXIT.ok;
  }
  if (runs.length === 0) {
    io.out.write(`no runs in ${options.runsDir}\n${emptyNote}`);
    return EXIT.ok;
  }
  io.out.write(
    table(
      ['run', 'workflow', 'status', 'attempts', 'calls', 'started', 'pid', 'progress'],
      runs.map((run) => [
        run.id,
        run.workflow ?? '?',
        run.status,
        String(run.attempts),
        String(run.calls),
        run.startedAt ?? '',
        'pid' in run ? String(run.pid) : '',
        'progress' in run ? `${run.progress.calls} calls, at ${run.progress.step ?? 'start'}` : '',
      ]),
    ) +
      '\n' +
      emptyNote,
  );
  for (const run of runs) {
    if (!run.questions?.length) continue;
    io.out.write(`\n${run.id} waits for:\n`);
    for (const q of run.questions) {
      const item = q.item !== undefined ? ` --item ${q.item}` : '';
      io.out.write(
        `  ${answerTarget(q.step, q.item)}: ${q.question}\n    reprise answer ${run.id} ${q.step}${item} VALUE\n`,
      );
    }
  }
  return EXIT.ok;
}

export async function runsShowCommand(
  id: string,
  options: StoreOptions & { calls?: boolean },
  io: CliIO,
): Promise<number> {
  if (options.calls) return runsCallsCommand(id, options, io);
  const store = storeFor(options, io);
  const runId = await asUsageError(() => store.resolve(id));
  const journal = await readJournalFile(store.journalPath(runId));
  const result = await store.readResult(runId);
  // A run seeded from earlier runs (`--reuse`) holds their lines too, for reuse only: what this run did,
  // spent and took is its own attempts' lines, as its own summary says.
  const { runs: ownRuns, callKeys: ownKeys, earlierRuns } = ownPart(journal.events);
  const lastRun = ownRuns.at(-1);
  const end = [...journal.events].reverse().find((event) => event.t === 'end');
  const steps = new Map<string, { status: string; calls: CallEvent[]; failures: number; time: Span }>();
  const run = new Span();
  let own = true;
  for (const event of journal.events) {
    if (event.t === 'run') own = !earlierRuns.has(event.runId);
    if (!own) continue;
    if (event.t === 'run') {
      run.next(Date.parse(event.at));
      for (const entry of steps.values()) entry.time.next();
      continue;
    }
    if (event.t === 'end') run.extend(Date.parse(event.at));
    if (event.t !== 'call' && event.t !== 'fail' && event.t !== 'step') continue;
    const entry = steps.get(event.step) ?? { status: '', calls: [], failures: 0, time: new Span() };
    if (event.t === 'call') {
      entry.calls.push(event);
      entry.time.extend(Date.parse(event.at) - event.ms, Date.parse(event.at));
    } else if (event.t === 'fail') {
      entry.failures += 1;
      entry.time.extend(Date.parse(event.at));
    } else entry.status = event.status;
    run.extend(Date.parse(event.at));
    steps.set(event.step, entry);
  }
  const total = emptyTotals();
  const stepRows = [...steps.entries()].map(([step, entry]) => {
    const usage = emptyTotals();
    for (const call of entry.calls) {
      addUsage(usage, call.usage);
      addUsage(total, call.usage);
    }
    return {
      step,
      status: entry.status,
      calls: entry.calls.length,
      failures: entry.failures,
      inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens,
      // An unpriced call makes the total unknown: null, never 0 (the known part is in usage.costUsd).
      costUsd: usage.unpricedCalls > 0 ? null : usage.costUsd,
      unpricedCalls: usage.unpricedCalls,
      usage,
      // Wall time while the step had calls in flight, per attempt: a fan-out of ten 1 s calls at
      // once took about 1 s, not 10.
      ms: entry.time.total(),
    };
  });
  const summary = {
    runId,
    workflow: lastRun?.workflow,
    status: end?.t === 'end' ? end.status : 'interrupted',
    attempts: ownRuns.length,
    inputs: lastRun?.inputs,
    calls: ownKeys.size,
    reusedFrom: earlierRuns.size > 0 ? [...earlierRuns] : undefined,
    usage: total,
    ms: run.total(),
    steps: stepRows,
    outputs: end?.t === 'end' ? end.outputs : undefined,
    error: end?.t === 'end' ? end.error : undefined,
    result,
    problems: summariseProblems(journal.problems),
  };
  if (options.json) {
    io.out.write(JSON.stringify(summary) + '\n');
    return EXIT.ok;
  }
  io.out.write(
    [
      `run ${runId}: ${summary.status} (${summary.workflow ?? 'unknown workflow'}, ${summary.attempts} attempt${summary.attempts === 1 ? '' : 's'}, ${summary.calls} journaled calls) in ${formatMs(summary.ms)}`,
      `  spent: ${formatTotals(total)}`,
      summary.reusedFrom
        ? `  reuses calls of earlier runs: ${summary.reusedFrom.join(', ')} (not counted here)`
        : '',
      '',
      table(
        ['step', 'status', 'calls', 'failures', 'tokens', 'cost', 'time'],
        stepRows.map((row) => [
          row.step,
          row.status,
          String(row.calls),
          String(row.failures),
          hasUsage(row.usage) ? formatTokens(row.usage) : '',
          hasUsage(row.usage) ? formatTotalsCost(row.usage) : '',
          formatMs(row.ms),
        ]),
      ),
      '',
      summary.error ? `error: ${summary.error}` : '',
      summary.outputs && Object.keys(summary.outputs).length > 0
        ? `outputs:\n${JSON.stringify(summary.outputs, null, 2)}`
        : '',
    ]
      .filter((line, index, lines) => line !== '' || lines[index - 1] !== '')
      .join('\n') + '\n',
  );
  for (const problem of summariseProblems(journal.problems))
    io.err.write(`${problem.severity}: ${problem.message}\n`);
  return EXIT.ok;
}

export async function runsRmCommand(id: string, options: StoreOptions, io: CliIO): Promise<number> {
  const store = storeFor(options, io);
  const runId = await asUsageError(() => store.resolve(id));
  await asUsageError(() => store.remove(runId));
  io.out.write(`removed run ${runId}\n`);
  return EXIT.ok;
}

export async function runsGcCommand(
  options: StoreOptions & { olderThan: string },
  io: CliIO,
): Promise<number> {
  const age = await asUsageError(async () => parseAge(options.olderThan));
  const removed = await asUsageError(() => storeFor(options, io).gc(age));
  io.out.write(
    removed.length === 0
      ? 'nothing to remove\n'
      : `removed ${removed.length} run(s): ${removed.join(', ')}\n`,
  );
  return EXIT.ok;
}

/** Wall time of something that happens in attempts: per attempt, from its first start to its last end. */
class Span {
  private done = 0;
  private start = Infinity;
  private end = -Infinity;

  /** A new attempt begins (at `at`, when known). */
  next(at?: number): void {
    this.done = this.total();
    this.start = at ?? Infinity;
    this.end = at ?? -Infinity;
  }

  extend(...times: number[]): void {
    for (const time of times) {
      if (!Number.isFinite(time)) continue;
      this.start = Math.min(this.start, time);
      this.end = Math.max(this.end, time);
    }
  }

  total(): number {
    return this.done + (this.end > this.start ? this.end - this.start : 0);
  }
}
