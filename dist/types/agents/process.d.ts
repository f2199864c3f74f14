export interface ProcessSpec {
    command: string;
    args: string[];
    cwd: string;
    env: Record<string, string | undefined>;
    /** Written to stdin, which is then closed. */
    input?: string;
    signal: AbortSignal;
    timeoutMs?: number;
    /** Sees the output as it arrives (live logs); the result still carries all of it. */
    onData?: (stream: 'stdout' | 'stderr', chunk: string) => void;
}
export interface ProcessResult {
    stdout: string;
    stderr: string;
    exitCode: number | null;
    /** Set when the process was killed by a signal. */
    signal: NodeJS.Signals | null;
    /** Why reprise ended the process early, if it did. */
    ended?: 'timeout' | 'aborted';
    /** The program could not be started (not found, not executable). */
    spawnError?: Error;
}
/** Runs a program to completion. Never rejects: start failures, timeouts and aborts are in the result. */
export declare function runProcess(spec: ProcessSpec): Promise<ProcessResult>;
