// runProcess never rejects: a program that cannot start (even one spawn() refuses synchronously, as it
// does for arguments past the system's limit) comes back as a result every caller already reads.
import { describe, expect, it } from 'vitest';
import { runProcess } from '../../src/agents/process.js';

describe('runProcess', () => {
  it('returns spawn()’s own E2BIG as spawnError instead of rejecting', async () => {
    const result = await runProcess({
      command: 'echo',
      // 4 MiB in one argument: past Linux's 128 KiB per-argument limit and ARG_MAX.
      args: ['x'.repeat(4 * 1024 * 1024)],
      cwd: process.cwd(),
      env: { PATH: process.env.PATH },
      signal: new AbortController().signal,
    });
    expect(result.exitCode).toBeNull();
    expect((result.spawnError as NodeJS.ErrnoException | undefined)?.code).toBe('E2BIG');
  });
});
