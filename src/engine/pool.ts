// The live items of a fan-out, at most `limit` at a time. p-limit queues a promise, a microtask and a
// closure per item before it starts; a fan-out knows all its items at once, so `limit` workers each take
// the next item when their last one settles: the same order of starts and the same bound, one await per item.

/**
 * Calls `work(item)` for each of `items`, in order, with at most `limit` calls unsettled at any time.
 * Resolves when every call has settled; rejects with the first rejection (after which the workers take no
 * more items).
 */
export async function eachAtMost<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  if (!(Number.isInteger(limit) || limit === Infinity) || limit < 1) {
    throw new TypeError(`a fan-out's concurrency must be a whole number from 1 up, got ${limit}`);
  }
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      try {
        await work(items[next++]!);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
