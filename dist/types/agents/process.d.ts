import type { TextRedactor } from '../journal/secrets.js';
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
    /** Keep at most this many bytes of each stream in memory (default `DEFAULT_MAX_OUTPUT_BYTES`). */
    maxBytes?: number;
    /** Where a longer stream is written whole, redacted; without it, what is beyond `maxBytes` is dropped. */
    spill?: OutputSpill;
    /** Trims the end of a cut stream's kept text that begins a secret (`Secrets.cutEnd`). */
    cutEnd?: (text: string) => string;
    /** A temporary file or directory of the call, removed by the supervisor if reprise dies first. */
    cleanup?: string;
}
/**
 * A run step, command agent or command tool keeps 1 MiB of each output stream in memory and in the journal;
 * a longer stream is written whole to a file in the run directory (or dropped without one).
 */
export declare const DEFAULT_MAX_OUTPUT_BYTES: number;
/**
 * Files that receive a stream longer than the cap, whole (created only if needed). They are written from a
 * private temporary file once the program has ended, through `redactor` (made then, so that values masked
 * while it ran count too): a secret never reaches them.
 */
export interface OutputSpill {
    stdout: string;
    stderr: string;
    redactor: () => TextRedactor;
}
/** How much of a program's output is kept, and where a longer stream goes. */
export interface OutputLimit {
    maxBytes?: number;
    spill?: OutputSpill;
    /** Trims the end of a cut stream's kept text that begins a secret (`Secrets.cutEnd`). */
    cutEnd?: (text: string) => string;
}
/** A stream that printed more than `maxBytes`: how much it printed, and the file with all of it, if any. */
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
/** `stdout was cut at 1048576 of 300000000 bytes (all of it is in <file>)`. */
export declare function describeOutputCut(stream: 'stdout' | 'stderr', cut: OutputCut): string;
/** Runs a program to completion. Never rejects: start failures, timeouts and aborts are in the result. */
export declare function runProcess(spec: ProcessSpec): Promise<ProcessResult>;
