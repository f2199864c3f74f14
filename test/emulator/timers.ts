// The toolkit's Twirp clients sleep 3 s, ~5 s, ~8 s and ~11 s between five attempts on a 5xx.
// Tests of outage handling shrink those sleeps instead of waiting half a minute.

/**
 * Caps every setTimeout delay of `minMs` or more at `toMs` until the returned function is
 * called. Only for code paths without download/upload timeouts, which would shrink too.
 */
export function shortenLongTimers(minMs = 1_000, toMs = 10): () => void {
  const original = globalThis.setTimeout;
  const shortened = ((handler: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) =>
    original(handler, ms !== undefined && ms >= minMs ? toMs : ms, ...args)) as typeof setTimeout;
  globalThis.setTimeout = shortened;
  return () => {
    globalThis.setTimeout = original;
  };
}
