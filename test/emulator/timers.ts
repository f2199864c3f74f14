// The toolkit's Twirp clients sleep 3 s, then ~4.5-6.8 s, ~6.8-10 s and ~10-15 s between five
// attempts on a 5xx; the artifact download sleeps 5 s between tries. Outage tests shrink those
// sleeps instead of waiting half a minute.

/**
 * Until the returned function is called, every setTimeout delay in [3 s, 16 s) becomes 10 ms,
 * except exactly 10 s: @actions/exec waits that long for a child's stdio to close after it
 * exits, and shrinking it could cut a child's output short.
 */
export function shortenRetrySleeps(): () => void {
  const original = globalThis.setTimeout;
  const shortened = ((handler: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const retrySleep = ms !== undefined && ms >= 3_000 && ms < 16_000 && ms !== 10_000;
    return original(handler, retrySleep ? 10 : ms, ...args);
  }) as typeof setTimeout;
  globalThis.setTimeout = shortened;
  return () => {
    globalThis.setTimeout = original;
  };
}
