// One attempt of a run against its journal file: shared by the CLI and the action, which differ only
// in where the journal comes from and goes to.
import type { JournalRead } from './journal/reader.js';
import type { AnswerEvent } from './journal/types.js';
import type { RunAnswers } from './engine/ask.js';
import { JournalWriter } from './journal/writer.js';
import { journalLineage } from './journal/lineage.js';
import { Secrets, redactedJson } from './journal/secrets.js';
import { spentInJournal } from './engine/budget.js';
import { crossRunReuse, nextAttempt, reuseMaxAge, type CrossRunReuse } from './engine/reuse.js';
import { runWorkflow } from './engine/run.js';
import type { RunObserver, RunOptions, RunResult } from './engine/types.js';
import type { ShardId } from './engine/shard.js';
import { resolveInputs } from './workflow/inputs.js';
import type { WorkflowDef } from './workflow/types.js';
import { loadJsonSchemaSupport, needsJsonSchema } from './workflow/json-schema-support.js';

export interface AttemptOptions {
  workflow: WorkflowDef;
  runId: string;
  journalPath: string;
  /** What earlier attempts journaled (already checked to belong to this workflow). */
  previous: JournalRead;
  /** Inputs given for this attempt, merged over the ones this run recorded (secret inputs are never recorded). */
  given?: { values: Record<string, unknown>; fromStrings: boolean };
  /** The inputs, already resolved with resolveAttemptInputs (else resolved here from `given`). */
  inputs?: AttemptInputs;
  /** Limits raised (or lowered) for this attempt, over the workflow's. */
  limits?: RunOptions['limits'];
  workspace: string;
  env: Record<string, string | undefined>;
  github?: Record<string, unknown>;
  concurrency?: number;
  /** Pause the run after this step (a step path). */
  until?: string;
  signal?: AbortSignal;
  observer?: RunObserver;
  /** Registers a secret value with the host (the action masks it in logs). */
  onSecret?: (value: string) => void;
  retry?: { baseMs?: number };
  /** Answers given to this attempt (checked with checkGivenAnswers) and whether the run may wait. */
  answers?: Pick<RunAnswers, 'given' | 'wait'>;
  /** Run one shard of the sharded fan-outs. */
  shard?: ShardId;
  /** This attempt replays the merged journals of this many shards. */
  mergeOf?: number;
  /** Run steps' output cap and the directory (the run's own, never uploaded) for what exceeds it. */
  runOutput?: RunOptions['runOutput'];
  /**
   * `previous` was written by earlier runs (the action's `resume-scope: workflow` restoring another run's
   * journal, `reprise run --reuse`): this attempt starts a new run that reuses their calls by the cross-run
   * rule (engine/reuse.ts) and says so in its header. Later attempts of the run need not say it: the journal
   * does. Ignored, with a warning, when `previous` already holds an attempt of this run id (then it is a resume).
   */
  reuseEarlierRuns?: boolean;
  /** Overrides the workflow's `reuse-max-age` (`--reuse-max-age`, the action's input). */
  reuseMaxAgeMs?: number;
  /** The clock of the run's timestamps and of reuse ages (tests simulate weeks with it). */
  now?: () => Date;
  /** Told of every call about to run live, before it starts (RunOptions.beforeLive). */
  beforeLive?: () => void;
}

export interface AttemptOutcome {
  attempt: number;
  inputs: Record<string, unknown>;
  result: RunResult;
}

/** Invalid inputs: nothing ran. */
export class InputsError extends Error {}

/** The inputs of an attempt, checked: the given ones merged over those the run recorded. */
export interface AttemptInputs {
  values: Record<string, unknown>;
  /** Recorded inputs the workflow no longer declares: left out, and said so. */
  dropped: string[];
}

/**
 * Resolves and checks an attempt's inputs before anything is created or run. Throws InputsError. Given inputs
 * merge over the ones this run recorded (`--input token=...` alone keeps every other input); recorded inputs
 * the workflow no longer declares are left out (and named), and secret inputs, which were never journaled,
 * must be given again.
 */
export function resolveAttemptInputs(
  workflow: WorkflowDef,
  previous: JournalRead,
  given: AttemptOptions['given'],
): AttemptInputs {
  const recorded = previous.runs.at(-1)?.inputs;
  const secretNames = new Set(workflow.inputs.filter((input) => input.secret).map((input) => input.name));
  const declared = new Set(workflow.inputs.map((input) => input.name));
  const raw: Record<string, unknown> = {};
  const dropped: string[] = [];
  for (const [name, value] of Object.entries(recorded ?? {})) {
    if (!declared.has(name)) dropped.push(name);
    else if (!secretNames.has(name)) raw[name] = value;
  }
  Object.assign(raw, given?.values);
  // Recorded values are already typed; `fromStrings` only reads string values, which a recorded string keeps.
  const fromStrings = given?.fromStrings ?? false;
  const { values, problems } = resolveInputs(workflow, raw, { fromStrings });
  // A secret input the run was given (journaled as ***) and not given again: running on without it
  // would re-run every call that read it with the secret empty.
  const notGivenAgain = [...secretNames].filter(
    (name) => recorded !== undefined && Object.hasOwn(recorded, name) && values[name] === undefined,
  );
  if (notGivenAgain.length > 0 && problems.length === 0) {
    throw new InputsError(
      `this run was given the secret input${notGivenAgain.length === 1 ? '' : 's'} ${notGivenAgain.join(', ')}, ` +
        `which ${notGivenAgain.length === 1 ? 'is' : 'are'} never stored in the journal: give ` +
        `${notGivenAgain.map((n) => `--input ${n}=...`).join(' ')} again to resume`,
    );
  }
  if (problems.length > 0) {
    const missingSecrets = [...secretNames].filter(
      (name) => values[name] === undefined && recorded && !Object.hasOwn(given?.values ?? {}, name),
    );
    const hints: string[] = [];
    if (missingSecrets.length > 0) {
      hints.push(
        `secret inputs are never stored in the journal; give ${missingSecrets.map((n) => `--input ${n}=...`).join(' ')} again`,
      );
    }
    if (recorded && given && Object.keys(given.values).some((name) => !declared.has(name))) {
      hints.push(
        'the workflow no longer declares an input given here; a resumed run reuses its recorded inputs, and given ones merge over them',
      );
    }
    throw new InputsError([...problems, ...hints].join('\n'));
  }
  return { values, dropped };
}

/**
 * A merge run must run with the inputs its shards ran with, or no sharded call would match its key and
 * every item would run live again. Throws InputsError naming the first input that differs.
 */
export function checkMergeInputs(
  workflow: WorkflowDef,
  previous: JournalRead,
  values: Record<string, unknown>,
): void {
  const shardRun = previous.runs.find((run) => run.shard !== undefined);
  if (!shardRun) return;
  for (const input of workflow.inputs) {
    // Secret inputs were never journaled; they do not enter keys either.
    if (input.secret) continue;
    const ran = JSON.stringify(shardRun.inputs[input.name] ?? null);
    const now = JSON.stringify(values[input.name] ?? null);
    if (ran !== now) {
      throw new InputsError(
        `input "${input.name}" is ${now} here, but the shards ran with ${ran}; ` +
          'a merge must run with the inputs of its shards (or give none, to reuse theirs)',
      );
    }
  }
}

export function runAttempt(options: AttemptOptions): Promise<AttemptOutcome> {
  return attemptWith(options);
}

/**
 * Whether this attempt would replay every call from the journal and run none live, so that no provider is
 * needed. Known by doing it: the attempt runs against the journal with the same inputs, environment and
 * answers, writing nothing, and stops at the first call that would run live (a model turn, a tool, a run
 * step). Only a replay that gets to the end without one proves it; anything else (a live call, a failure,
 * an error) says no. What a step does depends on what came before it (conditions, loops, asks), so
 * nothing short of replaying can tell which calls a resume will make.
 */
export async function replaysWhole(options: AttemptOptions): Promise<boolean> {
  const controller = new AbortController();
  let live = false;
  try {
    const { result } = await attemptWith(
      {
        ...options,
        signal: controller.signal,
        observer: undefined,
        onSecret: undefined,
        runOutput: undefined,
      },
      {
        beforeLive: () => {
          live = true;
          controller.abort(new Error('a call would run live'));
          throw controller.signal.reason;
        },
      },
    );
    return !live && result.calls.live === 0 && result.calls.failed === 0;
  } catch {
    return false;
  }
}

async function attemptWith(
  options: AttemptOptions,
  probe?: Pick<RunOptions, 'beforeLive'>,
): Promise<AttemptOutcome> {
  const { workflow, previous } = options;
  // Schemas (of answers, asks, tool arguments) are checked synchronously while the run goes.
  if (needsJsonSchema(workflow)) await loadJsonSchemaSupport();
  const secretNames = new Set(workflow.inputs.filter((input) => input.secret).map((input) => input.name));
  const { values } = options.inputs ?? resolveAttemptInputs(workflow, previous, options.given);
  if (options.mergeOf !== undefined) checkMergeInputs(workflow, previous, values);

  const secrets = new Secrets();
  secrets.addFromEnv(options.env);
  for (const name of secretNames) {
    const value = values[name];
    if (value === undefined || value === null) continue;
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    secrets.add(text);
    options.onSecret?.(text);
  }

  const reuse = attemptReuse(options);
  const attempt = nextAttempt(previous.events, reuse);
  // A probe writes nothing.
  const writer = probe
    ? { append: () => {}, close: async () => {} }
    : await JournalWriter.open(options.journalPath, { secrets });
  try {
    const result = await runWorkflow({
      workflow,
      inputs: values,
      runId: options.runId,
      attempt,
      journal: writer,
      replay: previous.candidates,
      previous: { inputs: previous.runs.at(-1)?.inputs, outputs: lastEndOutputs(previous) },
      earlier: spentInJournal(previous.events, options.runId),
      limits: options.limits,
      redact: (text) => secrets.redact(text),
      workspace: options.workspace,
      env: options.env,
      github: options.github,
      concurrency: options.concurrency,
      until: options.until,
      signal: options.signal,
      observer: options.observer && redactingObserver(options.observer, secrets),
      addSecret: (value) => {
        secrets.add(value);
        options.onSecret?.(value);
      },
      retry: options.retry,
      answers: { ...options.answers, journaled: journaledAnswers(previous, reuse) },
      shard: options.shard,
      mergeOf: options.mergeOf,
      runOutput: {
        ...options.runOutput,
        redactor: () => secrets.streamRedactor(),
        cutEnd: (text) => secrets.cutEnd(text),
      },
      ...(reuse ? { reuse } : {}),
      ...(options.now ? { now: options.now } : {}),
      ...(options.beforeLive ? { beforeLive: options.beforeLive } : {}),
      ...probe,
    });
    return { attempt, inputs: values, result: redactResult(result, secrets) };
  } finally {
    await writer.close();
  }
}

/**
 * The cross-run rule's view of `previous` for this attempt. A run id already in the journal makes this a
 * resume of that run, whatever the caller believed: its own lines must keep replaying in full.
 */
function attemptReuse(options: AttemptOptions): CrossRunReuse | undefined {
  const { previous, runId } = options;
  let start = options.reuseEarlierRuns === true && previous.runs.length > 0;
  if (start && previous.runs.some((run) => run.runId === runId)) {
    options.observer?.warning?.(
      `the journal already holds attempts of run ${runId}: resuming it rather than starting a run that reuses earlier runs`,
    );
    start = false;
  }
  return crossRunReuse(previous.events, {
    start,
    maxAgeMs: reuseMaxAge(options.workflow, options.reuseMaxAgeMs),
  });
}

/**
 * The `answer` events of the journal by key; a later answer to the same ask replaces an earlier one. An answer
 * given to an earlier run's question is never taken for this run's: the person is asked again.
 */
function journaledAnswers(previous: JournalRead, reuse: CrossRunReuse | undefined): Map<string, AnswerEvent> {
  const answers = new Map<string, AnswerEvent>();
  const earlierRuns = reuse?.starts ? undefined : reuse && journalLineage(previous.events).earlierRuns;
  let ours = !reuse?.starts;
  for (const event of previous.events) {
    if (event.t === 'run') ours = !reuse?.starts && !earlierRuns?.has(event.runId);
    else if (event.t === 'answer' && ours) answers.set(event.key, event);
  }
  return answers;
}

/** Progress lines carry error text (a script's stderr, a provider's message): redact it before it is shown. */
function redactingObserver(observer: RunObserver, secrets: Secrets): RunObserver {
  const redact = (text: string | undefined) => (text === undefined ? undefined : secrets.redact(text));
  return {
    stepStarted: observer.stepStarted?.bind(observer),
    callFinished:
      observer.callFinished &&
      ((report) =>
        observer.callFinished?.(
          report.error === undefined ? report : { ...report, error: redact(report.error) },
        )),
    callRetrying:
      observer.callRetrying &&
      ((info) => observer.callRetrying?.({ ...info, message: secrets.redact(info.message) })),
    stepFinished:
      observer.stepFinished &&
      ((step, status, error) => observer.stepFinished?.(step, status, redact(error))),
    warning: observer.warning && ((message) => observer.warning?.(secrets.redact(message))),
    stepOutput:
      observer.stepOutput && ((info) => observer.stepOutput?.({ ...info, line: secrets.redact(info.line) })),
    workflowCommand:
      observer.workflowCommand &&
      ((info) =>
        observer.workflowCommand?.({
          ...info,
          command: JSON.parse(redactedJson(info.command, secrets)) as typeof info.command,
        })),
  };
}

/** Outputs and errors leave the engine for summaries and logs: secrets are redacted there too. */
function redactResult(result: RunResult, secrets: Secrets): RunResult {
  if (secrets.size === 0) return result;
  return JSON.parse(redactedJson(result, secrets)) as RunResult;
}

function lastEndOutputs(previous: JournalRead): Record<string, unknown> | undefined {
  for (let index = previous.events.length - 1; index >= 0; index--) {
    const event = previous.events[index]!;
    if (event.t === 'end') return event.outputs;
    if (event.t === 'run') return undefined;
  }
  return undefined;
}
