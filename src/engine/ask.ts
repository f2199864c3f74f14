// Ask steps: a question for a person, journaled as a call of kind `ask`. Its key is the resolved question
// (and answer schema) with its occurrence, so an answer never lands on a question that changed. An ask
// is answered by an `answer` event under its key (`reprise answer`), by an answer given to this attempt
// for its step (`--answer`, the action's `answers`), or by its default when the run may not wait;
// otherwise it waits, and so does every step that reads it.
import type { AnswerEvent, CallEvent, Question } from '../journal/types.js';
import { answerFromText, answerProblem, describeAnswerSchema } from '../workflow/answer.js';
import { evaluateTemplate, parseExpression, parseTemplate } from '../workflow/expressions.js';
import type { AskStep, ExpressionContext, StepDef, WorkflowDef } from '../workflow/types.js';
import { didYouMean } from '../workflow/suggest.js';
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

export type AskOutcome =
  | { kind: 'replayed'; result: AskResult }
  | { kind: 'answered'; result: AskResult }
  | { kind: 'waiting'; question: Question }
  | { kind: 'failed'; message: string };

/** `approve`, or `review[2]` for item 2 of a fan-out. */
export function answerTarget(step: string, item?: number): string {
  return item === undefined ? step : `${step}[${item}]`;
}

/** Resolves the question and assigns the key. Synchronous, so occurrences follow item order. */
export function planAsk(
  step: AskStep,
  path: string,
  context: ExpressionContext,
  item: number | undefined,
  key: (material: KeyMaterial) => CallKey,
): PlannedAsk {
  const resolved = evaluateTemplate(step.ask.question, context);
  const question = typeof resolved === 'string' ? resolved : JSON.stringify(resolved);
  return {
    step,
    path,
    item,
    question,
    key: key({ step: path, kind: 'ask', request: { question, answer: step.ask.answer } }),
  };
}

/** Replays, answers or leaves an ask waiting. A journaled result or answer is untrusted: checked again. */
export function resolveAsk(
  ask: PlannedAsk,
  recorded: CallEvent | undefined,
  answers: RunAnswers | undefined,
  now: () => string,
  warn: (message: string) => void,
): AskOutcome {
  const { step } = ask;
  const schema = step.ask.answer;
  const where = `step "${ask.path}"${ask.item !== undefined ? ` item ${ask.item}` : ''}`;
  if (recorded) {
    if (
      recorded.kind === 'ask' &&
      isAskResult(recorded.result) &&
      !answerProblem(schema, recorded.result.answer)
    ) {
      return { kind: 'replayed', result: recorded.result };
    }
    warn(`journaled answer of ${where} is malformed or no longer fits the answer schema; asking again`);
  }
  const journaled = answers?.journaled?.get(ask.key);
  if (journaled) {
    const problem = answerProblem(schema, journaled.value);
    if (problem === undefined)
      return { kind: 'answered', result: resultOf(journaled.value, journaled.by, journaled.at) };
    warn(`the journaled answer to ${where} is not valid (${problem}); asking again`);
  }
  const given = answers?.given?.get(answerTarget(ask.path, ask.item));
  if (given) return { kind: 'answered', result: resultOf(given.value, given.by, now()) };
  if (answers?.wait === false) {
    if ('default' in step.ask)
      return { kind: 'answered', result: resultOf(step.ask.default, 'default', now()) };
    return {
      kind: 'failed',
      message: `${where}: "${ask.question}" has no answer and no default, and the run may not wait`,
    };
  }
  return {
    kind: 'waiting',
    question: {
      step: ask.path,
      ...(ask.item !== undefined ? { item: ask.item } : {}),
      key: ask.key,
      question: ask.question,
      answerSchema: schema,
    },
  };
}

function resultOf(answer: unknown, by: string | undefined, at: string): AskResult {
  return { answer, ...(by !== undefined ? { 'answered-by': by } : {}), 'answered-at': at };
}

export function isAskResult(value: unknown): value is AskResult {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    'answer' in value &&
    ['answered-by', 'answered-at'].every((name) => {
      const field = (value as Record<string, unknown>)[name];
      return field === undefined || typeof field === 'string';
    })
  );
}

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
export function checkGivenAnswers(
  workflow: WorkflowDef,
  inputs: AnswerInput[],
): { answers: Map<string, GivenAnswer>; problems: string[] } {
  const asks = new Map<string, AskStep>();
  const all: StepDef[] = [];
  const walk = (steps: StepDef[]) => {
    for (const step of steps) {
      all.push(step);
      if (step.kind === 'ask') asks.set(step.id, step);
      if (step.kind === 'parallel' || step.kind === 'repeat') walk(step.steps);
    }
  };
  walk(workflow.steps);
  const answers = new Map<string, GivenAnswer>();
  const problems: string[] = [];
  for (const input of inputs) {
    const match = /^([^[\]]+?)(?:\[(\d+)\])?$/.exec(input.target.trim());
    if (!match) {
      problems.push(`answer "${input.target}": name a step as STEP or STEP[ITEM]`);
      continue;
    }
    const id = match[1]!;
    const item = match[2] === undefined ? undefined : Number(match[2]);
    const step = asks.get(id);
    if (!step) {
      const other = all.find((s) => s.id === id);
      problems.push(
        other
          ? `answer "${input.target}": step "${id}" is a ${other.kind} step, not an ask`
          : `answer "${input.target}": no ask step "${id}"${didYouMean(id, [...asks.keys()])}`,
      );
      continue;
    }
    if (step.forEach !== undefined && item === undefined) {
      problems.push(`answer "${input.target}": step "${id}" asks once per item; name the item as ${id}[N]`);
      continue;
    }
    if (step.forEach === undefined && item !== undefined) {
      problems.push(`answer "${input.target}": step "${id}" has no items; answer it as ${id}`);
      continue;
    }
    const schema = step.ask.answer;
    const value =
      input.fromText && typeof input.value === 'string' ? answerFromText(schema, input.value) : input.value;
    const problem = answerProblem(schema, value);
    if (problem !== undefined) {
      problems.push(
        `answer "${input.target}": ${JSON.stringify(value)} is not a valid answer (${problem}); ` +
          `step "${id}" takes ${describeAnswerSchema(schema)}`,
      );
      continue;
    }
    answers.set(answerTarget(id, item), { value, ...(input.by !== undefined ? { by: input.by } : {}) });
  }
  return { answers, problems };
}

/**
 * The ids of steps whose outputs `step` (or any step inside it) reads; `any` when an expression picks a
 * step by a computed name. A step that reads a waiting step waits too.
 */
export function readsSteps(step: StepDef): Set<string> | 'any' {
  const ids = new Set<string>();
  let any = false;
  const refsOf = (expr: { refs: { context: string; path: (string | null)[] }[] }) => {
    for (const ref of expr.refs) {
      if (ref.context.toLowerCase() !== 'steps') continue;
      const [first] = ref.path;
      if (typeof first === 'string' && first !== '*') ids.add(first);
      else any = true;
    }
  };
  const condition = (text: string | undefined) => {
    if (text === undefined) return;
    if (text.includes('${{')) strings(text);
    else refsOf(parseExpression(text));
  };
  const strings = (value: unknown): void => {
    if (typeof value === 'string') {
      if (!value.includes('${{')) return;
      for (const part of parseTemplate(value).parts) if (typeof part !== 'string') refsOf(part);
    } else if (Array.isArray(value)) value.forEach(strings);
    else if (typeof value === 'object' && value !== null) Object.values(value).forEach(strings);
  };
  const visit = (s: StepDef): void => {
    condition(s.if);
    strings(s.env);
    strings(s.forEach);
    switch (s.kind) {
      case 'agent':
        strings({ ...s.agent, schema: undefined });
        break;
      case 'run':
        strings([s.run, s.workingDirectory]);
        break;
      case 'ask':
        strings(s.ask.question);
        break;
      case 'uses':
        strings(s.with);
        break;
      case 'parallel':
        s.steps.forEach(visit);
        break;
      case 'repeat':
        s.steps.forEach(visit);
        condition(s.until);
        break;
    }
  };
  visit(step);
  return any ? 'any' : ids;
}
