/**
 * Calls `work(item)` for each of `items`, in order, with at most `limit` calls unsettled at any time.
 * Resolves when every call has settled; rejects with the first rejection (after which the workers take no
 * more items).
 */
export declare function eachAtMost<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void>;
