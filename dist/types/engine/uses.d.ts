import type { ExpressionContext, StepDef, UsesStep } from '../workflow/types.js';
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
export declare function calleeSteps(steps: StepDef[], prefix: string): {
    step: StepDef;
    path: string;
}[];
/**
 * Runs the called workflow (once, or once per item with `for-each`) and gives its `outputs` as the
 * step's outputs (a list of them with `for-each`).
 */
export declare function runUses(host: UsesHost, step: UsesStep, scope: Scope & {
    frame: Frame;
}, path: string): Promise<unknown>;
