// `reprise run`: a run in the local store, with live progress, resume and clean cancellation.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InputsError, checkMergeInputs, replaysWhole, resolveAttemptInputs, runAttempt } from '../attempt.js';
import type { AttemptOptions, AttemptOutcome } from '../attempt.js';
import { githubContext } from '../github-context.js';
import { healJournal } from '../journal/heal.js';
import { emptyJournalRead, journalBelongsTo, readJournalFile, summariseProblems } from '../journal/reader.js';
import type { JournalRead } from '../journal/reader.js';
import { describeUnready, unreadyProviders } from '../engine/preflight.js';
import { LocalStore } from '../stores/local.js';
import { notReplayedKeys } from '../report/calls.js';
import { ProgressReporter, renderSummary } from '../report/progress.js';
import { EXIT, UsageError, asUsageError } from './io.js';
import type { CliIO } from './io.js';
import { releaseYoungGeneration } from '../young-generation.js';
import { checkStepPath, load, printWarnings } from './validate.js';
import { recordProcess, startInBackground } from './background.js';
import { parseLimitOverrides, usageJson, type LimitOverrides } from '../engine/budget.js';
import { parseInputsMap } from '../workflow/inputs.js';
import { describeShards, prepareMerge, shardOfRun, writeMergedJournal } from './shards.js';
import { parseMaxAgeFlag, pinReusedRun, seedFromRun } from './reuse.js';
import { answerTarget, checkGivenAnswers, type GivenAnswer } from '../engine/ask.js';
import type { Question } from '../journal/types.js';
import { describeAnswerSchema } from '../workflow/answer.js';
import { definitionCacheDir } from '../workflow/definition-cache.js';
import type { WorkflowDef } from '../workflow/types.js';

export interface RunCommandOptions {
  input: string[];
  inputsFile?: string;
  runId?: string;
  resume?: string;
  runsDir: string;
  concurrency?: number;
  until?: string;
  /** `name=value` limits over the workflow's (`--limit tokens=50000`): the explicit way to raise one. */
  limit?: string[];
  json?: boolean;
  /** Start the run detached and return its id at once (progress goes to the run's log). */
  background?: boolean;
  /** The command line (script and arguments), for starting the same command in the background. */
  argv?: readonly string[];
  /** `I/N`: run shard I of N of the workflow's sharded fan-outs. */
  shard?: string;
  /** Shard run directories or journals to merge into a new run. */
  merge?: string[];
  onMissingShard?: 'fail' | 'run';
  /** `STEP=VALUE` or `STEP[ITEM]=VALUE` answers to asks. */
  answer?: string[];
  /** false (`--no-wait`): unanswered asks take their default instead of waiting. */
  wait?: boolean;
  /** Start a new run reusing what this earlier run journaled (cross-run reuse). */
  reuse?: string;
  /** Overrides the workflow's `reuse-max-age` (a duration). */
  reuseMaxAge?: string;
  /** The command the person typed to start reprise, for the resume hint. */
  invokedAs?: string;
  verbose?: boolean;
}

/** After a cancel signal the run must be gone within 2 s; this is the last resort before that. */
const CANCEL_DEADLINE_MS = 1800;

export async function runCommand(file: string, options: RunCommandOptions, io: CliIO): Promise<number> {
  const loaded = await load(file, io, definitionCacheDir(io.env));
  if (!loaded.workflow) return EXIT.usage;
  const workflow = loaded.workflow;
  if (options.shard) printWarnings(loaded, io);
  if (options.until !== undefined) checkStepPath(workflow, options.until, '--until');
  const given = await gatherInputs(options, io);
  const answers = gatherAnswers(workflow, options.answer ?? []);
  const limits = parseLimitFlags(options.limit ?? []);
  if (options.runId && options.resume) {
    throw new UsageError(
      `--run-id ${options.runId} and --resume ${options.resume} contradict each other: ` +
        `--run-id names a new run, --resume continues an existing one; give one of them`,
    );
  }

  // Nothing is created (no run directory, no lock) until the workflow, the inputs and the providers are
  // known to be usable: a rejected command leaves no run behind for `--resume latest` to pick.
  const store = new LocalStore(resolve(io.cwd, options.runsDir));
  const { resume } = options;
  if (options.merge && (resume || options.shard)) {
    throw new UsageError(
      `--merge starts a new run from the shards' journals; it cannot be combined with ${resume ? '--resume' : '--shard'}`,
    );
  }
  if (options.reuse !== undefined && (resume || options.merge)) {
    throw new UsageError(
      `--reuse starts a new run from an earlier run's journal; it cannot be combined with ${resume ? '--resume (a resumed run keeps reusing what it reused)' : '--merge'}`,
    );
  }
  const reuseMaxAgeMs = parseMaxAgeFlag(options.reuseMaxAge);
  if (options.runId !== undefined) await asUsageError(async () => store.runDir(options.runId as string));
  const runId = resume
    ? await asUsageError(() => store.resolve(resume))
    : (options.runId ?? store.newRunId());
  if (!resume && options.runId && existsSync(store.journalPath(runId))) {
    throw new UsageError(`run "${runId}" already exists; continue it with --resume ${runId}`);
  }
  const journalPath = store.journalPath(runId);
  // A resumed run's directory exists already: lock it before reading, so nobody appends meanwhile.
  let lock = resume ? await asUsageError(() => store.lock(runId)) : undefined;
  let forgetProcess: (() => Promise<void>) | undefined;
  const log = options.json ? io.err : io.out;
  try {
    let previous = resume ? await readJournalFile(journalPath) : emptyJournalRead(journalPath);
    for (const problem of summariseProblems(previous.problems)) {
      io.err.write(`${problem.severity}: ${journalPath}: ${problem.message}\n`);
    }
    const healed = resume ? await healJournal(journalPath, previous) : undefined;
    if (healed) io.err.write(`warning: ${healed.message}\n`);
    const foreign = journalBelongsTo(previous, workflow.name);
    if (foreign) throw new UsageError(`cannot resume run "${runId}": ${foreign}`);
    const shard = shardOfRun(workflow, options.shard, previous);
    let mergeOf: number | undefined;
    // The journal a new run starts from (merged shards, or an earlier run's to reuse): written once checked.
    let mergedJournal: JournalRead | undefined;
    let reusedRun: string | undefined;
    if (options.reuse !== undefined) {
      const seeded = await seedFromRun(
        store,
        options.reuse,
        workflow,
        { journalPath, now: new Date(), ...(shard ? { shard } : {}) },
        io,
      );
      previous = seeded.previous;
      mergedJournal = seeded.previous;
      reusedRun = seeded.sourceId;
      log.write(`${seeded.description}
`);
    }
    if (options.merge) {
      const merged = await prepareMerge(
        options.merge,
        workflow,
        options.onMissingShard ?? 'fail',
        journalPath,
        io,
      );
      previous = merged.previous;
      mergedJournal = merged.previous;
      mergeOf = merged.set.total;
      log.write(
        `merging ${merged.set.shards.length} of ${merged.set.total} shards:\n${describeShards(merged.set)}`,
      );
    }
    let inputs;
    try {
      inputs = resolveAttemptInputs(workflow, previous, given);
      if (mergeOf !== undefined) checkMergeInputs(workflow, previous, inputs.values);
    } catch (caught) {
      if (caught instanceof InputsError) throw new UsageError(caught.message);
      throw caught;
    }
    for (const name of inputs.dropped) {
      io.err.write(
        `warning: input "${name}" recorded in run ${runId} is no longer declared by the workflow; left out\n`,
      );
    }
    const attemptOptions = {
      workflow,
      runId,
      journalPath,
      previous,
      inputs,
      limits,
      workspace: io.cwd,
      env: io.env,
      github: await githubContext(io.env),
      concurrency: options.concurrency,
      until: options.until,
      retry: retryTuning(io.env),
      shard,
      mergeOf,
      answers: { given: answers, wait: options.wait !== false },
      reuseEarlierRuns: options.reuse !== undefined,
      ...(reuseMaxAgeMs !== undefined ? { reuseMaxAgeMs } : {}),
    } satisfies AttemptOptions;
    const inActions = io.env.GITHUB_ACTIONS === 'true';
    const unready = unreadyProviders(workflow, { env: io.env, workspace: io.cwd, inActions });
    // A resume that replays every call needs no provider: only a replay to the end proves it.
    if (unready.length > 0 && !(previous.candidates.size > 0 && (await replaysWhole(attemptOptions)))) {
      throw new UsageError(describeUnready(unready, { inActions }));
    }
    lock ??= await asUsageError(() => store.lock(runId));
    if (options.background) {
      // Checked and locked here, so a mistake is reported now, not in the log; the child takes the lock.
      await lock.release();
      lock = undefined;
      const argv = reusedRun ? pinReusedRun(options.argv ?? [], reusedRun) : (options.argv ?? []);
      return await startInBackground(argv, runId, store.runDir(runId), io);
    }
    forgetProcess = recordProcess(store.runDir(runId));
    await loaded.remember();
    // Only now, with every check passed, does the merge become a run.
    if (mergedJournal) await writeMergedJournal(mergedJournal, journalPath);

    const controller = new AbortController();
    let deadline: NodeJS.Timeout | undefined;
    const onSignal = (signal: NodeJS.Signals) => {
      if (controller.signal.aborted) process.exit(EXIT.interrupted);
      io.err.write(`\nreceived ${signal}: stopping (in-flight calls are aborted, the journal is kept)\n`);
      controller.abort();
      deadline = setTimeout(() => process.exit(EXIT.interrupted), CANCEL_DEADLINE_MS);
      deadline.unref();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    // `reprise run ... | head -1`: once the reader is gone, stop as a shell pipeline would (SIGPIPE),
    // but cleanly: in-flight calls aborted, the run ended as cancelled, its lock released.
    const onOutputError = (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' || controller.signal.aborted) return;
      controller.abort();
      deadline = setTimeout(() => process.exit(EXIT.interrupted), CANCEL_DEADLINE_MS);
      deadline.unref();
    };
    io.out.on('error', onOutputError);
    io.err.on('error', onOutputError);

    log.write(
      `${options.merge ? 'merging into' : options.reuse !== undefined ? 'starting' : previous.candidates.size > 0 ? 'resuming' : 'starting'} run ${runId} of ${workflow.name}` +
        (previous.candidates.size > 0 ? ` (${previous.candidates.size} journaled calls)` : '') +
        `\n  journal: ${journalPath}\n`,
    );
    const progress = await ProgressReporter.create({
      out: log,
      bar: !options.json && io.out.isTTY === true,
      verbose: options.verbose,
      batch: true,
    });
    let outcome: AttemptOutcome;
    try {
      outcome = await runAttempt({
        ...attemptOptions,
        runOutput: { dir: store.runDir(runId) },
        signal: controller.signal,
        observer: progress,
        // `reprise run` holds the heap's young generation from its start (src/cli.ts) until a call runs live.
        beforeLive: releaseYoungGeneration,
      });
    } finally {
      releaseYoungGeneration();
      progress.stop();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      io.out.off('error', onOutputError);
      io.err.off('error', onOutputError);
    }
    const { result } = outcome;
    await store.writeResult(runId, {
      runId,
      workflow: workflow.name,
      attempt: outcome.attempt,
      status: result.status,
      error: result.error,
      outputs: result.outputs,
      calls: result.calls,
      usage: result.usage,
      saved: result.saved,
      steps: result.steps,
      unmatchedJournalCalls: result.unmatchedJournalCalls,
      ...(result.reuse ? { reuse: result.reuse } : {}),
      ...notReplayedKeys(previous, result.replayedKeys),
      ms: result.ms,
      finishedAt: new Date().toISOString(),
    });
    log.write(renderSummary(runId, result));
    if (result.status === 'sharded') {
      log.write(
        `merge the shards with: ${options.invokedAs ?? 'reprise'} run ${file} --merge <the run directory of every shard>\n`,
      );
    } else if (result.status === 'waiting') {
      log.write(describeQuestions(result.questions, runId, file));
    } else if (result.status !== 'succeeded') {
      log.write(`continue this run with: ${options.invokedAs ?? 'reprise'} run ${file} --resume ${runId}\n`);
    }
    if (options.json) {
      const { budget } = result;
      io.out.write(
        JSON.stringify({
          status: result.status,
          runId,
          calls: result.calls,
          usage: usageJson(result.usage),
          saved: usageJson(result.saved),
          limits: {
            ...budget.limits,
            calls: budget.calls,
            spent: usageJson(budget.spent),
            earlier: { ...budget.earlier, usage: usageJson(budget.earlier.usage) },
          },
          outputs: result.outputs,
          error: result.error,
          ...(result.reuse ? { reuse: result.reuse } : {}),
          ...(result.shard ? { shard: result.shard } : {}),
          ...(result.status === 'waiting'
            ? {
                questions: result.questions.map((q) => ({
                  step: q.step,
                  ...(q.item !== undefined ? { item: q.item } : {}),
                  key: q.key,
                  question: q.question,
                  'answer-schema': q.answerSchema,
                })),
              }
            : {}),
        }) + '\n',
      );
    }
    if (deadline) clearTimeout(deadline);
    return result.status === 'succeeded' || result.status === 'sharded'
      ? EXIT.ok
      : result.status === 'cancelled'
        ? EXIT.interrupted
        : result.status === 'paused'
          ? EXIT.paused
          : result.status === 'waiting'
            ? EXIT.waiting
            : EXIT.failed;
  } finally {
    releaseYoungGeneration();
    await forgetProcess?.();
    await lock?.release();
  }
}

/** `--answer STEP=VALUE`: checked against the workflow's asks before anything runs or is written. */
function gatherAnswers(workflow: WorkflowDef, pairs: string[]): Map<string, GivenAnswer> {
  const inputs = pairs.map((pair) => {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--answer expects STEP=VALUE (or STEP[ITEM]=VALUE), got "${pair}"`);
    return { target: pair.slice(0, at), value: pair.slice(at + 1), fromText: true };
  });
  const { answers, problems } = checkGivenAnswers(workflow, inputs);
  if (problems.length > 0) throw new UsageError(`${problems.join('\n')}\nnothing was run or written`);
  return answers;
}

/** What a waiting run asks, and the commands that answer it. */
export function describeQuestions(questions: Question[], runId: string, file: string): string {
  const lines = [`waiting for ${questions.length} answer${questions.length === 1 ? '' : 's'}:`];
  for (const q of questions) {
    const target = answerTarget(q.step, q.item);
    const item = q.item !== undefined ? ` --item ${q.item}` : '';
    lines.push(
      `  ${target}: ${q.question}`,
      `    answer (${describeAnswerSchema(q.answerSchema)}): reprise answer ${runId} ${q.step}${item} VALUE`,
    );
  }
  const first = questions[0];
  lines.push(
    `then continue: reprise run ${file} --resume ${runId}` +
      (first
        ? `  (or in one go: reprise run ${file} --resume ${runId} --answer ${answerTarget(first.step, first.item)}=VALUE)`
        : ''),
  );
  return lines.join('\n') + '\n';
}

async function gatherInputs(
  options: RunCommandOptions,
  io: CliIO,
): Promise<{ values: Record<string, unknown>; fromStrings: boolean } | undefined> {
  if (options.input.length === 0 && !options.inputsFile) return undefined;
  const values: Record<string, unknown> = {};
  if (options.inputsFile) {
    let text: string;
    try {
      text = await readFile(resolve(io.cwd, options.inputsFile), 'utf8');
    } catch (caught) {
      throw new UsageError(`--inputs-file ${options.inputsFile}: ${(caught as Error).message}`);
    }
    const parsed = parseInputsMap(text);
    if ('error' in parsed) throw new UsageError(`--inputs-file ${options.inputsFile}: ${parsed.error}`);
    Object.assign(values, parsed.values);
  }
  for (const pair of options.input) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--input expects KEY=VALUE, got "${pair}"`);
    values[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return { values, fromStrings: true };
}

function parseLimitFlags(pairs: string[]): LimitOverrides {
  const values: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--limit expects NAME=VALUE (tokens, usd, max-calls), got "${pair}"`);
    values[pair.slice(0, at)] = pair.slice(at + 1);
  }
  const parsed = parseLimitOverrides(values);
  if ('error' in parsed) throw new UsageError(`--limit: ${parsed.error}`);
  return parsed.limits;
}

/** Test and CI tuning of the retry backoff; documented in the README. */
function retryTuning(env: Record<string, string | undefined>): { baseMs?: number } | undefined {
  const base = Number(env.REPRISE_RETRY_BASE_MS);
  return Number.isFinite(base) && base >= 0 && env.REPRISE_RETRY_BASE_MS ? { baseMs: base } : undefined;
}
