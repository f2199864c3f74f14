import { DEFAULT_MAX_OUTPUT_BYTES, type OutputCut, type OutputLimit } from './process.js';
export interface ShellRequest {
    script: string;
    /** bash (default), sh, python, node, or a custom command line with `{0}` for the script file. */
    shell?: string;
    cwd: string;
    env: Record<string, string | undefined>;
    signal: AbortSignal;
    timeoutMs?: number;
    /** A non-zero exit is worth retrying (the step asked for retries). */
    retryOnFailure?: boolean;
    /** Each line of output as it is printed, workflow commands included (for live logs). */
    onLine?: (stream: 'stdout' | 'stderr', line: string) => void;
    /** Bytes of each stream kept in the result (and the journal; default 1 MiB) and where a longer one goes. */
    output?: OutputLimit;
}
export { DEFAULT_MAX_OUTPUT_BYTES };
/**
 * What a `run` call records in the journal; step outputs are derived from it. Workflow-command lines
 * (`::notice::…`, `::add-mask::…`) are messages to the runner, not output: they are left out.
 */
export interface ShellResult {
    stdout: string;
    stderr: string;
    exitCode: number;
    /** Streams that printed more than the cap: only their first bytes are in `stdout` / `stderr`. */
    cut?: {
        stdout?: OutputCut;
        stderr?: OutputCut;
    };
}
export declare function runShell(request: ShellRequest): Promise<ShellResult>;
/** Says what a cut stream lost and where the whole of it is, for a warning. */
export declare function describeCut(cut: NonNullable<ShellResult['cut']>): string;
export declare function shellTemplate(shell: string): string[];
