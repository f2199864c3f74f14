import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// The CLI keeps checked workflow definitions in the user's cache directory; each test run keeps its own
// (run from src/, the code that checked an entry is not part of its name).
const env = { REPRISE_CACHE_DIR: join(tmpdir(), `reprise-test-cache-${process.pid}`) };

// Two projects: fast unit/integration tests, and slow end-to-end tests that spawn the CLI,
// the bundled action, Azurite and fake provider servers. CI runs both.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/e2e/**', 'node_modules/**'],
          setupFiles: ['test/setup/json-schema.ts'],
          testTimeout: 30_000,
          env,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 120_000,
          env,
          fileParallelism: false,
        },
      },
    ],
  },
});
