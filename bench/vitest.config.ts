import { defineConfig } from 'vitest/config';

// `npm run bench`: timing benchmarks, never part of `npm test`. Results and how to read them: bench/README.md.
export default defineConfig({
  test: {
    benchmark: { include: ['bench/**/*.bench.ts'] },
  },
});
