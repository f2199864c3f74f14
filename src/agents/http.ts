// What the HTTP providers (openai, anthropic) share: one deadline and cancellation for the whole call
// (headers and body), and the classification of HTTP failures into errors a person can act on.
import { abortedCallError, CallError, type CallContext } from './types.js';
import { excerpt } from './structured.js';

/** Used when neither the provider nor the engine sets a timeout. */
export const DEFAULT_TIMEOUT_MS = 10 * 60_000;

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

export function guardCall(context: CallContext, timeoutMs: number | undefined): CallGuard {
  const ms = timeoutMs ?? context.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const { timedOut: callTimedOut, signal: callSignal } = context;
  if (callTimedOut && context.timeoutMs !== undefined && ms >= context.timeoutMs) {
    // The caller's signal already ends the call at its deadline, no later than this one would.
    return {
      signal: callSignal,
      timeoutMs: ms,
      timedOut: callTimedOut,
      aborted: () => callSignal.aborted && !callTimedOut(),
      dispose: () => undefined,
    };
  }
  const controller = new AbortController();
  let timedOut = false;
  const onAbort = () => controller.abort(context.signal.reason);
  if (context.signal.aborted) controller.abort(context.signal.reason);
  else context.signal.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error(`timed out after ${ms} ms`));
  }, ms);
  return {
    signal: controller.signal,
    timeoutMs: ms,
    timedOut: () => timedOut && !context.signal.aborted,
    aborted: () => context.signal.aborted,
    dispose: () => {
      clearTimeout(timer);
      context.signal.removeEventListener('abort', onAbort);
    },
  };
}

/**
 * POSTs one JSON request through Node's `fetch`, under `signal` (the call's deadline and cancellation, which
 * also cut a body that stalls half-way). Resolves with a 2xx response for the provider to read; an error
 * status is read and classified here (`httpError`), and a failure before any status (a refused connection,
 * an abort) rejects as `fetch` does, for `transportError`.
 */
export async function postJson(
  url: string,
  headers: Record<string, string>,
  body: unknown,
  signal: AbortSignal,
  endpoint: Endpoint,
): Promise<Response> {
  const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body), signal });
  if (response.ok) return response;
  throw await statusError(response, endpoint);
}

/** An error status, with the server's own explanation from its body when it gave one. */
async function statusError(response: Response, endpoint: Endpoint): Promise<CallError> {
  let text = '';
  try {
    text = await response.text();
  } catch {
    // The status says enough; the body was cut (or the call aborted while it was read).
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const shown = text.trim() === '' ? undefined : excerpt(text);
  // A JSON body speaks for itself (`apiErrorDetail`); any other is shown in excerpt (a proxy's HTML page).
  const detail = apiErrorDetail(parsed, isRecord(parsed) ? '' : (shown ?? ''));
  const cause = new Error(`HTTP ${response.status}${shown === undefined ? '' : `: ${shown}`}`);
  return httpError({ status: response.status, headers: response.headers, ...detail, cause }, endpoint);
}

/**
 * A provider's request headers: reprise's own, then the provider's `headers:` over them. Header names are
 * case-insensitive, so the provider's replace ours whatever their case (its `Authorization` is the one sent).
 */
export function withProviderHeaders(
  own: Record<string, string>,
  provider: Record<string, string> | undefined,
): Record<string, string> {
  if (provider === undefined) return own;
  const headers = { ...own };
  for (const [name, value] of Object.entries(provider)) headers[name.toLowerCase()] = value;
  return headers;
}

/** Who was called, for messages: `provider "openai" (https://api.openai.com/v1)`. */
export interface Endpoint {
  provider: string;
  baseUrl: string;
  model: string;
  keyEnv: string;
  /** No key was found, and the call went out without one (a keyless custom endpoint). */
  keyMissing: boolean;
}

export function describeEndpoint(endpoint: Endpoint): string {
  return `provider "${endpoint.provider}" (${endpoint.baseUrl})`;
}

/** `retry-after-ms` (OpenAI) or `retry-after` in seconds or as an HTTP date. */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = Number.parseFloat(headers.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return Math.ceil(ms);
  const value = headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

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
export function httpError(failure: HttpFailure, endpoint: Endpoint): CallError {
  const { status, cause } = failure;
  const where = describeEndpoint(endpoint);
  // The server's sentence loses its closing stop: ours follow it (`…provided. Check` not `…provided.. Check`).
  const said = failure.message ? `: ${withoutStop(failure.message)}` : '';
  const options = { status, cause };
  if (status === 401) {
    return new CallError(
      endpoint.keyMissing
        ? `${where} requires an API key (401)${said}. ${endpoint.keyEnv} is not set: export it, or set api-key-env on provider "${endpoint.provider}"`
        : `${where} rejected the API key from ${endpoint.keyEnv} (401)${said}. Check the value of that secret`,
      'fatal',
      options,
    );
  }
  if (status === 403) {
    return new CallError(
      `${where} refused the request with the key from ${endpoint.keyEnv} (403)${said}. Check that the key may use model "${endpoint.model}"`,
      'fatal',
      options,
    );
  }
  if (status === 404) {
    return new CallError(
      `${where} does not know model "${endpoint.model}" (404)${said}. Check the model name, and that the base URL is right`,
      'fatal',
      options,
    );
  }
  if (status === 429) {
    if (failure.code === 'insufficient_quota') {
      return new CallError(
        `${where} says the account behind ${endpoint.keyEnv} is out of quota (429)${said}`,
        'fatal',
        options,
      );
    }
    return new CallError(`${where} is rate limiting (429)${said}`, 'recoverable', {
      ...options,
      retryAfterMs: retryAfterMs(failure.headers),
    });
  }
  if (status === 408 || status === 409 || status >= 500) {
    const what = status === 529 ? 'is overloaded' : `failed (${status})`;
    return new CallError(`${where} ${what}${said}`, 'recoverable', {
      ...options,
      retryAfterMs: retryAfterMs(failure.headers),
    });
  }
  return new CallError(
    `${where} rejected the request for model "${endpoint.model}" (${status})${said}`,
    'fatal',
    options,
  );
}

/** Errors raised before any status: cancellation, our deadline, or the connection itself. */
export function transportError(error: unknown, guard: CallGuard, endpoint: Endpoint): CallError {
  const where = describeEndpoint(endpoint);
  if (guard.aborted()) return abortedCallError(`the call to ${where}`, error);
  if (guard.timedOut()) {
    return new CallError(`${where} did not answer within ${guard.timeoutMs} ms`, 'recoverable', {
      cause: error,
    });
  }
  const detail = causeChain(error);
  return new CallError(`could not reach ${where}: ${detail}`, 'recoverable', { cause: error });
}

/** A 2xx answer whose body is not what the API promises. */
export function malformedBodyError(body: string, problem: string, endpoint: Endpoint): CallError {
  return new CallError(
    `${describeEndpoint(endpoint)} returned a malformed response (${problem}): ${excerpt(body)}`,
    'recoverable',
  );
}

/** A message without its final full stop, so it can be followed by `: cause` or `. Next sentence`. */
export function withoutStop(message: string): string {
  return message.trim().replace(/\.+$/, '');
}

function causeChain(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 4; depth++) {
    const code = (current as NodeJS.ErrnoException).code;
    const message = withoutStop(current.message);
    parts.push(code ? `${message} (${code})` : message);
    current = current.cause;
  }
  return parts.join(': ') || String(error);
}

/**
 * Reads `{error: {message, code}}` (OpenAI and Anthropic both use this shape) from an error body, or a
 * `message` at its top level (vLLM and other compatible servers); `fallback` when it has neither.
 */
export function apiErrorDetail(body: unknown, fallback: string): { message: string; code?: string } {
  const error = isRecord(body) && isRecord(body['error']) ? body['error'] : isRecord(body) ? body : undefined;
  const message = typeof error?.['message'] === 'string' ? error['message'] : fallback;
  const code =
    typeof error?.['code'] === 'string'
      ? error['code']
      : typeof error?.['type'] === 'string'
        ? error['type']
        : undefined;
  return { message, code };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The first present env var among `names`. */
export function readKey(
  env: Record<string, string | undefined>,
  names: string[],
): { value?: string; name: string } {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value !== '') return { value, name };
  }
  return { name: names[0] ?? '' };
}
