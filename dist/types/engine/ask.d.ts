import type { AnswerEvent, CallEvent, Question } from '../journal/types.js';
import type { AskStep, ExpressionContext, StepDef, WorkflowDef } from '../workflow/types.js';
import type { CallKey, KeyMaterial } from './keys.js';
/** What a run knows about answers. */
export interface RunAnswers {
    /** `answer` events of the journal, by the key of the ask they answer. */
    journaled?: ReadonlyMap<CallKey, AnswerEvent>;
    /** Answers given to this attempt, by `step` or `step[item]` (already checked with checkGivenAnswers). */
    given?: ReadonlyMap<string, GivenAnswer>;
    /** false: an unanswered ask takes its default instead of waiting (and fails without one). */
    wait?: boolean;
}
export interface GivenAnswer {
    value: unknown;
    by?: string;
}
/** The journaled result of an ask call. */
export interface AskResult {
    answer: unknown;
    'answered-by'?: string;
    'answered-at'?: string;
}
export interface PlannedAsk {
    step: AskStep;
    /** The step's path: its id, or `caller/id` inside a called workflow. */
    path: string;
    item?: number;
    key: CallKey;
    question: string;
}
export type AskOutcome = {
    kind: 'replayed';
    result: AskResult;
} | {
    kind: 'answered';
    result: AskResult;
} | {
    kind: 'waiting';
    question: Question;
} | {
    kind: 'failed';
    message: string;
};
/** `approve`, or `review[2]` for item 2 of a fan-out. */
export declare function answerTarget(step: string, item?: number): string;
/** Resolves the question and assigns the key. Synchronous, so occurrences follow item order. */
export declare function planAsk(step: AskStep, path: string, context: ExpressionContext, item: number | undefined, key: (material: KeyMaterial) => CallKey): PlannedAsk;
/** Replays, answers or leaves an ask waiting. A journaled result or answer is untrusted: checked again. */
export declare function resolveAsk(ask: PlannedAsk, recorded: CallEvent | undefined, answers: RunAnswers | undefined, now: () => string, warn: (message: string) => void): AskOutcome;
export declare function isAskResult(value: unknown): value is AskResult;
/** An answer as written for this attempt: `STEP` or `STEP[ITEM]`, its value, and whether it is typed text. */
export interface AnswerInput {
    target: string;
    value: unknown;
    /** The value is text a person typed: read it as the schema expects (`true` for a boolean, ...). */
    fromText: boolean;
    by?: string;
}
/**
 * Checks answers given for this attempt against the workflow before anything runs or is written: the
 * step exists and is an ask, an item is named exactly when it fans out, the value fits its schema.
 */
export declare function checkGivenAnswers(workflow: WorkflowDef, inputs: AnswerInput[]): {
    answers: Map<string, GivenAnswer>;
    problems: string[];
};
/**
 * The ids of steps whose outputs `step` (or any step inside it) reads; `any` when an expression picks a
 * step by a computed name. A step that reads a waiting step waits too.
 */
export declare function readsSteps(step: StepDef): Set<string> | 'any';
