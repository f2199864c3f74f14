// One signal per live call: the run's cancellation and the call's own timeout (src/engine/deadline.ts), reused
// by the HTTP providers as their deadline (guardCall), and gates that let an unlimited call start at once.
import { getEventListeners } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { guardCall } from '../../src/agents/http.js';
import { CallDeadlines } from '../../src/engine/deadline.js';
import { CallGates } from '../../src/engine/gates.js';
import type { ProviderDef } from '../../src/workflow/types.js';
import { makeContext } from '../agents/helpers.js';

describe('call deadlines', () => {
  it('the run signal holds one listener however many calls are in flight, and cancelling it aborts each call', () => {
    const run = new AbortController();
    const deadlines = new CallDeadlines(run.signal);
    const calls = Array.from({ length: 16 }, () => deadlines.start(60_000));
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(1);
    calls[3]!.dispose();
    run.abort(new Error('cancelled'));
    for (const [index, call] of calls.entries()) {
      // A finished call is forgotten: its signal is not aborted after it settled.
      expect(call.signal.aborted).toBe(index !== 3);
      if (index !== 3) expect((call.signal.reason as Error).message).toBe('cancelled');
      expect(call.timedOut).toBe(false);
      call.dispose();
    }
  });

  it("a call's timeout aborts that call alone, and says so", () => {
    vi.useFakeTimers();
    try {
      const run = new AbortController();
      const deadlines = new CallDeadlines(run.signal);
      const short = deadlines.start(100);
      const long = deadlines.start(1000);
      vi.advanceTimersByTime(150);
      expect(short.signal.aborted).toBe(true);
      expect(short.timedOut).toBe(true);
      expect(short.hasTimedOut()).toBe(true);
      expect(long.hasTimedOut()).toBe(false);
      expect((short.signal.reason as DOMException).name).toBe('TimeoutError');
      expect(long.signal.aborted).toBe(false);
      short.dispose();
      long.dispose();
      vi.advanceTimersByTime(2000);
      expect(long.signal.aborted).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a call started after the run was cancelled is aborted from the start; no timeout is the run signal itself', () => {
    const run = new AbortController();
    const deadlines = new CallDeadlines(run.signal);
    expect(deadlines.start(undefined).signal).toBe(run.signal);
    run.abort(new Error('gone'));
    const late = deadlines.start(1000);
    expect(late.signal.aborted).toBe(true);
    expect((late.signal.reason as Error).message).toBe('gone');
    late.dispose();
  });
});

describe('the provider guard over an engine deadline', () => {
  it("reuses the call's signal when the engine's deadline ends the call first", () => {
    vi.useFakeTimers();
    try {
      const run = new AbortController();
      const call = new CallDeadlines(run.signal).start(500);
      const context = makeContext({ signal: call.signal, timeoutMs: 500, timedOut: () => call.timedOut });
      const guard = guardCall(context, undefined);
      expect(guard.signal).toBe(call.signal);
      expect(guard.timeoutMs).toBe(500);
      // A provider timeout longer than the call's does not shorten anything: the call's deadline ends it.
      const longer = guardCall(context, 5000);
      expect(longer.signal).toBe(call.signal);
      expect(longer.timeoutMs).toBe(5000);
      vi.advanceTimersByTime(600);
      expect(guard.timedOut()).toBe(true);
      expect(guard.aborted()).toBe(false);
      guard.dispose();
      longer.dispose();
      call.dispose();
    } finally {
      vi.useRealTimers();
    }
  });

  it('a cancelled run reads as aborted, not timed out', () => {
    const run = new AbortController();
    const call = new CallDeadlines(run.signal).start(500);
    const guard = guardCall(
      makeContext({ signal: call.signal, timeoutMs: 500, timedOut: () => call.timedOut }),
      undefined,
    );
    run.abort();
    expect(guard.aborted()).toBe(true);
    expect(guard.timedOut()).toBe(false);
    call.dispose();
  });

  it("keeps a deadline of its own when the provider's timeout is shorter, or the caller has none", () => {
    vi.useFakeTimers();
    try {
      const call = new CallDeadlines(new AbortController().signal).start(5000);
      const context = makeContext({ signal: call.signal, timeoutMs: 5000, timedOut: () => call.timedOut });
      const guard = guardCall(context, 100);
      expect(guard.signal).not.toBe(call.signal);
      vi.advanceTimersByTime(150);
      expect(guard.signal.aborted).toBe(true);
      expect(guard.timedOut()).toBe(true);
      expect(call.signal.aborted).toBe(false);
      guard.dispose();
      call.dispose();
      const plain = makeContext({ timeoutMs: 100 });
      const own = guardCall(plain, undefined);
      expect(own.signal).not.toBe(plain.signal);
      own.dispose();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('gates with nothing to limit', () => {
  const clock = { now: () => 0, sleep: () => Promise.resolve() };
  it('start the call before pass returns (no turn of the event loop on the way)', () => {
    const provider: ProviderDef = { name: 'p', type: 'openai' };
    let started = 0;
    const gates = new CallGates(undefined, clock);
    void gates.pass(provider, new AbortController().signal, async () => void started++);
    void gates.pass(undefined, new AbortController().signal, async () => void started++);
    expect(started).toBe(2);
  });

  it('still hold a call back when the run or its provider limits it', async () => {
    const limited: ProviderDef = { name: 'p', type: 'openai', maxConcurrency: 1 };
    let started = 0;
    let release!: () => void;
    const gates = new CallGates(undefined, clock);
    const first = gates.pass(limited, new AbortController().signal, () => {
      started++;
      return new Promise<void>((resolve) => (release = resolve));
    });
    const second = gates.pass(limited, new AbortController().signal, async () => void started++);
    await vi.waitFor(() => expect(started).toBe(1));
    release();
    await Promise.all([first, second]);
    expect(started).toBe(2);
  });
});
