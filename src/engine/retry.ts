// Retries of recoverable failures: exponential backoff with full jitter, never shorter than retry-after.
import { CallError } from '../agents/types.js';

export interface RetryPolicy {
  retries: number;
  baseMs: number;
  maxMs: number;
  random: () => number;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
}

export function backoffMs(policy: RetryPolicy, attempt: number, retryAfterMs?: number): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** attempt);
  const jittered = Math.round(ceiling / 2 + (policy.random() * ceiling) / 2);
  return Math.max(jittered, retryAfterMs ?? 0);
}

export function isRecoverable(error: unknown): boolean {
  return error instanceof CallError && error.errorClass === 'recoverable';
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** The longest a retry-after may make a call wait when the call has no timeout of its own. */
export const MAX_RETRY_AFTER_MS = 10 * 60_000;

/**
 * Why a call is not retried although its failure is recoverable: the provider asked to wait longer than
 * the call may take (its timeout, else MAX_RETRY_AFTER_MS). Undefined when waiting is fine.
 */
export function retryAfterRefusal(
  retryAfterMs: number | undefined,
  timeoutMs: number | undefined,
): string | undefined {
  if (retryAfterMs === undefined) return undefined;
  const limit = Math.min(timeoutMs ?? MAX_RETRY_AFTER_MS, MAX_RETRY_AFTER_MS);
  if (retryAfterMs <= limit) return undefined;
  const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;
  const wait = Number.isFinite(retryAfterMs) ? seconds(retryAfterMs) : 'forever';
  return (
    `not retried: the provider asked to wait ${wait} first (retry-after), longer than ` +
    (timeoutMs !== undefined && timeoutMs <= MAX_RETRY_AFTER_MS
      ? `the call's timeout of ${seconds(timeoutMs)}`
      : `the ${seconds(MAX_RETRY_AFTER_MS)} reprise waits at most`) +
    '; run again later (--resume) or raise the step timeout'
  );
}
