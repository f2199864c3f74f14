// Why a program could not be started, in words a workflow author can act on (not `spawn bash ENOENT`).
import { statSync } from 'node:fs';

/** The limit Linux puts on one environment string (MAX_ARG_STRLEN, 32 pages). */
const MAX_ARG_STRLEN = 131_072;

export function describeSpawnError(
  error: Error,
  spec: { command: string; cwd: string; env: Record<string, string | undefined> },
): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    let isDirectory = false;
    try {
      isDirectory = statSync(spec.cwd).isDirectory();
    } catch {
      // missing
    }
    if (!isDirectory) return `the working directory ${spec.cwd} does not exist (working-directory)`;
    return `${spec.command} is not installed (not found on PATH)`;
  }
  if (code === 'E2BIG') {
    const entries = Object.entries(spec.env).filter(
      (entry): entry is [string, string] => entry[1] !== undefined,
    );
    const bytes = entries.reduce((sum, [name, value]) => sum + name.length + value.length + 2, 0);
    const largest = entries
      .filter(([name, value]) => name.length + value.length + 1 > MAX_ARG_STRLEN / 4)
      .sort((a, b) => b[1].length - a[1].length)
      .slice(0, 3)
      .map(([name, value]) => `${name} (${Math.round(value.length / 1024)} KB)`);
    return (
      `the environment is too large to start ${spec.command} (E2BIG: ${Math.round(bytes / 1024)} KB in ` +
      `${entries.length} variables${largest.length > 0 ? `; largest: ${largest.join(', ')}` : ''}); ` +
      'pass large values in a file instead of env: (write it in an earlier step, read it in the script)'
    );
  }
  if (code === 'EACCES') return `${spec.command} is not executable (EACCES)`;
  return error.message;
}
