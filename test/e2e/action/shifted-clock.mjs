// Preloaded (`node --import=<this file>?offset=<ms>`) into the action's processes by the tests that simulate
// weeks passing between scheduled runs: the process's wall clock (Date) runs `offset` ms ahead, as if the
// run started that much later. Nothing in reprise reads a test clock: the action's code runs unchanged, its
// journal timestamps and its reuse-max-age decisions simply see the later time. Monotonic time
// (performance.now, timers) is untouched.
const offset = Number(new URL(import.meta.url).searchParams.get('offset') ?? '0');
if (!Number.isFinite(offset)) throw new Error(`shifted-clock: offset must be a number of ms`);
const RealDate = Date;
const now = () => RealDate.now() + offset;
globalThis.Date = new Proxy(RealDate, {
  construct(target, args, newTarget) {
    return Reflect.construct(target, args.length === 0 ? [now()] : args, newTarget);
  },
  apply() {
    return new RealDate(now()).toString();
  },
  get(target, property, receiver) {
    return property === 'now' ? now : Reflect.get(target, property, receiver);
  },
});
