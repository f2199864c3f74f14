import { StoreError } from '../stores/errors.js';

/**
 * Where a CLI command writes text: standard output or error (src/cli/fd-stream.ts), or what a test captures.
 * `isTTY` and `columns` are those of a terminal, for the progress bar.
 */
export interface Output {
  write(text: string): boolean;
  on(event: 'error', listener: (error: NodeJS.ErrnoException) => void): unknown;
  off(event: 'error', listener: (error: NodeJS.ErrnoException) => void): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
  /** Resolves once what was written has left the process (standard output and error; see FdStream). */
  flushed?(): Promise<void>;
}

// What a CLI command writes to, passed in so tests can capture it.
export interface CliIO {
  out: Output;
  err: Output;
  cwd: string;
  env: Record<string, string | undefined>;
}

export const EXIT = { ok: 0, failed: 1, usage: 2, waiting: 3, paused: 4, interrupted: 130 } as const;

/** A mistake by the person at the keyboard: printed as `reprise: message`, exit code 2. */
export class UsageError extends Error {}

/** Store trouble a person caused (an unknown run id, a run in use) becomes a usage error. */
export async function asUsageError<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (caught) {
    if (caught instanceof StoreError) throw new UsageError(caught.message);
    throw caught;
  }
}
