import type { AgentResult } from '../agents/types.js';
import type { ShellResult } from '../agents/shell.js';
import type { AskResult } from './ask.js';
export declare function agentOutputs(result: AgentResult, hasSchema: boolean): Record<string, unknown>;
/** `answer`, and `answered-by` / `answered-at` when the answer came with them. */
export declare function askOutputs(result: AskResult): Record<string, unknown>;
export declare function shellOutputs(result: ShellResult): Record<string, unknown>;
/** A journaled result is untrusted input: replay it only if it has the shape the step needs. */
export declare function isAgentResult(value: unknown): value is AgentResult;
export declare function isShellResult(value: unknown): value is ShellResult;
