// Damage heals: a journal with lines that cannot be replayed (a bad header, a byte-order mark, binary,
// another version, garbled lines, failed checksums) is set aside under another name, and a fresh journal
// holding only its valid events continues. Without this, every later attempt would append after the
// damage and meet it again (a rejected header would make every resume re-run every call).
// The CLI heals the run's journal on resume; the action heals a journal restored from the cache or an
// artifact the same way (stores/journal-store.ts).
import { existsSync, statSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { serializeEvents } from './merge.js';
import type { JournalRead } from './reader.js';

export interface HealedJournal {
  /** Where the damaged original now is. */
  aside: string;
  /** Valid calls kept in the fresh journal. */
  kept: number;
  /** One line for a log: what happened and what continues. */
  message: string;
}

/** Whether `read` found damage worth setting the file aside for. */
export function isDamaged(read: JournalRead): boolean {
  // A torn last line is expected (the writer ends it), unless it is all there is: a header cut short
  // would make the journal unreadable once the next attempt appends after it.
  return (
    read.problems.some((problem) => problem.severity === 'warning') ||
    (read.runs.length === 0 && read.problems.length > 0)
  );
}

/** Sets a damaged journal aside and writes its valid events back; undefined if it was whole. */
export async function healJournal(path: string, read: JournalRead): Promise<HealedJournal | undefined> {
  if (!isDamaged(read) || !existsSync(path) || statSync(path).size === 0) return undefined;
  const aside = await setAside(path, path);
  if (read.events.length > 0) await writeFile(path, serializeEvents(read.events), { flag: 'wx' });
  const kept = read.candidates.size;
  return {
    aside,
    kept,
    message:
      `the journal was damaged: set aside as ${aside}; a fresh journal continues` +
      (kept > 0
        ? ` with its ${kept} valid call${kept === 1 ? '' : 's'}`
        : ' (nothing in it could be replayed)'),
  };
}

/**
 * Moves the file at `path` to `<journalPath>.damaged-<time>` (a free name beside the journal) and
 * returns that name.
 */
export async function setAside(path: string, journalPath: string): Promise<string> {
  const stem = join(dirname(journalPath), `${basename(journalPath)}.damaged-`);
  const time = new Date().toISOString().replace(/[:.]/g, '-');
  let aside = stem + time;
  for (let n = 2; existsSync(aside); n++) aside = `${stem}${time}-${n}`;
  await rename(path, aside);
  return aside;
}
