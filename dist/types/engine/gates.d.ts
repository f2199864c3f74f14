import type { ProviderDef } from '../workflow/types.js';
export interface GateClock {
    now(): number;
    sleep(ms: number, signal: AbortSignal): Promise<void>;
}
export declare class CallGates {
    private readonly clock;
    private readonly run?;
    private readonly providers;
    constructor(concurrency: number | undefined, clock: GateClock);
    /** Runs `fn` once the provider (if any) and the run have a slot for it. */
    pass<T>(provider: ProviderDef | undefined, signal: AbortSignal, fn: () => Promise<T>): Promise<T>;
    private provider;
}
