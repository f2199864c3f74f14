// What a CLI command writes to, passed in so tests can capture it.
export interface CliIO {
  out: NodeJS.WritableStream & { isTTY?: boolean };
  err: NodeJS.WritableStream;
  cwd: string;
  env: Record<string, string | undefined>;
}

export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

/** A mistake by the person at the keyboard: printed as `reprise: message`, exit code 2. */
export class UsageError extends Error {}
