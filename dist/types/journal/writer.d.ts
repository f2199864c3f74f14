import { type Secrets } from './secrets.js';
import type { JournalEvent } from './types.js';
export interface JournalWriterOptions {
    /** Values redacted from every line before it is written. */
    secrets?: Secrets;
    /**
     * Longest time an appended line may stay unsynced (default 50 ms). 0 fsyncs after every
     * append: slower by orders of magnitude, and only needed when a machine crash must lose nothing.
     */
    fsyncIntervalMs?: number;
}
export declare class JournalWriter {
    readonly path: string;
    private readonly secrets;
    private readonly fsyncIntervalMs;
    private fd;
    private unsynced;
    private timer;
    private syncing;
    private syncError;
    /** A write failed part-way (disk full): the next line must not be glued to what it left. */
    private torn;
    private readonly lines;
    private constructor();
    static open(path: string, options?: JournalWriterOptions): Promise<JournalWriter>;
    /** Serializes, redacts and writes one event. Throws if the line could not be written. */
    append(event: JournalEvent): void;
    /** Makes every line appended so far durable (fsync) now. */
    flush(): Promise<void>;
    close(): Promise<void>;
    private sync;
    private schedule;
    private cancelTimer;
}
