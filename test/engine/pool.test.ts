// A fan-out's live items, at most `limit` at a time (src/engine/pool.ts).
import { describe, expect, it } from 'vitest';
import { eachAtMost } from '../../src/engine/pool.js';

/** Items that settle when the test says, recording when each started and how many ran at once. */
function gatedWork() {
  const started: number[] = [];
  const release = new Map<number, () => void>();
  let running = 0;
  let most = 0;
  const work = (index: number) =>
    new Promise<void>((resolve) => {
      started.push(index);
      most = Math.max(most, ++running);
      release.set(index, () => {
        running--;
        resolve();
      });
    });
  return { started, release, work, most: () => most };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('eachAtMost', () => {
  it('starts items in order, never more than the limit at once', async () => {
    const items = [0, 2, 3, 5, 6];
    const gated = gatedWork();
    const done = eachAtMost(items, 2, gated.work);
    await tick();
    expect(gated.started).toEqual([0, 2]);
    gated.release.get(2)!();
    await tick();
    expect(gated.started).toEqual([0, 2, 3]);
    gated.release.get(0)!();
    gated.release.get(3)!();
    await tick();
    expect(gated.started).toEqual([0, 2, 3, 5, 6]);
    gated.release.get(5)!();
    gated.release.get(6)!();
    await done;
    expect(gated.most()).toBe(2);
  });

  it('runs everything at once under a limit larger than the items, and resolves at once with nothing to do', async () => {
    const gated = gatedWork();
    const done = eachAtMost([0, 1, 2], 16, gated.work);
    await tick();
    expect(gated.started).toEqual([0, 1, 2]);
    for (const release of gated.release.values()) release();
    await done;
    await eachAtMost([], 4, () => Promise.reject(new Error('not called')));
  });

  it('rejects with the first failure and starts no more items after it', async () => {
    const started: number[] = [];
    const failing = eachAtMost([0, 1, 2, 3], 1, async (index) => {
      started.push(index);
      if (index === 1) throw new Error('item 1 broke');
    });
    await expect(failing).rejects.toThrow('item 1 broke');
    expect(started).toEqual([0, 1]);
  });

  it('refuses a limit that is not a whole number from 1 up', async () => {
    await expect(eachAtMost(['a'], 0, async () => undefined)).rejects.toThrow(/from 1 up, got 0/);
    await expect(eachAtMost(['a'], 1.5, async () => undefined)).rejects.toThrow(/got 1.5/);
  });
});
