import { type AgentRequest, type AgentResult, type CallContext, type TurnRequest, type TurnResult } from './types.js';
/**
 * Makes one agent call. Resolves with the (schema-validated) answer and its exact usage; rejects only with
 * a CallError: `errorClass` says whether the engine may retry, `aborted` that `context.signal` cancelled it.
 */
export declare function callAgent(request: AgentRequest, context: CallContext): Promise<AgentResult>;
/** One turn of a tool-using or threaded step. Rejects only with a CallError, as `callAgent` does. */
export declare function callTurn(request: TurnRequest, context: CallContext): Promise<TurnResult>;
export { resolveAgentTarget, resolveAgentTargets, BUILTIN_PROVIDERS, type AgentTargetArgs, type AgentTarget, } from './routing.js';
export { priceFor, costUsd, modelFamily, addUsage, type TokenCounts } from './pricing.js';
export * from './types.js';
