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
    /** Keep at most this many bytes of each stream in memory; the rest goes to `spill` or is dropped. */
    maxBytes?: number;
    /** Files that receive each stream's output beyond `maxBytes` (created only if needed). */
    spill?: {
        stdout: string;
        stderr: string;
    };
    /** A temporary file or directory of the call, removed by the supervisor if reprise dies first. */
    cleanup?: string;
}
/** A stream that printed more than `maxBytes`: how much it printed, and the file with the rest, if any. */
export interface OutputCut {
    keptBytes: number;
    totalBytes: number;
    file?: string;
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
    /** Streams that were cut at `maxBytes`. */
    cut?: {
        stdout?: OutputCut;
        stderr?: OutputCut;
    };
}
/** Runs a program to completion. Never rejects: start failures, timeouts and aborts are in the result. */
export declare function runProcess(spec: ProcessSpec): Promise<ProcessResult>;
