// Preloaded (`node --import`) into the action's processes by the cache-outage scenario only, the
// child-process twin of test/emulator/timers.ts: the toolkit's Twirp clients retry a 500 five times,
// sleeping 3 s, ~4.5-6.8 s, ~6.8-10 s and ~10-15 s in between (~30 s per cache call). Every setTimeout
// delay in [3 s, 16 s) becomes 10 ms, except exactly 10 s (@actions/exec's wait for a child's stdio).
// The action's code and the toolkit's retry logic run unchanged; only the waiting is cut.
const original = globalThis.setTimeout;
globalThis.setTimeout = function shortened(handler, ms, ...args) {
  const retrySleep = typeof ms === 'number' && ms >= 3_000 && ms < 16_000 && ms !== 10_000;
  return original(handler, retrySleep ? 10 : ms, ...args);
};
