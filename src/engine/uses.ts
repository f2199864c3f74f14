// `uses:` steps: run another workflow file inside this run. The callee runs in a frame of its own (its
// inputs from `with:`, its env, its step outputs, its defaults, providers and phases) but its calls are
// the run's: one journal, keyed under the calling step's path (`caller/inner`), one budget, the
// caller's run-wide limits. So a resume continues at the exact call that failed inside the callee, and
// an edit of the callee re-runs only the calls whose requests changed.
import pLimit from 'p-limit';
import { evaluateTemplate } from '../workflow/expressions.js';
import { resolveInputs } from '../workflow/inputs.js';
import type { ExpressionContext, StepDef, UsesStep } from '../workflow/types.js';
import { describeValue, registerSecretEnv, stringMap } from './plan.js';
import { ItemError, ItemsFailed, StepFailed, StepWaiting } from './scope.js';
import type { Frame, Scope } from './scope.js';
import type { RunObserver } from './types.js';

/** What a `uses:` step needs from the run it belongs to. */
export interface UsesHost {
  readonly signal: AbortSignal;
  readonly observer: RunObserver | undefined;
  /** Registers a secret value for redaction (before it is keyed or written anywhere). */
  readonly addSecret: ((value: string) => void) | undefined;
  context(scope: Scope): ExpressionContext;
  runSequence(steps: StepDef[], scope: Scope): Promise<void>;
  evaluateOutputs(frame: Frame): Record<string, unknown>;
  fanOutLimit(step: StepDef, frame: Frame): number;
  throwIfStopped(): void;
}

/** Every step of a workflow with its path, callees' steps included (`caller/inner`), in file order. */
export function calleeSteps(steps: StepDef[], prefix: string): { step: StepDef; path: string }[] {
  return steps.flatMap((step) => {
    const path = prefix + step.id;
    const self = { step, path };
    if (step.kind === 'parallel' || step.kind === 'repeat') return [self, ...calleeSteps(step.steps, prefix)];
    if (step.kind === 'uses' && step.callee) return [self, ...calleeSteps(step.callee.steps, `${path}/`)];
    return [self];
  });
}

/**
 * Runs the called workflow (once, or once per item with `for-each`) and gives its `outputs` as the
 * step's outputs (a list of them with `for-each`).
 */
export async function runUses(
  host: UsesHost,
  step: UsesStep,
  scope: Scope & { frame: Frame },
  path: string,
): Promise<unknown> {
  if (!step.callee) throw new StepFailed(`step "${path}": the called workflow ${step.uses} was not loaded`);
  if (step.forEach === undefined) {
    host.observer?.stepStarted?.(path, { kind: 'uses' });
    return invoke(host, step, scope, path);
  }
  const list = evaluateTemplate(step.forEach, host.context(scope));
  if (!Array.isArray(list)) {
    throw new StepFailed(`step "${path}": for-each must be a list, got ${describeValue(list)}`);
  }
  host.observer?.stepStarted?.(path, { kind: 'uses', items: list.length });
  const limit = pLimit(host.fanOutLimit(step, scope.frame));
  const outputs: unknown[] = new Array(list.length).fill(null);
  const failures: ItemError[] = [];
  let waiting: StepWaiting | undefined;
  let stopScheduling = false;
  await Promise.all(
    list.map((item, index) =>
      limit(async () => {
        if (stopScheduling || host.signal.aborted) return;
        try {
          outputs[index] = await invoke(host, step, { ...scope, item, index }, path);
        } catch (caught) {
          if (host.signal.aborted) return;
          // An item waiting for an answer is no failure: the other items still run.
          if (caught instanceof StepWaiting) {
            waiting ??= caught;
            return;
          }
          failures.push(new ItemError(index, item, caught));
          if (step.failFast) stopScheduling = true;
        }
      }),
    ),
  );
  host.throwIfStopped();
  if (failures.length === 0 && waiting) throw new StepWaiting(waiting.message, outputs);
  if (failures.length === 0) return outputs;
  failures.sort((a, b) => a.index - b.index);
  const lines = failures.map((f) => `  item ${f.index} (${describeValue(f.value)}): ${f.cause}`);
  throw new ItemsFailed(
    `step "${path}": ${failures.length} of ${list.length} items failed:\n${lines.join('\n')}`,
    outputs,
  );
}

async function invoke(host: UsesHost, step: UsesStep, scope: Scope, path: string): Promise<unknown> {
  const callee = step.callee!;
  const given = evaluateTemplate(step.with, host.context(scope));
  const { values, problems } = resolveInputs(callee, isRecord(given) ? given : {}, { fromStrings: false });
  if (problems.length > 0) {
    throw new StepFailed(`step "${path}": inputs of ${step.uses}: ${problems.join('; ')}`);
  }
  // The callee's secrets are the run's, as the caller's are: values given to its `secret: true` inputs
  // and its env entries named like credentials are redacted before anything is keyed or written.
  for (const input of callee.inputs) {
    const value = values[input.name];
    if (!input.secret || value === undefined || value === null || value === '') continue;
    host.addSecret?.(typeof value === 'string' ? value : JSON.stringify(value));
  }
  const frame: Frame = { workflow: callee, inputs: values, env: {}, steps: {}, prefix: `${path}/` };
  frame.env = stringMap(evaluateTemplate(callee.env, host.context({ frame })), `env of ${step.uses}`);
  registerSecretEnv(frame.env, host.addSecret);
  await host.runSequence(callee.steps, { frame, reuse: scope.reuse });
  host.throwIfStopped();
  return host.evaluateOutputs(frame);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
