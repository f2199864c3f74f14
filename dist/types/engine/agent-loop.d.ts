import type { OutputLimit } from '../agents/process.js';
import { type ToolBox } from '../agents/tools/index.js';
import { type CallContext, type ChatMessage, type TurnRequest, type TurnResult } from '../agents/types.js';
import type { CallKey, KeyMaterial } from './keys.js';
import { type PerformedCall, type PlannedCall } from './plan.js';
export interface LoopHost {
    /** Replays the call's journaled result, or runs it live and journals it. */
    perform(call: PlannedCall): Promise<PerformedCall>;
    /** Key material to a key of this run (redaction, occurrence numbers). */
    key(material: KeyMaterial): CallKey;
    turn(request: TurnRequest, context: CallContext): Promise<TurnResult>;
    /** The context of a live model turn. */
    callContext(call: PlannedCall, signal: AbortSignal): CallContext;
    toolbox: ToolBox;
    /** Conversations by thread name: the messages at the end of the last step on each. */
    threads: Map<string, ChatMessage[]>;
    /** Thread names are per workflow file: a called workflow's `review` thread is not its caller's. */
    threadPrefix: string;
    env: Record<string, string | undefined>;
    workspace: string;
    redact: (text: string) => string;
    /** A tool call's output cap and spill files, by its key. */
    output(key: CallKey): OutputLimit;
}
/** Runs the loop of one agent step (or for-each item) to its final answer; resolves with the step outputs. */
export declare function runAgentLoop(call: PlannedCall, host: LoopHost): Promise<Record<string, unknown>>;
