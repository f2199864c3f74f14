import { CallError, type CallContext } from './types.js';
/** Used when neither the provider nor the engine sets a timeout. */
export declare const DEFAULT_TIMEOUT_MS: number;
/**
 * One signal for a call: aborted by the caller's signal or by the deadline. It covers the whole exchange,
 * a body that stalls half-way included (an SDK's own `timeout` stops at the response headers).
 */
export interface CallGuard {
    signal: AbortSignal;
    timeoutMs: number;
    timedOut(): boolean;
    aborted(): boolean;
    dispose(): void;
}
export declare function guardCall(context: CallContext, timeoutMs: number | undefined): CallGuard;
/**
 * POSTs one JSON request through Node's `fetch`, under `signal` (the call's deadline and cancellation, which
 * also cut a body that stalls half-way). Resolves with a 2xx response for the provider to read; an error
 * status is read and classified here (`httpError`), and a failure before any status (a refused connection,
 * an abort) rejects as `fetch` does, for `transportError`.
 */
export declare function postJson(url: string, headers: Record<string, string>, body: unknown, signal: AbortSignal, endpoint: Endpoint): Promise<Response>;
/**
 * A provider's request headers: reprise's own, then the provider's `headers:` over them. Header names are
 * case-insensitive, so the provider's replace ours whatever their case (its `Authorization` is the one sent).
 */
export declare function withProviderHeaders(own: Record<string, string>, provider: Record<string, string> | undefined): Record<string, string>;
/** Who was called, for messages: `provider "openai" (https://api.openai.com/v1)`. */
export interface Endpoint {
    provider: string;
    baseUrl: string;
    model: string;
    keyEnv: string;
    /** No key was found, and the call went out without one (a keyless custom endpoint). */
    keyMissing: boolean;
}
export declare function describeEndpoint(endpoint: Endpoint): string;
/** `retry-after-ms` (OpenAI) or `retry-after` in seconds or as an HTTP date. */
export declare function retryAfterMs(headers: Headers | undefined, now?: number): number | undefined;
export interface HttpFailure {
    status: number;
    headers?: Headers;
    /** The server's own explanation, when its body had one. */
    message: string;
    /** A machine-readable code from the body (`insufficient_quota`, `model_not_found`). */
    code?: string;
    cause: unknown;
}
/** Turns an HTTP error status into a classified error whose message says what to do. */
export declare function httpError(failure: HttpFailure, endpoint: Endpoint): CallError;
/** Errors raised before any status: cancellation, our deadline, or the connection itself. */
export declare function transportError(error: unknown, guard: CallGuard, endpoint: Endpoint): CallError;
/** A 2xx answer whose body is not what the API promises. */
export declare function malformedBodyError(body: string, problem: string, endpoint: Endpoint): CallError;
/** A message without its final full stop, so it can be followed by `: cause` or `. Next sentence`. */
export declare function withoutStop(message: string): string;
/**
 * Reads `{error: {message, code}}` (OpenAI and Anthropic both use this shape) from an error body, or a
 * `message` at its top level (vLLM and other compatible servers); `fallback` when it has neither.
 */
export declare function apiErrorDetail(body: unknown, fallback: string): {
    message: string;
    code?: string;
};
export declare function isRecord(value: unknown): value is Record<string, unknown>;
/** The first present env var among `names`. */
export declare function readKey(env: Record<string, string | undefined>, names: string[]): {
    value?: string;
    name: string;
};
