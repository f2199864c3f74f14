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
}
/**
 * What a `run` call records in the journal; step outputs are derived from it. Workflow-command lines
 * (`::notice::…`, `::add-mask::…`) are messages to the runner, not output: they are left out.
 */
export interface ShellResult {
    stdout: string;
    stderr: string;
    exitCode: number;
}
export declare function runShell(request: ShellRequest): Promise<ShellResult>;
export declare function shellTemplate(shell: string): string[];
