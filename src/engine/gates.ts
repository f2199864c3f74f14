// Live calls wait here for a slot: a run-wide `limits.concurrency`, and per provider `max-concurrency` and
// `requests-per-minute`. These hold however `parallel` groups and `for-each` steps nest, because every live
// call of the run passes through the same gates (a for-each's own `concurrency` only bounds that step).
import pLimit, { type LimitFunction } from 'p-limit';
import type { ProviderDef } from '../workflow/types.js';

export interface GateClock {
  now(): number;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

const MINUTE_MS = 60_000;

class Provider {
  readonly slots?: LimitFunction;
  private readonly starts: number[] = [];
  /** Calls wait for a request slot one after another, so the window is never overbooked. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly def: ProviderDef,
    private readonly clock: GateClock,
  ) {
    if (def.maxConcurrency !== undefined) this.slots = pLimit(def.maxConcurrency);
  }

  /** Waits until one more call may start within the rolling minute, then books it. */
  admit(signal: AbortSignal): Promise<void> {
    const rpm = this.def.requestsPerMinute;
    if (rpm === undefined) return Promise.resolve();
    const turn = this.queue.then(async () => {
      for (;;) {
        const now = this.clock.now();
        while (this.starts.length > 0 && this.starts[0]! <= now - MINUTE_MS) this.starts.shift();
        if (this.starts.length < rpm) {
          this.starts.push(now);
          return;
        }
        await this.clock.sleep(this.starts[0]! + MINUTE_MS - now, signal);
      }
    });
    this.queue = turn.catch(() => undefined);
    return turn;
  }
}

export class CallGates {
  private readonly run?: LimitFunction;
  private readonly providers = new Map<string, Provider>();

  constructor(
    concurrency: number | undefined,
    private readonly clock: GateClock,
  ) {
    if (concurrency !== undefined) this.run = pLimit(concurrency);
  }

  /** Runs `fn` once the provider (if any) and the run have a slot for it. */
  pass<T>(provider: ProviderDef | undefined, signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
    const gate = provider ? this.provider(provider) : undefined;
    // Nothing limits the call: it starts at once, without a turn of the event loop on the way.
    if (this.run === undefined && gate?.slots === undefined && gate?.def.requestsPerMinute === undefined)
      return fn();
    const inRun = () => (this.run ? this.run(fn) : fn());
    const admitted = async () => {
      await gate?.admit(signal);
      return inRun();
    };
    return gate?.slots ? gate.slots(admitted) : admitted();
  }

  private provider(def: ProviderDef): Provider {
    let gate = this.providers.get(def.name);
    if (!gate) {
      gate = new Provider(def, this.clock);
      this.providers.set(def.name, gate);
    }
    return gate;
  }
}
