import { type AgentRequest } from '../agents/types.js';
/** The request as sent to target `index` (0: the primary). */
export declare function requestForTarget(request: AgentRequest, index: number): AgentRequest;
export declare function targetName(request: AgentRequest, index: number): string;
/**
 * The next target after a failure of target `index`, or undefined to retry or fail as usual. An unknown model
 * (404) or an overloaded one falls back at once; another recoverable failure only once its retries are spent.
 */
export declare function nextTarget(request: AgentRequest | undefined, index: number, caught: unknown, retriesLeft: boolean): number | undefined;
