// The signal of each live call: the run's cancellation and the call's own timeout, in one AbortController per
// call. The run's signal gets one listener for all calls (not one per call in flight: adding and removing a
// listener on a signal that many calls share costs more than the rest of the call's bookkeeping), and the
// provider reuses the call's signal as its own deadline instead of making another (see `guardCall`).

/** One call's signal, whether its timeout (rather than the run) aborted it, and its release. */
export interface CallDeadline {
  readonly signal: AbortSignal;
  readonly timedOut: boolean;
  /** `timedOut` as a function, for a provider's `CallContext.timedOut`. */
  readonly hasTimedOut: () => boolean;
  /** Stops the timer and forgets the call; the call must not use `signal` after. */
  dispose(): void;
}

const NO_DEADLINE = { timedOut: false, hasTimedOut: () => false, dispose: () => undefined };

export class CallDeadlines {
  /** Controllers of the calls in flight that have a timeout, aborted together when the run is. */
  private readonly live = new Set<AbortController>();

  constructor(private readonly run: AbortSignal) {
    if (!run.aborted) run.addEventListener('abort', () => this.abortAll(), { once: true });
  }

  /** The signal of a call that starts now: the run's, aborted also `timeoutMs` from now when it has one. */
  start(timeoutMs: number | undefined): CallDeadline {
    const run = this.run;
    if (timeoutMs === undefined) return { signal: run, ...NO_DEADLINE };
    const controller = new AbortController();
    const live = this.live;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new DOMException(`timed out after ${timeoutMs} ms`, 'TimeoutError'));
    }, timeoutMs);
    if (run.aborted) controller.abort(run.reason);
    else live.add(controller);
    return {
      signal: controller.signal,
      get timedOut() {
        return timedOut;
      },
      hasTimedOut: () => timedOut,
      dispose() {
        clearTimeout(timer);
        live.delete(controller);
      },
    };
  }

  private abortAll(): void {
    for (const controller of this.live) controller.abort(this.run.reason);
    this.live.clear();
  }
}
