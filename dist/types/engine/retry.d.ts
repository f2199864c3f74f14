export interface RetryPolicy {
    retries: number;
    baseMs: number;
    maxMs: number;
    random: () => number;
    sleep: (ms: number, signal: AbortSignal) => Promise<void>;
}
export declare function backoffMs(policy: RetryPolicy, attempt: number, retryAfterMs?: number): number;
export declare function isRecoverable(error: unknown): boolean;
export declare function sleep(ms: number, signal: AbortSignal): Promise<void>;
/** The longest a retry-after may make a call wait when the call has no timeout of its own. */
export declare const MAX_RETRY_AFTER_MS: number;
/**
 * Why a call is not retried although its failure is recoverable: the provider asked to wait longer than
 * the call may take (its timeout, else MAX_RETRY_AFTER_MS). Undefined when waiting is fine.
 */
export declare function retryAfterRefusal(retryAfterMs: number | undefined, timeoutMs: number | undefined): string | undefined;
