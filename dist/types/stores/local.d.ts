import { type Secrets } from '../journal/secrets.js';
import { type Question, type RunStatus } from '../journal/types.js';
export { StoreError } from './errors.js';
export declare const DEFAULT_RUNS_DIR = ".reprise/runs";
/** Who holds a run's lock. */
export interface LockInfo {
    pid: number;
    startedAt: string;
    hostname: string;
}
export interface RunLock {
    readonly id: string;
    readonly path: string;
    readonly info: LockInfo;
    /** Set when a stale lock (its process gone, or unreadable) was taken over: says whose. */
    readonly tookOver?: string;
    /** Removes the lock, if it is still ours. Safe to call twice. */
    release(): Promise<void>;
}
export type RunState = RunStatus | 'running' | 'interrupted';
export interface RunInfo {
    id: string;
    /** From the journal's header; absent when the run has no readable journal. */
    workflow?: string;
    status: RunState;
    /** When the first attempt started (journal header), else when the run directory was created. */
    startedAt: string;
    /** Last time anything in the run was written. */
    updatedAt: string;
    attempts: number;
    /** Completed (journaled) calls. */
    calls: number;
    /** The live process working on the run, when status is 'running'. */
    lockedBy?: LockInfo;
    /** When status is 'waiting': the questions nobody has answered yet. */
    questions?: Question[];
}
export declare class LocalStore {
    readonly runsDir: string;
    private readonly now;
    constructor(runsDir?: string, options?: {
        now?: () => Date;
    });
    /** A new run id that sorts by creation time: `20261121-061503-a1f3` (UTC). */
    newRunId(): string;
    runDir(id: string): string;
    journalPath(id: string): string;
    resultPath(id: string): string;
    /**
     * The id of an existing run: `latest` (the newest by start time that has a journal: a directory
     * left without one by an older version holds nothing to resume), an id, or an unambiguous prefix
     * of one. Throws a StoreError naming the nearest ids when there is no such run.
     */
    resolve(idOrLatest: string): Promise<string>;
    /** Every run, newest first. */
    list(): Promise<RunInfo[]>;
    /** Deletes a run. Refuses while a live process holds its lock. */
    remove(id: string): Promise<void>;
    /** Deletes runs not written to for longer than `olderThanMs`, except runs in use. Returns their ids. */
    gc(olderThanMs: number, now?: Date): Promise<string[]>;
    /**
     * Takes the run's lock: exclusive creation of `<runDir>/lock`. Throws a StoreError if a live
     * process on this host (or any process on another host, which cannot be checked) holds it; takes
     * over a stale one (its process gone, or the file unreadable), saying so in `tookOver`.
     */
    lock(id: string): Promise<RunLock>;
    /** Writes the run's result.json atomically (a temporary file renamed into place), secrets redacted. */
    writeResult(id: string, result: unknown, options?: {
        secrets?: Secrets;
    }): Promise<void>;
    /** The run's result.json, or undefined when it has none. */
    readResult(id: string): Promise<unknown>;
    private result;
    private unknownRun;
    private ids;
    private info;
    private resultStatus;
    private lockState;
    /**
     * When the run's first attempt started, from its journal; undefined without a journal. Its first line
     * usually says; a journal that begins with another run's header (seeded by `--reuse`, forked, merged) is
     * read whole to find the run's own.
     */
    private journalStartedAt;
    private createdAt;
    private updatedAt;
}
/** Milliseconds in an age like `30m`, `12h`, `7d` or `2w` (for `runs gc --older-than`). */
export declare function parseAge(text: string): number;
