import { type JournalRead } from './reader.js';
import { type JournalEvent } from './types.js';
/**
 * The union of `reads`. Deterministic: for a key journaled in several, the call from the earliest
 * read in argument order wins. Runs and events are concatenated in argument order; problems keep
 * their line numbers and gain their journal's source as a prefix.
 */
export declare function mergeJournals(reads: JournalRead[]): JournalRead;
/**
 * Reads the journals at `paths`, merges them and writes the result to `outPath` (atomically: a
 * reader never sees half of it; `outPath` may be one of `paths`). Returns the merged read.
 * Journals that were rejected (another version, not a journal) contribute only their problems.
 */
export declare function mergeJournalFiles(paths: string[], outPath: string): Promise<JournalRead>;
/**
 * Journal text for `events`: one checksummed JSON line each, in the current version (attempts read
 * from a version 1 journal are rewritten as version 2: their lines now carry checksums).
 */
export declare function serializeEvents(events: JournalEvent[]): string;
/**
 * Writes `text` to `path` atomically: into a private file, flushed, then renamed into place, so a reader
 * sees the old file or the whole new one. Synchronous: the files are local and written once per run.
 */
export declare function writeFileAtomic(path: string, text: string): void;
