// reprise as a library: `import { loadWorkflow, runWorkflow } from 'reprise'`. The same attempt the CLI
// and the action run (src/attempt.ts), over a local run directory: journaled, resumable, redacted.
import { resolve } from 'node:path';
import { runAttempt, resolveAttemptInputs } from './attempt.js';
import { journalBelongsTo, readJournalFile } from './journal/reader.js';
import { LocalStore, DEFAULT_RUNS_DIR } from './stores/local.js';
import { formatProblem, loadWorkflowFile } from './workflow/loader.js';
import type { RunObserver, RunResult } from './engine/types.js';
import type { Problem, WorkflowDef } from './workflow/types.js';

export type {
  CallReport,
  CallCounts,
  RunObserver,
  RunResult,
  StepStatus,
  StepSummary,
} from './engine/types.js';
export type { WorkflowCommand } from './agents/workflow-commands.js';
export type { RunStatus } from './journal/types.js';
export type { Problem, WorkflowDef } from './workflow/types.js';
export { formatProblem };

/** A workflow file with problems: `problems` has each one with its file, line and column. */
export class WorkflowError extends Error {
  constructor(readonly problems: Problem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'WorkflowError';
  }
}

/** Loads and validates a workflow file (and the files its `uses:` steps call). Throws WorkflowError. */
export async function loadWorkflow(file: string): Promise<WorkflowDef> {
  const { workflow, problems } = await loadWorkflowFile(file);
  if (!workflow) throw new WorkflowError(problems);
  return workflow;
}

export interface RunWorkflowOptions {
  /** A loaded workflow, or the path of its file. */
  workflow: WorkflowDef | string;
  /** Typed values (`{ pr: 12 }`); on a resume the recorded inputs are reused when absent. */
  inputs?: Record<string, unknown>;
  /** Where runs live (default `.reprise/runs`, relative to `workspace`). */
  runsDir?: string;
  /** Name of a new run (default: a timestamp id). */
  runId?: string;
  /** Continue this run (an id or `latest`): journaled calls replay, the rest runs live. */
  resume?: string;
  /** Directory scripts run in and paths are relative to (default: the current directory). */
  workspace?: string;
  /** The environment calls see (default: process.env); API keys are read from it. */
  env?: Record<string, string | undefined>;
  /** Pause after this step (status `paused`); resume later. */
  until?: string;
  concurrency?: number;
  /** Aborting it stops the run as Ctrl-C does: the journal is kept, status `cancelled`. */
  signal?: AbortSignal;
  /** Told when steps start and finish, calls finish or retry, and what run steps print. */
  observer?: RunObserver;
}

export interface WorkflowRun extends RunResult {
  runId: string;
  attempt: number;
  /** The journal of the run (JSONL), for `reprise runs show` and friends. */
  journalPath: string;
}

/**
 * Runs (or resumes) a workflow, journaling every call under `runsDir/<runId>/`. Resolves with the
 * result whatever the status; throws only for bad input (WorkflowError, an unknown run, invalid inputs).
 */
export async function runWorkflow(options: RunWorkflowOptions): Promise<WorkflowRun> {
  const workspace = resolve(options.workspace ?? process.cwd());
  const workflow =
    typeof options.workflow === 'string'
      ? await loadWorkflow(resolve(workspace, options.workflow))
      : options.workflow;
  const store = new LocalStore(resolve(workspace, options.runsDir ?? DEFAULT_RUNS_DIR));
  const runId = options.resume ? await store.resolve(options.resume) : (options.runId ?? store.newRunId());
  const journalPath = store.journalPath(runId);
  const lock = await store.lock(runId);
  try {
    const previous = await readJournalFile(journalPath);
    const foreign = journalBelongsTo(previous, workflow.name);
    if (foreign) throw new Error(`cannot resume run "${runId}": ${foreign}`);
    const given = options.inputs ? { values: options.inputs, fromStrings: false } : undefined;
    const inputs = resolveAttemptInputs(workflow, previous, given);
    const outcome = await runAttempt({
      workflow,
      runId,
      journalPath,
      previous,
      given,
      inputs,
      workspace,
      env: options.env ?? process.env,
      concurrency: options.concurrency,
      until: options.until,
      signal: options.signal,
      observer: options.observer,
    });
    await store.writeResult(runId, {
      runId,
      workflow: workflow.name,
      attempt: outcome.attempt,
      ...outcome.result,
    });
    return { ...outcome.result, runId, attempt: outcome.attempt, journalPath };
  } finally {
    await lock.release();
  }
}
