// V8 doubles the young generation of its heap (up to 16 MB a half, twice that in all) each time many of
// its objects survive a scavenge. Reading a journal and replaying it does little else: every line read is
// kept, and so is every result replayed, for the steps after it. There the larger young generation buys
// nothing (those objects move to the old generation all the same) and costs the memory it touches for the
// first time, which the kernel maps page by page: on the 2-core VM of bench/README.md, about 80 ms of a
// 10,000-call resume (31 MB of pages). Elsewhere the growth pays: loading a large chunk (the Actions toolkit
// took 50 to 100 ms longer without it), so the young generation is held only from the start of `reprise
// run` until a call runs live.
import { setFlagsFromString } from 'node:v8';

const FLAG = 'semi-space-growth-factor';
let held = false;

/**
 * Keeps the young generation at its size until releaseYoungGeneration. Nothing is done when the process was
 * started with the flag (`NODE_OPTIONS`, a command line): that choice stands.
 */
export function holdYoungGeneration(): void {
  if (held || [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((arg) => arg.includes(FLAG))) return;
  // Read by V8 whenever the young generation would grow, so it takes effect after start-up. An engine that
  // ignores it (or clamps it to its default, 2) only behaves as without it.
  setFlagsFromString(`--${FLAG}=1`);
  held = true;
}

/** The young generation grows again as V8 sees fit (its default factor, 2). */
export function releaseYoungGeneration(): void {
  if (!held) return;
  held = false;
  setFlagsFromString(`--${FLAG}=2`);
}
