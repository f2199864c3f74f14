/** One call's signal, whether its timeout (rather than the run) aborted it, and its release. */
export interface CallDeadline {
    readonly signal: AbortSignal;
    readonly timedOut: boolean;
    /** `timedOut` as a function, for a provider's `CallContext.timedOut`. */
    readonly hasTimedOut: () => boolean;
    /** Stops the timer and forgets the call; the call must not use `signal` after. */
    dispose(): void;
}
export declare class CallDeadlines {
    private readonly run;
    /** Controllers of the calls in flight that have a timeout, aborted together when the run is. */
    private readonly live;
    constructor(run: AbortSignal);
    /** The signal of a call that starts now: the run's, aborted also `timeoutMs` from now when it has one. */
    start(timeoutMs: number | undefined): CallDeadline;
    private abortAll;
}
