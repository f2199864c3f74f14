// The journal's line format (DESIGN.md section 4). One self-contained JSON object per line.
import type { Usage } from '../agents/types.js';

export const JOURNAL_VERSION = 1;

export type RunStatus = 'succeeded' | 'failed' | 'cancelled';
export type CallKind = 'agent' | 'run' | 'tool';

/** Opens every attempt: the first line of a journal is always one. */
export interface RunEvent {
  v: typeof JOURNAL_VERSION;
  t: 'run';
  workflow: string;
  /** `sha256:<hex>` of the workflow file this attempt ran. */
  script: string;
  runId: string;
  attempt: number;
  inputs: Record<string, unknown>;
  at: string;
}

/** A completed call. Its `result` is replayed for any later call with the same key. */
export interface CallEvent {
  t: 'call';
  key: string;
  step: string;
  /** The for-each index, when the step fans out. */
  item?: number;
  kind: CallKind;
  model?: string;
  result: unknown;
  usage?: Usage;
  ms: number;
  at: string;
}

export interface FailEvent {
  t: 'fail';
  key: string;
  step: string;
  item?: number;
  error: { class: 'recoverable' | 'fatal'; message: string };
  at: string;
}

/** A step's final state in this attempt (succeeded, failed, skipped). */
export interface StepEvent {
  t: 'step';
  step: string;
  status: 'succeeded' | 'failed' | 'skipped' | 'cancelled';
  at: string;
}

export interface AnswerEvent {
  t: 'answer';
  id: string;
  value: unknown;
  at: string;
}

export interface EndEvent {
  t: 'end';
  status: RunStatus;
  error?: string;
  outputs?: Record<string, unknown>;
  at: string;
}

export type JournalEvent = RunEvent | CallEvent | FailEvent | StepEvent | AnswerEvent | EndEvent;
