import type { AgentResult, ToolOutcome, TurnResult } from '../agents/types.js';
import type { ShellResult } from '../agents/shell.js';
import type { AskResult } from './ask.js';
import type { CallKind } from '../journal/types.js';
export declare function agentOutputs(result: AgentResult, hasSchema: boolean): Record<string, unknown>;
/** `answer`, and `answered-by` / `answered-at` when the answer came with them. */
export declare function askOutputs(result: AskResult): Record<string, unknown>;
export declare function shellOutputs(result: ShellResult): Record<string, unknown>;
/** A journaled result is untrusted input: replay it only if it has the shape the step needs. */
export declare function isAgentResult(value: unknown): value is AgentResult;
export declare function isShellResult(value: unknown): value is ShellResult;
/** What a turn of a tool loop journals as its result (its usage and model are on the call line). */
export type TurnAnswer = Pick<TurnResult, 'text' | 'toolCalls'>;
/** A journaled result is untrusted input: a turn replays only with the shape a live one has. */
export declare function isTurnAnswer(value: unknown): value is TurnAnswer;
export declare function isToolOutcome(value: unknown): value is ToolOutcome;
/**
 * Whether a journaled line could replay for some call of its kind: the part of the replay check that needs
 * no plan (compaction keeps, per key, the first line that passes it, as replay would pick it).
 */
export declare function replayableShape(kind: CallKind, result: unknown): boolean;
