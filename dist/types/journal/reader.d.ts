import { type CallEvent, type JournalEvent, type RunEvent } from './types.js';
export interface JournalProblem {
    /** 1-based line number in the journal the problem was found in. */
    line: number;
    message: string;
    severity: 'info' | 'warning';
}
/** How many of a journal's problems are named one by one before the rest are counted. */
export declare const PROBLEMS_SHOWN = 5;
/**
 * The problems worth printing: the first few, then one line counting the rest, so a journal of a million
 * damaged lines gives six warnings, not a million.
 */
export declare function summariseProblems(problems: readonly JournalProblem[], shown?: number): JournalProblem[];
export interface JournalRead {
    /** Where the journal came from (a path, or a name given by the caller). */
    source: string;
    /** The first attempt's run event. Absent when the journal is empty or was rejected. */
    header?: RunEvent;
    /** One run event per attempt, in order. */
    runs: RunEvent[];
    /** Every well-formed event, in order. */
    events: JournalEvent[];
    /**
     * The completed calls by key, in journal order: what the engine replays from. A key's entry is its call
     * event, or the list of them when it was journaled more than once (merged copies, a damaged or forged
     * line beside a valid one); the first that a live call could have produced wins, so a bad line cannot
     * hide a later valid one. One map, and a list only for a repeated key: a resume of 10,000 calls keeps
     * no second map and no list per call, which its garbage collector would trace all through the replay.
     */
    candidates: Map<string, CallEvent | CallEvent[]>;
    /** The first completed call of each key, built from `candidates` when first asked for. */
    readonly calls: ReadonlyMap<string, CallEvent>;
    problems: JournalProblem[];
}
export declare function emptyJournalRead(source: string): JournalRead;
/**
 * `read` with its `calls` view, built once, the first time it is read: whoever fills `candidates` (the
 * reader, a merge) does so before handing the read out.
 */
export declare function withCalls(read: Omit<JournalRead, 'calls'>): JournalRead;
/**
 * Reads and validates a journal file. A missing file is an empty journal.
 *
 * Read in chunks, line by line: a line's checksum is verified on its bytes and only its JSON text is
 * decoded, so a journal is never held twice more (as one buffer and one string of the whole file) before it
 * is split. For a 137 MB journal of 100,000 calls that took a second of page faults and copies by itself,
 * more than parsing every line. Deliberately synchronous: a journal is read once, as an attempt starts.
 */
export declare function readJournalFile(path: string): Promise<JournalRead>;
export declare function parseJournal(text: string, source: string): JournalRead;
/** A message when the journal was written by another workflow (the caller then ignores it), else undefined. */
export declare function journalBelongsTo(read: JournalRead, workflowName: string): string | undefined;
