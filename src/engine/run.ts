// Runs a validated workflow: replay every call whose key is journaled, run the rest live, journal each
// completion the moment it happens.
import { join, relative, sep } from 'node:path';
import { callAgent, callTurn } from '../agents/index.js';
import type { ChatMessage } from '../agents/types.js';
import { describeCut, runShell } from '../agents/shell.js';
import { CallError } from '../agents/types.js';
import type { AgentResult, Usage } from '../agents/types.js';
import type { ShellResult } from '../agents/shell.js';
import type { OutputLimit } from '../agents/process.js';
import {
  candidatesOf,
  JOURNAL_VERSION,
  type CallEvent,
  type Question,
  type RunEvent,
} from '../journal/types.js';
import { planAsk, readsSteps, resolveAsk } from './ask.js';
import { evaluateCondition, evaluateTemplate } from '../workflow/expressions.js';
import type {
  AgentStep,
  AskStep,
  ExpressionContext,
  RepeatStep,
  RunStep,
  StepDef,
  WorkflowDef,
} from '../workflow/types.js';
import { Budget, LimitExceeded, addUsage, emptyTotals } from './budget.js';
import { nextTarget, requestForTarget, targetName } from './fallback.js';
import { CallDeadlines } from './deadline.js';
import { CallGates } from './gates.js';
import { eachAtMost } from './pool.js';
import { unpricedModels } from './prices.js';
import { Occurrences, baseKey } from './keys.js';
import type { CallKey } from './keys.js';
import { runAgentLoop } from './agent-loop.js';
import { describeValue, planCall, registerSecretEnv, stringMap } from './plan.js';
import { runToolbox, type RunToolbox } from './toolbox.js';
import type { PerformedCall, PlannedCall } from './plan.js';
import { agentOutputs, askOutputs, shellOutputs } from './outputs.js';
import { replayProblem } from './replay-check.js';
import { ReuseRule } from './reuse.js';
import { backoffMs, isRecoverable, retryAfterRefusal, sleep } from './retry.js';
import { Sharding } from './shard.js';
import type { RetryPolicy } from './retry.js';
import { ItemError, ItemsFailed, StepFailed, StepWaiting } from './scope.js';
import type { Frame, Scope } from './scope.js';
import { calleeSteps, runUses } from './uses.js';
import { requestSummary, scriptLines } from './script-output.js';
import type { UsesHost } from './uses.js';
import type {
  CallCounts,
  CallReport,
  Executors,
  RunOptions,
  RunResult,
  StepStatus,
  StepSummary,
} from './types.js';

const DEFAULT_CONCURRENCY = 4;

/** Why the whole run stopped early. */
class RunStopped extends Error {
  constructor(
    message: string,
    readonly status: 'failed' | 'cancelled' | 'paused',
  ) {
    super(message);
  }
}

export async function runWorkflow(options: RunOptions): Promise<RunResult> {
  return new Run(options).execute();
}

class Run implements UsesHost {
  private readonly workflow: WorkflowDef;
  private readonly budget: Budget;
  private readonly occurrences = new Occurrences();
  /**
   * The keys this attempt asked the journal for, in two parts that never share a key: the calls it replayed
   * (in order, for `runs show --calls`), and every other (asks, calls that ran live, and a shard's items that
   * another shard owns: planned, so not "no longer matched"). A resume of 10,000 calls thus keeps one list,
   * not a set of every key as well.
   */
  private readonly replayedKeys: CallKey[] = [];
  private readonly otherAskedKeys = new Set<CallKey>();
  private readonly controller = new AbortController();
  private readonly deadlines = new CallDeadlines(this.controller.signal);
  private readonly executors: Executors;
  private readonly retry: RetryPolicy;
  private readonly summaries = new Map<string, StepSummary>();
  private readonly counts: CallCounts = { live: 0, replayed: 0, failed: 0, skipped: 0 };
  /** The top-level workflow's frame; a `uses:` step runs its callee in a frame of its own. */
  private readonly top: Frame;
  /** Tools and MCP servers of each workflow file of the run (the top one, callees of `uses:`). */
  private readonly toolboxes = new Map<WorkflowDef, RunToolbox>();
  /** Conversations of `thread:` steps; rebuilt by replaying their turns. */
  private readonly threads = new Map<string, ChatMessage[]>();
  /** Paths of steps waiting for an answer; a step that reads one of them waits too. */
  private readonly waiting = new Set<string>();
  private readonly questions: Question[] = [];
  private lastEnv?: { signature: string; env: Record<string, string | undefined> };
  private readonly now: () => Date;
  private readonly sharding: Sharding;
  /** Set when a limit refuses new calls: calls already admitted finish (and are journaled) first. */
  private halted?: RunStopped;
  private readonly warned = new Set<string>();
  private readonly gates: CallGates;
  /** Which journaled lines of earlier runs this attempt may take (cross-run reuse), and what it took. */
  private readonly reuse: ReuseRule;

  constructor(private readonly options: RunOptions) {
    this.workflow = options.workflow;
    this.budget = new Budget(
      { ...options.workflow.limits, ...options.limits },
      options.earlier,
      options.attempt,
    );
    this.reuse = new ReuseRule(options.reuse);
    this.gates = new CallGates(options.workflow.limits.concurrency, { now: () => Date.now(), sleep });
    this.executors = {
      agent: options.executors?.agent ?? callAgent,
      shell: options.executors?.shell ?? runShell,
      turn: options.executors?.turn ?? callTurn,
    };
    this.retry = {
      retries: 0,
      baseMs: options.retry?.baseMs ?? 1000,
      maxMs: options.retry?.maxMs ?? 30_000,
      random: options.retry?.random ?? Math.random,
      sleep,
    };
    this.now = options.now ?? (() => new Date());
    this.sharding = new Sharding(options.workflow, options.shard, options.mergeOf);
    this.top = { workflow: this.workflow, inputs: options.inputs, env: {}, steps: {}, prefix: '' };
    for (const { step, path } of calleeSteps(this.workflow.steps, '')) {
      this.summaries.set(path, {
        id: path,
        kind: step.kind,
        name: step.name,
        phase: step.phase,
        status: 'not-run',
        calls: { live: 0, replayed: 0, failed: 0, skipped: 0 },
        usage: emptyTotals(),
        saved: emptyTotals(),
        ms: 0,
      });
    }
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  async execute(): Promise<RunResult> {
    const started = monotonicMs();
    const { workflow, options } = this;
    const startedAt = this.now();
    this.reuse.begin(startedAt);
    const header: RunEvent = {
      v: JOURNAL_VERSION,
      t: 'run',
      workflow: workflow.name,
      script: workflow.scriptHash,
      file: relative(options.workspace, workflow.file).split(sep).join('/'),
      runId: options.runId,
      attempt: options.attempt,
      // Secret inputs never reach the journal, whatever their length (short ones escape redaction).
      inputs: Object.fromEntries(
        Object.entries(options.inputs).map(([name, value]) => [
          name,
          workflow.inputs.some((input) => input.name === name && input.secret) ? '***' : value,
        ]),
      ),
      ...(options.shard ? { shard: options.shard } : {}),
      ...(options.limits && Object.keys(options.limits).length > 0 ? { limits: options.limits } : {}),
      ...(options.reuse?.starts ? { reuses: options.reuse.starts } : {}),
      at: startedAt.toISOString(),
    };
    // An attempt with the inputs of the one before does not repeat them: the reader fills them in.
    if (sameJson(options.inputs, options.previous?.inputs)) delete (header as Partial<RunEvent>).inputs;
    options.journal.append(header);

    const onExternalAbort = () => this.stop(new RunStopped('the run was cancelled', 'cancelled'));
    if (options.signal?.aborted) onExternalAbort();
    options.signal?.addEventListener('abort', onExternalAbort, { once: true });
    const workflowTimeout =
      workflow.limits.timeoutMs !== undefined
        ? setTimeout(
            () =>
              this.stop(
                new RunStopped(`limits.timeout reached after ${workflow.limits.timeoutMs} ms`, 'failed'),
              ),
            workflow.limits.timeoutMs,
          )
        : undefined;

    let status: RunResult['status'] = 'succeeded';
    let error: string | undefined;
    let outputs: Record<string, unknown> = {};
    try {
      this.checkPrices();
      this.top.env = stringMap(evaluateTemplate(workflow.env, this.context({})), 'env');
      registerSecretEnv(this.top.env, this.options.addSecret);
      await this.runSequence(this.sharding.stepsToRun(), {});
      this.throwIfStopped();
      // A shard's part is done; the workflow's outputs are the merge run's to evaluate.
      if (options.shard) status = 'sharded';
      else outputs = this.evaluateOutputs();
    } catch (caught) {
      // Once the run was stopped (cancel, limit, timeout), that is the story, whatever a step threw.
      const reason: unknown =
        this.signal.reason instanceof RunStopped ? this.signal.reason : (this.halted ?? caught);
      status =
        reason instanceof RunStopped ? reason.status : reason instanceof StepWaiting ? 'waiting' : 'failed';
      error = status === 'waiting' ? undefined : reason instanceof Error ? reason.message : String(reason);
    } finally {
      if (workflowTimeout) clearTimeout(workflowTimeout);
      options.signal?.removeEventListener('abort', onExternalAbort);
      // MCP servers (and their process trees) end with the run, however it ended.
      await Promise.all([...this.toolboxes.values()].map((toolbox) => toolbox.close()));
    }

    const questions = status === 'waiting' ? [...this.questions] : undefined;
    const sameOutputs = sameJson(outputs, options.previous?.outputs);
    options.journal.append({
      t: 'end',
      status,
      error,
      ...(sameOutputs ? {} : { outputs }),
      questions,
      at: this.timestamp(),
    });
    return {
      status,
      error,
      outputs,
      questions: this.questions,
      calls: { ...this.counts },
      usage: { ...this.budget.spent },
      saved: { ...this.budget.saved },
      budget: this.budget.report(),
      steps: [...this.summaries.values()],
      unmatchedJournalCalls: this.unmatchedJournalCalls(),
      ...(this.reuse.reuse
        ? {
            reuse: this.reuse.report(
              new Set([...this.replayedKeys, ...this.otherAskedKeys]),
              this.sharding.unreachedSteps(),
            )!,
          }
        : {}),
      replayedKeys: [...this.replayedKeys],
      ms: Math.round(monotonicMs() - started),
      ...(options.shard ? { shard: this.sharding.report() } : {}),
    };
  }

  /**
   * Journaled keys this attempt never asked for (a step removed, a prompt edited). A shard leaves out the
   * calls of the steps it stops before: the merge run asks for those.
   */
  private unmatchedJournalCalls(): number {
    // Each replayed key is a journaled one, replayed once, and never among the others asked for.
    let asked = this.replayedKeys.length;
    for (const key of this.otherAskedKeys) if (this.options.replay.has(key)) asked += 1;
    const unreached = this.sharding.unreachedSteps();
    if (unreached.size > 0) {
      // Never asked for, since their steps never ran.
      for (const entry of this.options.replay.values()) {
        if (unreached.has((Array.isArray(entry) ? entry[0]! : entry).step)) asked += 1;
      }
    }
    return this.options.replay.size - asked;
  }

  private stop(reason: RunStopped): void {
    if (!this.signal.aborted) this.controller.abort(reason);
  }

  throwIfStopped(): void {
    if (this.signal.aborted) throw this.signal.reason;
    if (this.halted) throw this.halted;
  }

  /** No new calls from now on; the run fails once the calls already admitted have finished. */
  private halt(reason: RunStopped): never {
    this.halted ??= reason;
    throw this.halted;
  }

  /** `warnOnce` for the calls' contexts: one function for the run, not one per call. */
  private readonly warn = (message: string): void => this.warnOnce(message);

  private warnOnce(message: string): void {
    if (this.warned.has(message)) return;
    this.warned.add(message);
    this.options.observer?.warning?.(message);
  }

  /** `limits.usd` cannot see a model without a price: say so before anything runs, or refuse to run. */
  private checkPrices(): void {
    const limits = { ...this.workflow.limits, ...this.options.limits };
    if (limits.usd === undefined) return;
    for (const { step, model } of unpricedModels(this.workflow)) {
      const message = `step "${step}": model "${model}" has no known price, so limits.usd cannot count it; add it under pricing:`;
      if (limits.onUnknownCost === 'fail') {
        throw new RunStopped(`${message} (limits.on-unknown-cost: fail)`, 'failed');
      }
      this.warnOnce(`${message} (its calls are counted as unpriced)`);
    }
  }

  private timestamp(): string {
    return this.now().toISOString();
  }

  get observer(): RunOptions['observer'] {
    return this.options.observer;
  }

  get addSecret(): RunOptions['addSecret'] {
    return this.options.addSecret;
  }

  get concurrency(): number | undefined {
    return this.options.concurrency;
  }

  context(scope: Scope, env?: Record<string, string>): ExpressionContext {
    const frame = scope.frame ?? this.top;
    return {
      inputs: frame.inputs,
      steps: frame.steps,
      env: env ?? frame.env,
      github: this.options.github ?? {},
      item: scope.item,
      index: scope.index,
      loop: scope.loop,
      status: scope.failed ? 'failure' : 'success',
    };
  }

  /**
   * Runs steps in order. As in GitHub Actions, a failed step does not end the sequence at once: later
   * steps run only if their `if` uses a status function that allows it (`failure()`, `always()`); the
   * others are skipped, and the sequence then fails with its first failure.
   */
  async runSequence(steps: StepDef[], scope: Scope): Promise<void> {
    let failed: StepFailed | undefined;
    let waiting: StepWaiting | undefined;
    for (const step of steps) {
      this.throwIfStopped();
      try {
        await this.runStep(step, { ...scope, failed: failed !== undefined });
      } catch (caught) {
        if (caught instanceof StepWaiting && !this.signal.aborted) {
          waiting ??= caught;
          continue;
        }
        if (!(caught instanceof StepFailed) || this.signal.aborted) throw caught;
        failed ??= caught;
      }
    }
    if (failed) throw failed;
    if (waiting) throw waiting;
  }

  private async runStep(step: StepDef, scope: Scope): Promise<void> {
    const frame = scope.frame ?? this.top;
    const path = frame.prefix + step.id;
    const summary = this.summary(path);
    const started = monotonicMs();
    try {
      const blocker = this.waitsOn(step, frame);
      if (blocker !== undefined) {
        throw new StepWaiting(`step "${path}" reads step "${blocker}", which waits for an answer`);
      }
      const runs = step.if !== undefined ? evaluateCondition(step.if, this.context(scope)) : !scope.failed;
      if (!runs) {
        frame.steps[step.id] = { outputs: {}, outcome: 'skipped', conclusion: 'skipped' };
        this.counts.skipped += 1;
        summary.calls.skipped += 1;
        this.finishStep(path, 'skipped');
        return;
      }
      let outputs: unknown;
      switch (step.kind) {
        case 'agent':
        case 'run':
          outputs = await this.runCallStep(step, scope);
          break;
        case 'parallel':
          outputs = await this.runParallel(step.steps, this.inner(step, scope));
          break;
        case 'repeat':
          outputs = await this.runRepeat(step, this.inner(step, scope));
          break;
        case 'uses':
          outputs = await runUses(
            this,
            step,
            { ...scope, frame, reuse: step.reuse ?? scope.reuse, failed: false },
            path,
          );
          break;
        case 'ask':
          outputs = await this.runAskStep(step, scope, path);
          break;
      }
      frame.steps[step.id] = { outputs, outcome: 'success', conclusion: 'success' };
      summary.ms += monotonicMs() - started;
      this.finishStep(path, 'succeeded');
    } catch (caught) {
      summary.ms += monotonicMs() - started;
      if (caught instanceof StepWaiting && !this.signal.aborted) {
        frame.steps[step.id] = { outputs: caught.outputs, outcome: '', conclusion: '' };
        this.waiting.add(path);
        this.finishStep(path, 'waiting');
        throw caught;
      }
      if (this.signal.aborted) {
        frame.steps[step.id] = { outputs: {}, outcome: 'cancelled', conclusion: 'cancelled' };
        this.finishStep(path, 'cancelled', (this.signal.reason as Error).message);
        throw this.signal.reason;
      }
      if (this.halted && caught === this.halted) {
        frame.steps[step.id] = { outputs: {}, outcome: 'failure', conclusion: 'failure' };
        this.finishStep(path, 'failed', this.halted.message);
        throw this.halted;
      }
      const failure = caught instanceof StepFailed ? caught : new StepFailed(describeError(path, caught));
      const partial = caught instanceof ItemsFailed ? caught.outputs : {};
      this.finishStep(path, 'failed', failure.message);
      if (step.continueOnError) {
        frame.steps[step.id] = { outputs: partial, outcome: 'failure', conclusion: 'success' };
        this.options.observer?.warning?.(`${failure.message} (continue-on-error: the run goes on)`);
        return;
      }
      frame.steps[step.id] = { outputs: partial, outcome: 'failure', conclusion: 'failure' };
      throw failure;
    }
  }

  /**
   * The scope of a group's or loop's sub-steps: they belong to its phase unless they name their own, and
   * once the group runs, its sub-steps start with a clean status (failure() means a failure inside it).
   */
  private inner(step: StepDef, scope: Scope): Scope {
    return { ...scope, phase: step.phase ?? scope.phase, reuse: step.reuse ?? scope.reuse, failed: false };
  }

  private finishStep(path: string, status: StepStatus, error?: string): void {
    const summary = this.summary(path);
    summary.status = status;
    summary.error = error;
    summary.ms = Math.round(summary.ms);
    this.options.journal.append({ t: 'step', step: path, status, at: this.timestamp() });
    this.options.observer?.stepFinished?.(path, status, error);
    if (path === this.options.until && (status === 'succeeded' || status === 'skipped')) {
      this.stop(new RunStopped(`paused after step "${path}" (--until); --resume continues`, 'paused'));
    }
  }

  private async runParallel(steps: StepDef[], scope: Scope): Promise<Record<string, never>> {
    // Every branch runs to completion (its calls are journaled) before the group reports a failure.
    const results = await Promise.allSettled(steps.map((step) => this.runStep(step, scope)));
    this.throwIfStopped();
    const rejected = results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
    const failed = rejected.filter((reason) => !(reason instanceof StepWaiting));
    if (failed.length === 0 && rejected.length > 0) throw rejected[0];
    if (failed.length > 0) {
      throw new StepFailed(
        failed.map((reason) => (reason instanceof Error ? reason.message : String(reason))).join('\n'),
      );
    }
    return {};
  }

  private async runRepeat(
    step: RepeatStep,
    scope: Scope,
  ): Promise<{ iterations: number; converged: boolean }> {
    // Before the first pass, the loop's steps read as null (they hold the previous iteration's outputs).
    const frame = scope.frame ?? this.top;
    for (const inner of flatten(step.steps)) {
      frame.steps[inner.id] = { outputs: null, outcome: '', conclusion: '' };
    }
    for (let iteration = 1; iteration <= step.max; iteration++) {
      const loopScope: Scope = { ...scope, loop: { iteration } };
      this.options.observer?.stepStarted?.(frame.prefix + step.id, { kind: 'repeat', iteration });
      await this.runSequence(step.steps, loopScope);
      this.throwIfStopped();
      if (evaluateCondition(step.until, this.context(loopScope)))
        return { iterations: iteration, converged: true };
    }
    this.options.observer?.warning?.(
      `step "${frame.prefix}${step.id}": stopped after max ${step.max} iterations without "until" becoming true`,
    );
    return { iterations: step.max, converged: false };
  }

  private async runCallStep(step: AgentStep | RunStep, scope: Scope): Promise<unknown> {
    const context = this.context(scope);
    const frame = scope.frame ?? this.top;
    if (step.forEach === undefined) {
      this.options.observer?.stepStarted?.(frame.prefix + step.id, { kind: step.kind });
      const call = this.plan(step, scope);
      return call.loop ? this.runLoop(call, scope) : this.perform(call);
    }
    const list = evaluateTemplate(step.forEach, context);
    if (!Array.isArray(list)) {
      throw new StepFailed(
        `step "${frame.prefix}${step.id}": for-each must be a list, got ${describeValue(list)}`,
      );
    }
    this.options.observer?.stepStarted?.(frame.prefix + step.id, { kind: step.kind, items: list.length });

    // Plan every item before any runs live, in item order: occurrence numbers never depend on completion
    // order. A journaled item is replayed as soon as it is planned (its plan is then garbage at once, which
    // keeps a resume of a large fan-out from holding every plan), and needs no scheduling: only live calls
    // go through the concurrency limit. A shard leaves the items it does not own alone (their outputs stay
    // null; the merge run fills them in).
    const outputs: unknown[] = new Array(list.length).fill(null);
    // The items left to run (by index): a resume that replays them all schedules nothing.
    const live: { index: number; call: PlannedCall | ItemError }[] = [];
    let owned = 0;
    for (let index = 0; index < list.length; index++) {
      const value: unknown = list[index];
      let call: PlannedCall | ItemError;
      try {
        call = this.plan(step, { ...scope, item: value, index });
      } catch (caught) {
        call = new ItemError(index, value, caught);
      }
      if (!this.sharding.owns(step, call instanceof ItemError ? undefined : call.key, index)) {
        if (!(call instanceof ItemError)) this.otherAskedKeys.add(call.key);
        continue;
      }
      owned += 1;
      if (call instanceof ItemError || call.loop) {
        live.push({ index, call });
        continue;
      }
      const replayed = this.tryReplay(call);
      if (replayed === undefined) {
        this.sharding.noteLive(step, call.key);
        live.push({ index, call });
      } else outputs[index] = replayed;
    }
    const failures: ItemError[] = [];
    let stopScheduling = false;
    this.sharding.countOwned(step, owned, list.length);
    for (const warning of this.sharding.mergeWarnings(step)) this.options.observer?.warning?.(warning);
    await eachAtMost(live, this.fanOutLimit(step, frame), async ({ index, call }) => {
      if (stopScheduling || this.signal.aborted || this.halted) return;
      if (call instanceof ItemError) {
        failures.push(call);
        if (step.failFast) stopScheduling = true;
        return;
      }
      try {
        outputs[index] = call.loop ? await this.runLoop(call, scope) : await this.perform(call, false);
      } catch (caught) {
        if (this.signal.aborted || caught === this.halted) return;
        failures.push(new ItemError(index, list[index], caught));
        if (step.failFast) stopScheduling = true;
      }
    });
    this.throwIfStopped();
    if (failures.length > 0) {
      failures.sort((a, b) => a.index - b.index);
      const notRun = stopScheduling ? owned - failures.length - outputs.filter((o) => o !== null).length : 0;
      const lines = failures.map(
        (failure) => `  item ${failure.index} (${describeValue(failure.value)}): ${failure.cause}`,
      );
      throw new ItemsFailed(
        `step "${frame.prefix}${step.id}": ${failures.length} of ${list.length} items failed` +
          (notRun > 0 ? ` (fail-fast: ${notRun} not run)` : '') +
          `:\n${lines.join('\n')}`,
        outputs,
      );
    }
    return outputs;
  }

  /** How many items of a fan-out run at once. */
  fanOutLimit(step: StepDef, frame: Frame): number {
    return (
      step.concurrency ??
      this.options.concurrency ??
      frame.workflow.defaults.concurrency ??
      DEFAULT_CONCURRENCY
    );
  }

  /** The path of a waiting step of this frame that `step` reads, if any. */
  private waitsOn(step: StepDef, frame: Frame): string | undefined {
    if (this.waiting.size === 0) return undefined;
    const reads = readsSteps(step);
    const ids = reads === 'any' ? Object.keys(frame.steps) : [...reads];
    return ids.map((id) => frame.prefix + id).find((path) => this.waiting.has(path));
  }

  /** An ask, or one per item: replayed, answered now (journaled as a call), or waiting. */
  private async runAskStep(step: AskStep, scope: Scope, path: string): Promise<unknown> {
    let list: unknown[] | undefined;
    if (step.forEach !== undefined) {
      const value = evaluateTemplate(step.forEach, this.context(scope));
      if (!Array.isArray(value)) {
        throw new StepFailed(`step "${path}": for-each must be a list, got ${describeValue(value)}`);
      }
      list = value;
    }
    this.options.observer?.stepStarted?.(path, { kind: 'ask', items: list?.length });
    const planned = (list ?? [undefined]).map((value, index) =>
      planAsk(
        step,
        path,
        this.context(list ? { ...scope, item: value, index } : scope),
        list ? index : undefined,
        (material) => this.occurrences.next(baseKey(material, this.options.redact)),
      ),
    );
    const summary = this.summary(path);
    const failures: string[] = [];
    let waits = 0;
    const outputs = planned.map((ask) => {
      this.otherAskedKeys.add(ask.key);
      const { lines, refused } = this.reuse.candidates(
        { kind: 'ask', reuse: step.reuse ?? scope.reuse },
        step.replay ? this.recordedFor(ask.key) : [],
      );
      const recorded = lines.find((event) => event.kind === 'ask');
      if (recorded) this.reuse.replayed(recorded);
      else this.reuse.miss(refused);
      const outcome = resolveAsk(
        ask,
        recorded,
        this.options.answers,
        () => this.timestamp(),
        (message) => this.options.observer?.warning?.(message),
      );
      const report = { step: path, item: ask.item, kind: 'ask' as const, key: ask.key, ms: 0 };
      switch (outcome.kind) {
        case 'replayed':
          this.counts.replayed += 1;
          summary.calls.replayed += 1;
          this.options.observer?.callFinished?.({ ...report, status: 'replayed' });
          return askOutputs(outcome.result);
        case 'answered':
          this.options.journal.append({
            t: 'call',
            key: ask.key,
            step: path,
            item: ask.item,
            kind: 'ask',
            result: outcome.result,
            ms: 0,
            at: this.timestamp(),
          });
          this.counts.live += 1;
          summary.calls.live += 1;
          this.options.observer?.callFinished?.({ ...report, status: 'live' });
          return askOutputs(outcome.result);
        case 'waiting':
          waits += 1;
          this.questions.push(outcome.question);
          return null;
        case 'failed':
          failures.push(outcome.message);
          return null;
      }
    });
    if (failures.length > 0) throw new StepFailed(failures.join('\n'));
    if (waits > 0) throw new StepWaiting(`step "${path}" waits for ${waits} answer(s)`, list ? outputs : {});
    return list ? outputs : outputs[0];
  }

  /** Resolves a call's request and assigns its key. Synchronous, so planning order is list order. */
  private plan(step: AgentStep | RunStep, scope: Scope): PlannedCall {
    const frame = scope.frame ?? this.top;
    const call = planCall(step, {
      workflow: frame.workflow,
      workflowEnv: frame.env,
      path: frame.prefix + step.id,
      workspace: this.options.workspace,
      phase: step.phase ?? scope.phase,
      item: scope.index,
      context: (env) => this.context(scope, env),
      addSecret: this.options.addSecret,
      key: (material) => this.occurrences.next(baseKey(material, this.options.redact)),
    });
    if (scope.loop) call.iteration = scope.loop.iteration;
    const reuse = step.reuse ?? scope.reuse;
    if (reuse !== undefined) call.reuse = reuse;
    return call;
  }

  /** A tool-using or threaded agent step: its turns and tool calls go through `perform` one by one. */
  private runLoop(call: PlannedCall, scope: Scope): Promise<unknown> {
    const frame = scope.frame ?? this.top;
    let toolbox = this.toolboxes.get(frame.workflow);
    if (!toolbox) {
      toolbox = runToolbox(frame.workflow, frame.env, this.context({ frame }), {
        ...this.options,
        signal: this.signal,
      });
      this.toolboxes.set(frame.workflow, toolbox);
    }
    return runAgentLoop(call, {
      // A call with `execute` resolves with a PerformedCall (see outputsOf).
      perform: async (inner) => (await this.perform(inner)) as PerformedCall,
      key: (material) => this.occurrences.next(baseKey(material, this.options.redact)),
      turn: this.executors.turn,
      callContext: (inner, signal) => ({
        signal,
        env: this.callEnv(inner.env),
        cwd: this.options.workspace,
        timeoutMs: inner.timeoutMs,
        // Prices come from the top workflow, for a callee's turns as for its other calls.
        pricing: this.workflow.pricing,
        log: (message) => this.warnOnce(message),
      }),
      toolbox: toolbox.toolbox,
      threads: this.threads,
      threadPrefix: frame.prefix,
      env: this.options.env,
      workspace: this.options.workspace,
      redact: this.options.redact,
      output: (key) => this.outputLimit(key),
    });
  }

  /** The step outputs of a call replayed from the journal, or undefined when it must run live. */
  private tryReplay(call: PlannedCall): unknown {
    const recorded = call.step.replay ? this.replayable(call) : undefined;
    if (recorded) return this.replayed(call, recorded);
    this.otherAskedKeys.add(call.key);
    return undefined;
  }

  private async perform(call: PlannedCall, replay = true): Promise<unknown> {
    const summary = this.summary(call.path);
    if (replay) {
      const outputs = this.tryReplay(call);
      if (outputs !== undefined) return outputs;
    }
    let target = 0;
    for (let attempt = 0; ; attempt++) {
      this.throwIfStopped();
      // A refused call stops the run from admitting more; calls already in flight are not aborted.
      const refused = this.budget.reserveCall();
      if (refused) this.halt(new RunStopped(refused.message, 'failed'));
      const started = monotonicMs();
      try {
        const { result, usage, model } = await this.invoke(call, target);
        const ms = Math.round(monotonicMs() - started);
        // Journal first: once a call is complete, nothing may lose it. An agent's model and usage are in
        // its result, and are not copied onto the line (journals before 0.2 did; readers accept both).
        const own = typeof result === 'object' && result !== null ? (result as Partial<AgentResult>) : {};
        const inResult = own.usage === usage && own.model === model;
        this.options.journal.append({
          t: 'call',
          key: call.key,
          step: call.path,
          item: call.item,
          kind: call.kind,
          request: requestSummary(call),
          ...(inResult ? {} : { model, usage }),
          result,
          ms,
          at: this.timestamp(),
        });
        this.counts.live += 1;
        summary.calls.live += 1;
        this.report(call, { status: 'live', ms, usage, model });
        this.spend(call, usage, model);
        return outputsOf(call, result, usage, model);
      } catch (caught) {
        if (caught === this.halted) throw caught;
        // A failed call may still have spent (a structured answer that never conformed): count it.
        const spent = caught instanceof CallError ? caught.usage : undefined;
        this.spend(call, spent);
        if (this.signal.aborted) throw this.signal.reason;
        const refusal =
          caught instanceof CallError && isRecoverable(caught) && attempt < call.retries
            ? retryAfterRefusal(caught.retryAfterMs, call.timeoutMs)
            : undefined;
        const said = caught instanceof Error ? caught.message : String(caught);
        const message = refusal ? `${said}\n${refusal}` : said;
        // An agent call falls back, a single one or a loop's turn alike (a tool call has no `agent`).
        const next = nextTarget(call.agent, target, caught, attempt < call.retries && !refusal);
        if (next !== undefined && call.agent) {
          this.options.observer?.warning?.(
            `step "${call.path}"${call.item !== undefined ? ` item ${call.item}` : ''}: model "${targetName(call.agent, target)}" failed (${said.split('\n')[0]}); falling back to "${targetName(call.agent, next)}"`,
          );
          target = next;
          attempt = -1;
          continue;
        }
        if (isRecoverable(caught) && attempt < call.retries && !refusal) {
          const delayMs = backoffMs(
            this.retry,
            attempt,
            caught instanceof CallError ? caught.retryAfterMs : undefined,
          );
          this.options.observer?.callRetrying?.({
            step: call.path,
            item: call.item,
            attempt: attempt + 1,
            delayMs,
            message,
          });
          try {
            await this.retry.sleep(delayMs, this.signal);
          } catch {
            this.throwIfStopped();
          }
          continue;
        }
        const ms = Math.round(monotonicMs() - started);
        this.options.journal.append({
          t: 'fail',
          key: call.key,
          step: call.path,
          item: call.item,
          error: { class: isRecoverable(caught) ? 'recoverable' : 'fatal', message },
          ...(spent ? { usage: spent } : {}),
          at: this.timestamp(),
        });
        this.counts.failed += 1;
        summary.calls.failed += 1;
        this.report(call, { status: 'failed', ms, error: message });
        throw refusal ? new CallError(message, 'recoverable', { cause: caught }) : caught;
      }
    }
  }

  /** Every journaled line for a key, in journal order. */
  private recordedFor(key: CallKey): readonly CallEvent[] {
    return candidatesOf(this.options.replay, key);
  }

  /** The first journaled result for the call's key that a live call could have produced, if any. */
  private replayable(call: PlannedCall): CallEvent | undefined {
    const { lines, refused } = this.reuse.candidates(call, this.recordedFor(call.key));
    let problem: string | undefined;
    for (const recorded of lines) {
      problem = replayProblem(call, recorded);
      if (problem === undefined) {
        this.reuse.replayed(recorded);
        return recorded;
      }
    }
    this.reuse.miss(refused);
    if (problem !== undefined) {
      this.options.observer?.warning?.(
        `journaled result of step "${call.path}"${call.item !== undefined ? ` item ${call.item}` : ''} is not replayed: ${problem}; running it again`,
      );
    }
    return undefined;
  }

  private replayed(call: PlannedCall, recorded: CallEvent): unknown {
    const summary = this.summary(call.path);
    this.replayedKeys.push(call.key);
    this.counts.replayed += 1;
    summary.calls.replayed += 1;
    // Since 0.2 an agent call's model and usage are only in its (validated) result; a turn's are on its line.
    const own = call.kind === 'agent' ? (recorded.result as { usage?: Usage; model?: string }) : {};
    const usage = recorded.usage ?? own.usage;
    const model = recorded.model ?? own.model;
    addUsage(summary.saved, usage);
    this.budget.recordReplayed(usage);
    this.report(call, { status: 'replayed', ms: 0, usage, model });
    return outputsOf(call, recorded.result, usage, model);
  }

  /** What a live call spent: into its step's totals and the budget, stopping the run past a limit. */
  private spend(call: PlannedCall, usage: Usage | undefined, model?: string): void {
    if (!usage) return;
    addUsage(this.summary(call.path).usage, usage);
    const exceeded = this.budget.recordLive(usage);
    if (exceeded) this.stop(new RunStopped(exceeded.message, 'failed'));
    if (usage.costUsd !== null) return;
    const limits = { ...this.workflow.limits, ...this.options.limits };
    if (limits.usd !== undefined) {
      const message = `step "${call.path}": the cost of model "${model ?? call.agent?.model ?? '?'}" is unknown, so limits.usd cannot count it`;
      if (limits.onUnknownCost === 'fail') {
        this.halted ??= new RunStopped(`${message} (limits.on-unknown-cost: fail)`, 'failed');
      } else this.warnOnce(`${message}; add its price under pricing:`);
    }
  }

  private report(
    call: PlannedCall,
    outcome: Pick<CallReport, 'status' | 'ms' | 'usage' | 'model' | 'error'>,
  ): void {
    this.options.observer?.callFinished?.({
      step: call.path,
      item: call.item,
      iteration: call.iteration,
      kind: call.kind,
      key: call.key,
      ...outcome,
    });
  }

  /** One live try of a call (of its `target`-th model), once the run's and its provider's gates let it. */
  private invoke(call: PlannedCall, target = 0): Promise<{ result: unknown; usage?: Usage; model?: string }> {
    const agent = call.agent && requestForTarget(call.agent, target);
    return this.gates.pass(agent?.provider, this.signal, () => this.invokeNow(call, agent));
  }

  private async invokeNow(
    call: PlannedCall,
    agent: PlannedCall['agent'],
  ): Promise<{ result: unknown; usage?: Usage; model?: string }> {
    // A call admitted before a limit refused the next ones still runs; a cancelled run starts nothing.
    if (this.signal.aborted) throw this.signal.reason;
    this.options.beforeLive?.(call);
    // The call's own timeout starts once it has passed the gates.
    const signal = this.deadlines.start(call.timeoutMs);
    try {
      if (call.execute) return await call.execute(signal.signal, agent);
      if (agent) {
        const result = await this.executors.agent(agent, {
          signal: signal.signal,
          env: this.callEnv(call.env),
          cwd: this.options.workspace,
          timeoutMs: call.timeoutMs,
          timedOut: signal.hasTimedOut,
          pricing: this.workflow.pricing,
          log: this.warn,
          // Only a command agent's processes have output to cap; an HTTP provider's answer is its body.
          output: agent.provider.type === 'command' ? this.outputLimit(call.key) : undefined,
        });
        return { result, usage: result.usage, model: result.model };
      }
      const shell = call.shell!;
      const result = await this.executors.shell({
        script: shell.script,
        shell: shell.shell,
        cwd: shell.cwd,
        env: this.callEnv(call.env),
        signal: signal.signal,
        retryOnFailure: call.step.retries !== undefined && call.step.retries > 0,
        onLine: scriptLines(call, this.options.observer, this.options.addSecret),
        output: this.outputLimit(call.key),
      });
      if (result.cut) this.warnOnce(`step ${call.step.id}: ${describeCut(result.cut)}`);
      return { result };
    } catch (caught) {
      if (signal.timedOut && !this.signal.aborted) {
        throw new CallError(`timed out after ${call.timeoutMs} ms`, 'recoverable', { cause: caught });
      }
      throw caught;
    } finally {
      signal.dispose();
    }
  }

  /** A call's output cap, and the files in the run directory for a longer stream (only with a redactor). */
  private outputLimit(key: CallKey): OutputLimit {
    const { maxBytes, dir, redactor, cutEnd } = this.options.runOutput ?? {};
    if (dir === undefined || redactor === undefined) return { maxBytes, cutEnd };
    const prefix = join(dir, `output-${key.replace(/[^\w-]/g, '_').slice(0, 64)}`);
    return { maxBytes, cutEnd, spill: { stdout: `${prefix}.stdout`, stderr: `${prefix}.stderr`, redactor } };
  }

  /**
   * The environment a call sees: the run's, plus the call's declared env. A runner's environment is large
   * and most agent calls declare nothing, so it is copied only when there is something to add, and the
   * copy is shared by the calls of a fan-out that declare the same env.
   */
  private callEnv(declared: Record<string, string>): Record<string, string | undefined> {
    const names = Object.keys(declared);
    if (names.length === 0) return this.options.env;
    const signature = JSON.stringify(declared);
    if (this.lastEnv?.signature !== signature) {
      this.lastEnv = { signature, env: { ...this.options.env, ...declared } };
    }
    return this.lastEnv.env;
  }

  evaluateOutputs(frame: Frame = this.top): Record<string, unknown> {
    const context = this.context({ frame });
    const outputs: Record<string, unknown> = {};
    for (const [name, template] of Object.entries(frame.workflow.outputs)) {
      try {
        outputs[name] = evaluateTemplate(template, context);
      } catch (caught) {
        throw new StepFailed(
          `output "${name}": ${caught instanceof Error ? caught.message : String(caught)}`,
        );
      }
    }
    return outputs;
  }

  private summary(id: string): StepSummary {
    const summary = this.summaries.get(id);
    if (!summary) throw new Error(`no summary for step ${id}`);
    return summary;
  }
}

/** Where a run call's output beyond the cap goes: a file per call key in the run directory, if there is one. */
/**
 * A call's step outputs from its (live or journaled) result, which has been checked to be of its kind; a call
 * of an agent loop gives the loop its result with the usage and model of its journal line.
 */
function outputsOf(call: PlannedCall, result: unknown, usage?: Usage, model?: string): unknown {
  if (call.execute) return { result, usage, model } satisfies PerformedCall;
  return call.kind === 'agent'
    ? agentOutputs(result as AgentResult, call.agent?.schema !== undefined)
    : shellOutputs(result as ShellResult);
}

/** Whether two JSON values serialize the same (what the journal would hold for each). */
function sameJson(value: unknown, previous: unknown): boolean {
  return previous !== undefined && JSON.stringify(value) === JSON.stringify(previous);
}

export function flatten(steps: StepDef[]): StepDef[] {
  return steps.flatMap((step) =>
    step.kind === 'parallel' || step.kind === 'repeat' ? [step, ...flatten(step.steps)] : [step],
  );
}

function describeError(path: string, caught: unknown): string {
  const message = caught instanceof Error ? caught.message : String(caught);
  return message.startsWith(`step "${path}"`) ? message : `step "${path}": ${message}`;
}

// Re-exported so drivers can tell a limit failure from others without reaching into budget.ts.
export { LimitExceeded };

/** Milliseconds on a monotonic clock; `performance` would load perf_hooks, some 2 ms of every start. */
function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
