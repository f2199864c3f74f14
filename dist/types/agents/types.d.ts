import type { PriceDef, ProviderDef } from '../workflow/types.js';
import type { OutputLimit } from './process.js';
/** Normalized usage of one call. `costUsd` is null when the price is unknown (never shown as 0). */
export interface Usage {
    inputTokens: number;
    outputTokens: number;
    cachedInputTokens: number;
    costUsd: number | null;
    /** The provider reported no usage: the tokens (and a cost from them) are reprise's estimate. */
    estimated?: boolean;
}
/** A fully resolved agent request: everything in it goes into the call key. */
export interface AgentRequest {
    provider: ProviderDef;
    model: string;
    prompt: string;
    system?: string;
    schema?: Record<string, unknown>;
    temperature?: number;
    maxTokens?: number;
    /** `model: [primary, fallback, ...]`: the targets tried, in order, when the primary is missing or failing. */
    fallbacks?: Array<{
        provider: ProviderDef;
        model: string;
    }>;
}
export interface AgentResult {
    text: string;
    /** The parsed, schema-validated value when the request had a schema. */
    json?: unknown;
    usage: Usage;
    /** The model the provider says answered. */
    model: string;
}
export interface CallContext {
    signal: AbortSignal;
    /** Environment to read API keys and base URLs from (the process environment, plus the step's env). */
    env: Record<string, string | undefined>;
    /** Workspace directory: the cwd for command agents unless the provider says otherwise. */
    cwd: string;
    /** Per-call timeout; the provider aborts the request (and kills processes) when it passes. */
    timeoutMs?: number;
    /**
     * Set when `signal` itself aborts once `timeoutMs` has passed (the engine's deadline for the call): whether
     * it has. A provider then keeps no timer and no signal of its own for that deadline.
     */
    timedOut?: () => boolean;
    /** Pricing overrides from the workflow's `pricing:` map, by model name. */
    pricing?: Record<string, PriceDef>;
    log?: (message: string) => void;
    /** A command agent's output cap and spill files (default: 1 MiB per stream, the rest dropped). */
    output?: OutputLimit;
}
export interface AgentProvider {
    call(request: AgentRequest, context: CallContext): Promise<AgentResult>;
    /** One turn of a conversation that may use tools; providers without tool support leave it out. */
    turn?(request: TurnRequest, context: CallContext): Promise<TurnResult>;
}
/** A tool as the model is told about it. `name` matches `^[a-zA-Z0-9_-]{1,64}$` (both APIs require it). */
export interface ToolSpec {
    name: string;
    description: string;
    /** JSON Schema of the arguments (an object schema). */
    parameters: Record<string, unknown>;
}
/** A tool call the model asked for. `arguments` is the JSON text the model wrote, kept as written. */
export interface ToolCall {
    id: string;
    name: string;
    arguments: string;
}
/** What a tool call gave back to the model. */
export interface ToolOutcome {
    content: string;
    isError: boolean;
}
/** A conversation, provider-neutral; each provider maps it onto its own message format. */
export type ChatMessage = {
    role: 'user';
    content: string;
} | {
    role: 'assistant';
    content: string;
    toolCalls?: ToolCall[];
} | {
    role: 'tool';
    results: Array<ToolOutcome & {
        id: string;
        name: string;
    }>;
};
/** One model turn: the request of a tool-using or threaded step, with the whole history so far. */
export interface TurnRequest extends Omit<AgentRequest, 'prompt'> {
    messages: ChatMessage[];
    tools: ToolSpec[];
}
/** A turn's answer: text, and the tool calls to make before the next turn (none: the final answer). */
export interface TurnResult {
    text: string;
    toolCalls: ToolCall[];
    usage: Usage;
    model: string;
}
export type ErrorClass = 'recoverable' | 'fatal';
/**
 * A failed call, classified. Recoverable errors (rate limit, 5xx, network, timeout) are retried by the
 * engine with backoff; fatal ones (bad request, auth, unknown model, schema) fail the step at once.
 */
export declare class CallError extends Error {
    readonly errorClass: ErrorClass;
    /** From a `retry-after` header: the engine waits at least this long before the next attempt. */
    readonly retryAfterMs?: number;
    readonly status?: number;
    /** The call was cancelled through `CallContext.signal`: not a failure of the call, never retried. */
    readonly aborted: boolean;
    /** What the call spent before it failed (e.g. two non-conforming structured answers), for the budget. */
    readonly usage?: Usage;
    constructor(message: string, errorClass: ErrorClass, options?: {
        retryAfterMs?: number;
        status?: number;
        cause?: unknown;
        aborted?: boolean;
        usage?: Usage;
    });
}
/** The error every provider throws when `CallContext.signal` aborts a call. */
export declare function abortedCallError(what: string, cause?: unknown): CallError;
