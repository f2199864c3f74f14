// Runs workflow text through the real loader and engine, with an in-memory journal and a scripted agent.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentRequest, AgentResult, CallContext } from '../../src/agents/types.js';
import { spentInJournal } from '../../src/engine/budget.js';
import { runWorkflow } from '../../src/engine/run.js';
import { crossRunReuse, nextAttempt, reuseMaxAge } from '../../src/engine/reuse.js';
import type { Executors, RunObserver, RunOptions, RunResult } from '../../src/engine/types.js';
import type { AnswerEvent, CallEvent, JournalEvent } from '../../src/journal/types.js';
import type { RunAnswers } from '../../src/engine/ask.js';
import { formatProblem, loadWorkflowText } from '../../src/workflow/loader.js';
import { resolveInputs } from '../../src/workflow/inputs.js';
import type { WorkflowDef } from '../../src/workflow/types.js';

export function load(yaml: string): WorkflowDef {
  const { workflow, problems } = loadWorkflowText(yaml, 'test.yml');
  if (!workflow) throw new Error(problems.map(formatProblem).join('\n'));
  return workflow;
}

/** A journal kept in memory: what the engine appended, across attempts. */
export class MemoryJournal {
  readonly events: JournalEvent[] = [];
  append(event: JournalEvent): void {
    // Round-trip through JSON like the file journal does, so nothing is shared by reference.
    this.events.push(JSON.parse(JSON.stringify(event)) as JournalEvent);
  }
  calls(): Map<string, CallEvent> {
    const calls = new Map<string, CallEvent>();
    for (const event of this.events)
      if (event.t === 'call' && !calls.has(event.key)) calls.set(event.key, event);
    return calls;
  }
  answers(): Map<string, AnswerEvent> {
    const answers = new Map<string, AnswerEvent>();
    for (const event of this.events) if (event.t === 'answer') answers.set(event.key, event);
    return answers;
  }
  /** Every call line per key, in order, as the file journal's reader gives them to the engine. */
  candidates(): Map<string, CallEvent[]> {
    const calls = new Map<string, CallEvent[]>();
    for (const event of this.events) {
      if (event.t !== 'call') continue;
      const list = calls.get(event.key);
      if (list) list.push(event);
      else calls.set(event.key, [event]);
    }
    return calls;
  }
  attempts(): number {
    return this.events.filter((event) => event.t === 'run').length;
  }
}

export type AgentFn = (request: AgentRequest, context: CallContext) => Promise<AgentResult> | AgentResult;

/** An instant agent that answers `answer(<prompt>)` and counts what it was asked. */
export function echoAgent(): { fn: AgentFn; prompts: string[] } {
  const prompts: string[] = [];
  return {
    prompts,
    fn: (request) => {
      prompts.push(request.prompt);
      // As a real provider: a structured answer's json is its text, parsed.
      const json = request.schema ? { ok: true, prompt: request.prompt } : undefined;
      return {
        text: json ? JSON.stringify(json) : `answer(${request.prompt})`,
        json,
        usage: { inputTokens: request.prompt.length, outputTokens: 10, cachedInputTokens: 0, costUsd: 0.001 },
        model: request.model,
      };
    },
  };
}

/** An agent that never answers: it only ends when its call is aborted, and counts those aborts. */
export function hangingAgent(): { fn: AgentFn; aborts: () => number } {
  let aborts = 0;
  return {
    aborts: () => aborts,
    fn: (_request, context) =>
      new Promise((_resolve, reject) => {
        context.signal.addEventListener('abort', () => {
          aborts += 1;
          reject(new Error('aborted'));
        });
      }),
  };
}

export interface RunOpts {
  journal?: MemoryJournal;
  inputs?: Record<string, unknown>;
  agent?: AgentFn;
  shell?: Executors['shell'];
  workspace?: string;
  env?: Record<string, string | undefined>;
  signal?: AbortSignal;
  observer?: RunObserver;
  redact?: (text: string) => string;
  /** Answers given to this attempt, and whether it may wait; `answer` events come from the journal. */
  answers?: Pick<RunAnswers, 'given' | 'wait'>;
  shard?: { index: number; total: number };
  mergeOf?: number;
  limits?: RunOptions['limits'];
  /** The run this attempt belongs to (default `test-run`); another id than the journal's is a new run. */
  runId?: string;
  /** Start a new run reusing the journal's earlier runs (as runAttempt's `reuseEarlierRuns`). */
  reuseEarlierRuns?: boolean;
  reuseMaxAgeMs?: number;
  now?: () => Date;
  tools?: Partial<Executors>;
}

export async function run(
  workflow: WorkflowDef,
  opts: RunOpts = {},
): Promise<RunResult & { journal: MemoryJournal }> {
  const journal = opts.journal ?? new MemoryJournal();
  const { values, problems } = resolveInputs(workflow, opts.inputs ?? {}, { fromStrings: false });
  if (problems.length > 0) throw new Error(problems.join('\n'));
  const agent = opts.agent ?? echoAgent().fn;
  const runId = opts.runId ?? 'test-run';
  // As runAttempt does: which lines are earlier runs', and the attempt number after the run's own.
  const reuse = crossRunReuse(journal.events, {
    start: opts.reuseEarlierRuns === true && journal.events.length > 0,
    maxAgeMs: reuseMaxAge(workflow, opts.reuseMaxAgeMs),
  });
  const result = await runWorkflow({
    workflow,
    inputs: values,
    runId,
    attempt: nextAttempt(journal.events, reuse),
    journal,
    replay: journal.candidates(),
    earlier: spentInJournal(journal.events, runId),
    ...(reuse ? { reuse } : {}),
    ...(opts.now ? { now: opts.now } : {}),
    limits: opts.limits,
    redact: opts.redact ?? ((text) => text),
    workspace: opts.workspace ?? mkdtempSync(join(tmpdir(), 'reprise-ws-')),
    env: opts.env ?? { PATH: process.env.PATH },
    signal: opts.signal,
    observer: opts.observer,
    executors: {
      agent: async (request, context) => agent(request, context),
      ...(opts.shell ? { shell: opts.shell } : {}),
      ...opts.tools,
    },
    retry: { baseMs: 1, maxMs: 5 },
    answers: { ...opts.answers, journaled: journal.answers() },
    shard: opts.shard,
    mergeOf: opts.mergeOf,
  });
  return { ...result, journal };
}
