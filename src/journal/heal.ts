// Damage heals: a journal with lines that cannot be replayed (a bad header, a byte-order mark, binary,
// another version, garbled lines) is set aside under another name, and a fresh journal holding only
// its valid events continues. Without this, every later attempt would append after the damage and
// meet it again (a rejected header would make every resume re-run every call).
import { existsSync, statSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { serializeEvents } from './merge.js';
import type { JournalRead } from './reader.js';

/** Sets a damaged journal aside and writes its valid events back; returns a message, or undefined if it was whole. */
export async function healJournal(path: string, read: JournalRead): Promise<string | undefined> {
  // A torn last line is expected (the writer ends it), unless it is all there is: a header cut short
  // would make the journal unreadable once the next attempt appends after it.
  const damaged =
    read.problems.some((problem) => problem.severity === 'warning') ||
    (read.runs.length === 0 && read.problems.length > 0);
  if (!damaged || !existsSync(path) || statSync(path).size === 0) return undefined;
  const aside = `${path}.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  await rename(path, aside);
  if (read.events.length > 0) await writeFile(path, serializeEvents(read.events), { flag: 'wx' });
  const kept = read.calls.size;
  return (
    `the journal was damaged: set aside as ${aside}; a fresh journal continues` +
    (kept > 0 ? ` with its ${kept} valid call${kept === 1 ? '' : 's'}` : ' (nothing in it could be replayed)')
  );
}
