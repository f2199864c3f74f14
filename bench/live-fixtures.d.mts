// Types of bench/live-fixtures.mjs, for bench/cold.bench.ts.
export declare const API_KEY: string;
export declare function startFakeProcess(): Promise<{ url: string; stop(): void }>;
export declare function writeLiveFixtures(
  dir: string,
  options: { url: string; counts: number[]; concurrency: number; maxCalls: number },
): void;
