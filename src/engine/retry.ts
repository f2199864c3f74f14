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
