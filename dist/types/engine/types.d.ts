import type { AgentRequest, AgentResult, CallContext, TurnRequest, TurnResult, Usage } from '../agents/types.js';
import type { ShellRequest, ShellResult } from '../agents/shell.js';
import type { CallEvent, CallKind, JournalEvent, Question, RunStatus } from '../journal/types.js';
import type { TextRedactor } from '../journal/secrets.js';
import type { WorkflowCommand } from '../agents/workflow-commands.js';
import type { RunAnswers } from './ask.js';
import type { StepKind, WorkflowDef } from '../workflow/types.js';
import type { Limits } from '../workflow/types.js';
import type { AttemptSpend, BudgetReport, UsageTotals } from './budget.js';
import type { CallKey } from './keys.js';
import type { PlannedCall } from './plan.js';
import type { ShardId, ShardReport } from './shard.js';
import type { CrossRunReuse, ReuseReport } from './reuse.js';
/** Where the engine appends events; a JournalWriter in practice. */
export interface JournalSink {
    append(event: JournalEvent): void;
}
export interface Executors {
    agent(request: AgentRequest, context: CallContext): Promise<AgentResult>;
    shell(request: ShellRequest): Promise<ShellResult>;
    /** One turn of a tool-using or threaded agent step. */
    turn(request: TurnRequest, context: CallContext): Promise<TurnResult>;
}
export type StepStatus = 'succeeded' | 'failed' | 'skipped' | 'cancelled' | 'waiting';
export interface CallReport {
    step: string;
    item?: number;
    /** The iteration of the enclosing repeat loop (from 1). */
    iteration?: number;
    kind: CallKind;
    key: CallKey;
    status: 'live' | 'replayed' | 'failed';
    ms: number;
    usage?: Usage;
    model?: string;
    error?: string;
}
export interface RunObserver {
    stepStarted?(step: string, info: {
        kind: StepKind;
        items?: number;
        iteration?: number;
    }): void;
    callFinished?(report: CallReport): void;
    callRetrying?(info: {
        step: string;
        item?: number;
        attempt: number;
        delayMs: number;
        message: string;
    }): void;
    stepFinished?(step: string, status: StepStatus, error?: string): void;
    warning?(message: string): void;
    /** A line a running `run` step printed: stderr, and stdout with `log: true`. */
    stepOutput?(info: {
        step: string;
        item?: number;
        stream: 'stdout' | 'stderr';
        line: string;
    }): void;
    /** A workflow command (`::notice::…`) a script printed, for the runner; never in the step's outputs. */
    workflowCommand?(info: {
        step: string;
        item?: number;
        command: WorkflowCommand;
    }): void;
}
export interface RunOptions {
    workflow: WorkflowDef;
    /** Resolved and type-checked inputs. */
    inputs: Record<string, unknown>;
    runId: string;
    attempt: number;
    journal: JournalSink;
    /** Completed calls of earlier attempts. Journaled results by key: the first, or every line for the key in order (the first valid one replays). */
    replay: ReadonlyMap<CallKey, CallEvent | readonly CallEvent[]>;
    /**
     * What the journal's last attempt recorded: its inputs and outputs are not written again when this
     * attempt's are the same (a resume of a finished run appends a few lines, not a copy of both).
     */
    previous?: {
        inputs?: Record<string, unknown>;
        outputs?: Record<string, unknown>;
    };
    /** What earlier attempts of this run spent live (`spentInJournal`): it counts against the limits. */
    earlier?: AttemptSpend[];
    /** Limits given for this attempt (a flag, an action input), over the workflow's own. */
    limits?: Partial<Pick<Limits, 'maxCalls' | 'tokens' | 'usd'>>;
    /** Redacts secret values; applied to key material (the journal writer redacts what it writes). */
    redact: (text: string) => string;
    /** Secret-named env vars are left out of keys; their names are matched by this. */
    workspace: string;
    /** The inherited process environment. */
    env: Record<string, string | undefined>;
    github?: Record<string, unknown>;
    /** Stop after this step (a path, `caller/inner` inside a called workflow) succeeds or is skipped: status `paused`. */
    until?: string;
    /** Overrides `defaults.concurrency` for steps that set none. */
    concurrency?: number;
    signal?: AbortSignal;
    observer?: RunObserver;
    /** Adds a value to the redaction list (a script printed `::add-mask::value`). */
    addSecret?: (value: string) => void;
    executors?: Partial<Executors>;
    /**
     * Output of run steps, command agents and command tools: bytes of each stream kept (default 1 MiB), and
     * the directory where a longer stream is written whole, through `redactor` (no file without both).
     */
    runOutput?: {
        maxBytes?: number;
        dir?: string;
        redactor?: () => TextRedactor;
        /** Trims the end of a cut stream that begins a secret (`Secrets.cutEnd`). */
        cutEnd?: (text: string) => string;
    };
    retry?: {
        baseMs?: number;
        maxMs?: number;
        random?: () => number;
    };
    now?: () => Date;
    /** Answers to ask steps: journaled, given to this attempt, and whether the run may wait. */
    answers?: RunAnswers;
    /** Run one shard: only the items of sharded fan-outs this shard owns, and no step that reads them. */
    shard?: ShardId;
    /** A merge of this many shards' journals: sharded items that no shard journaled are reported by shard. */
    mergeOf?: number;
    /** Which journaled lines are earlier runs' (cross-run reuse: engine/reuse.ts `crossRunReuse`); absent: none. */
    reuse?: CrossRunReuse;
    /** Told of every call about to run live, before it starts (a throw stops it): see `replaysWhole`. */
    beforeLive?: (call: PlannedCall) => void;
}
export interface CallCounts {
    live: number;
    replayed: number;
    failed: number;
    skipped: number;
}
export interface StepSummary {
    id: string;
    kind: StepKind;
    name?: string;
    phase?: string;
    status: StepStatus | 'not-run';
    calls: CallCounts;
    usage: UsageTotals;
    saved: UsageTotals;
    ms: number;
    error?: string;
}
export interface RunResult {
    status: RunStatus;
    error?: string;
    outputs: Record<string, unknown>;
    /** Asks nobody has answered yet (status `waiting`). */
    questions: Question[];
    calls: CallCounts;
    usage: UsageTotals;
    saved: UsageTotals;
    /** Spent against the limits, all attempts of the run together. */
    budget: BudgetReport;
    steps: StepSummary[];
    /** Journaled calls of earlier attempts that no call of this run matched (edited or removed). */
    unmatchedJournalCalls: number;
    /** What cross-run reuse did: present when the journal holds earlier runs' calls (or this attempt starts reusing them). */
    reuse?: ReuseReport;
    /** Keys of the journaled calls this attempt replayed (for `runs show --calls`). */
    replayedKeys: string[];
    ms: number;
    /** What a shard did (status `sharded`). */
    shard?: ShardReport;
}
