// Merging journals: copies of one run restored from several places, or the shards of a matrix job.
import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { readJournalFile, withCalls, type JournalRead } from './reader.js';
import { withChecksum } from './checksum.js';
import { candidatesOf, JOURNAL_VERSION, type CallEvent, type JournalEvent } from './types.js';

/**
 * The union of `reads`. Deterministic: for a key journaled in several, the call from the earliest
 * read in argument order wins. Runs and events are concatenated in argument order; problems keep
 * their line numbers and gain their journal's source as a prefix.
 */
export function mergeJournals(reads: JournalRead[]): JournalRead {
  const merged = withCalls({
    source: reads.map((read) => read.source).join(' + '),
    runs: [],
    events: [],
    candidates: new Map(),
    problems: [],
  });
  // The run each merged call line belongs to: a line is a duplicate only of the same run's line. Shards
  // that reused an earlier run hold that run's lines and their own with the same results, and only their
  // own replay in full (journal/lineage.ts).
  const runOf = new Map<JournalEvent, string>();
  for (const read of reads) {
    merged.header ??= read.header;
    merged.runs.push(...read.runs);
    let runId: string | undefined;
    for (const event of read.events) {
      if (event.t === 'run') runId = event.runId;
      if (event.t === 'call') {
        // A call already merged from an earlier journal is usually the same result twice; a different
        // one is kept as a candidate (the first that replays wins, so a damaged copy cannot hide it).
        const earlier = candidatesOf(merged.candidates, event.key);
        const result = JSON.stringify(event.result);
        const same = (other: JournalEvent) =>
          other.t === 'call' && runOf.get(other) === runId && JSON.stringify(other.result) === result;
        if (earlier.some(same)) continue;
        if (runId !== undefined) runOf.set(event, runId);
        merged.candidates.set(event.key, earlier.length === 0 ? event : [...earlier, event]);
      }
      merged.events.push(event);
    }
    for (const problem of read.problems) {
      merged.problems.push({ ...problem, message: `${read.source}: ${problem.message}` });
    }
  }
  return merged;
}

/**
 * Reads the journals at `paths`, merges them and writes the result to `outPath` (atomically: a
 * reader never sees half of it; `outPath` may be one of `paths`). Returns the merged read.
 * Journals that were rejected (another version, not a journal) contribute only their problems.
 */
export async function mergeJournalFiles(paths: string[], outPath: string): Promise<JournalRead> {
  const reads = await Promise.all(paths.map((path) => readJournalFile(path)));
  const merged = mergeJournals(reads);
  writeFileAtomic(outPath, serializeEvents(merged.events));
  return merged;
}

/**
 * Journal text for `events`: one checksummed JSON line each, in the current version (attempts read
 * from a version 1 journal are rewritten as version 2: their lines now carry checksums).
 */
export function serializeEvents(events: JournalEvent[]): string {
  let text = '';
  for (const event of events) {
    const current =
      event.t === 'run' && event.v !== JOURNAL_VERSION
        ? { ...event, v: JOURNAL_VERSION }
        : event.t === 'call'
          ? withoutResultCopies(event)
          : event;
    text += withChecksum(JSON.stringify(current)) + '\n';
  }
  return text;
}

/**
 * A call line as the writer writes it: an agent's model and usage only in its result. The reader copies
 * them onto the event it returns (src/journal/reader.ts), which would otherwise write them twice on every
 * line of a compacted, healed or merged journal. Copies of a line that had its own (before 0.2) are kept.
 */
function withoutResultCopies(event: CallEvent): CallEvent {
  const result = event.result as { usage?: unknown; model?: unknown } | null | undefined;
  if (typeof result !== 'object' || result === null) return event;
  const { usage, model, ...rest } = event;
  if ((usage !== undefined && usage !== result.usage) || (model !== undefined && model !== result.model))
    return event;
  return rest;
}

/**
 * Writes `text` to `path` atomically: into a private file, flushed, then renamed into place, so a reader
 * sees the old file or the whole new one. Synchronous: the files are local and written once per run.
 */
export function writeFileAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(temp, text, { flush: true });
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}
