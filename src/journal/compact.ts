// Compaction: a journal carried from run to run (the action's `resume-scope: workflow`, `reprise run --reuse`)
// must not grow with every scheduled run. What earlier runs journaled is thinned to what a later run could
// still reuse: one line per key (the first that could replay, as replay picks it), none older than
// `reuse-max-age`, the oldest dropped first past a size cap, and only the run headers those lines need.
// The journal's own run (its attempts, and what it continues) is kept line for line: its resume replays
// everything, and its run-wide budget counts every call and fail line of its attempts (engine/budget.ts).
import { readFile } from 'node:fs/promises';
import { replayableShape } from '../engine/outputs.js';
import { journalLineage, runIdsOf } from './lineage.js';
import { serializeEvents, writeFileAtomic } from './merge.js';
import { parseJournal } from './reader.js';
import type { CallEvent, JournalEvent, RunEvent } from './types.js';

/**
 * The default size cap of a compacted journal. A restore downloads and reads all of it before the first
 * call; 8 MiB is tens of thousands of model calls, far more than a week of scheduled runs of one workflow.
 */
export const COMPACT_MAX_BYTES = 8 * 1024 * 1024;

export interface CompactOptions {
  /** `reuse-max-age` (engine/reuse.ts `reuseMaxAge`): earlier runs' calls older than this are dropped. */
  maxAgeMs: number;
  /**
   * Size cap in bytes (default COMPACT_MAX_BYTES); only earlier runs' lines are dropped to meet it. Infinity:
   * no cap, for a caller that does not know `keep` (the action's post step, after main was killed).
   */
  maxBytes?: number;
  /**
   * Compact as the seed of a new run starting at this time (`reprise run --reuse`): every line is an earlier
   * run's. Without it, earlier runs are those the journal's `reuses` headers name, and ages are measured from
   * the newest of those headers (the start of the run that reused them, so its attempts decide alike).
   */
  seedAt?: Date;
  /**
   * Keys the size cap never drops: the earlier-run calls this run replayed. Its next attempt ("Re-run failed
   * jobs") must replay them again rather than spend on them live; expiry and duplicates still apply.
   */
  keep?: ReadonlySet<string>;
}

export interface CompactionReport {
  /** Call lines before and after. */
  calls: { before: number; after: number };
  /** Bytes of the journal text before and after. */
  bytes: { before: number; after: number };
  /** Earlier runs' lines dropped, by why. */
  dropped: {
    /** A line of a key that already had one (an earlier line, or one of the run's own). */
    duplicate: number;
    /** Journaled longer than `reuse-max-age` before the run started. */
    expired: number;
    /** Past the size cap (oldest first). */
    overCap: number;
    /** Could never replay (a failed run step, a result of the wrong shape). */
    invalid: number;
    /** Fail, step, answer and end lines, and headers no kept call needs: a later run never reads them. */
    other: number;
  };
  /** The run's own lines alone are over the cap: they are kept whole. */
  ownOverCap: boolean;
}

/** Compacts a journal's events (as read by journal/reader.ts); pure. */
export function compactJournal(
  events: readonly JournalEvent[],
  options: CompactOptions,
): { events: JournalEvent[]; report: CompactionReport } {
  const maxBytes = options.maxBytes ?? COMPACT_MAX_BYTES;
  const lineage = options.seedAt
    ? { earlierRuns: new Set(runIdsOf(events)), since: options.seedAt.toISOString() }
    : journalLineage(events);
  const since = lineage.since !== undefined ? Date.parse(lineage.since) : Number.NaN;
  const dropped = { duplicate: 0, expired: 0, overCap: 0, invalid: 0, other: 0 };

  // Split by whose line it is: a line belongs to the run of the header before it.
  const own: JournalEvent[] = [];
  const earlier: Array<{ header: RunEvent; call: CallEvent }> = [];
  let header: RunEvent | undefined;
  let headerIsOwn = true;
  let earlierHeaders = 0;
  for (const event of events) {
    if (event.t === 'run') {
      header = event;
      headerIsOwn = !lineage.earlierRuns.has(event.runId);
      if (headerIsOwn) own.push(event);
      else earlierHeaders += 1;
    } else if (headerIsOwn || !header) {
      own.push(event);
    } else if (event.t === 'call') {
      earlier.push({ header, call: event });
    } else {
      dropped.other += 1;
    }
  }

  // One line per key: the first that could replay and is young enough; the run's own lines come first.
  const seen = new Set<string>();
  for (const event of own) {
    if (event.t === 'call' && replayableShape(event.kind, event.result)) seen.add(event.key);
  }
  const kept: Array<{ header: RunEvent; call: CallEvent; bytes: number }> = [];
  for (const { header, call } of earlier) {
    const age = since - Date.parse(call.at);
    if (!(age <= options.maxAgeMs)) dropped.expired += 1;
    else if (!replayableShape(call.kind, call.result)) dropped.invalid += 1;
    else if (seen.has(call.key)) dropped.duplicate += 1;
    else {
      seen.add(call.key);
      kept.push({ header, call, bytes: lineBytes(call) });
    }
  }

  // The cap: the oldest earlier-run calls go first; a header goes with the last call that needed it.
  const ownBytes = own.reduce((sum, event) => sum + lineBytes(event), 0);
  const headerBytes = new Map<RunEvent, { bytes: number; calls: number }>();
  for (const { header } of kept) {
    const entry = headerBytes.get(header) ?? { bytes: lineBytes(header), calls: 0 };
    entry.calls += 1;
    headerBytes.set(header, entry);
  }
  let total =
    ownBytes +
    kept.reduce((sum, line) => sum + line.bytes, 0) +
    [...headerBytes.values()].reduce((sum, entry) => sum + entry.bytes, 0);
  const byAge = kept
    .map((line, index) => ({ line, index, at: Date.parse(line.call.at) }))
    .sort((a, b) => a.at - b.at || a.index - b.index);
  const overCap = new Set<number>();
  for (const { line, index } of byAge) {
    if (total <= maxBytes) break;
    if (options.keep?.has(line.call.key)) continue;
    overCap.add(index);
    total -= line.bytes;
    const entry = headerBytes.get(line.header)!;
    entry.calls -= 1;
    if (entry.calls === 0) total -= entry.bytes;
  }
  dropped.overCap = overCap.size;

  // Earlier runs' kept calls in journal order, each after the header it followed; then the run's own.
  const out: JournalEvent[] = [];
  let last: RunEvent | undefined;
  let keptHeaders = 0;
  kept.forEach(({ header, call }, index) => {
    if (overCap.has(index)) return;
    if (header !== last) {
      out.push(header);
      last = header;
      keptHeaders += 1;
    }
    out.push(call);
  });
  dropped.other += earlierHeaders - keptHeaders;
  out.push(...own);

  const callsBefore = events.filter((event) => event.t === 'call').length;
  return {
    events: out,
    report: {
      calls: { before: callsBefore, after: out.filter((event) => event.t === 'call').length },
      bytes: {
        before: events.reduce((sum, event) => sum + lineBytes(event), 0),
        after: total,
      },
      dropped,
      ownOverCap: ownBytes > maxBytes,
    },
  };
}

/**
 * Compacts the journal file at `path` in place (atomically: a reader sees the old file or the new one),
 * when that drops anything. Lines that do not read are dropped too, as a resume would ignore them. The action
 * calls this before saving the journal; the CLI when a run is seeded from another (`--reuse`).
 */
export async function compactJournalFile(path: string, options: CompactOptions): Promise<CompactionReport> {
  const text = await readFile(path, 'utf8');
  const read = parseJournal(text, path);
  const { events, report } = compactJournal(read.events, options);
  report.bytes.before = Buffer.byteLength(text, 'utf8');
  const changed =
    events.length !== read.events.length || events.some((event, index) => event !== read.events[index]);
  if (changed || read.problems.length > 0) {
    const compacted = serializeEvents(events);
    report.bytes.after = Buffer.byteLength(compacted, 'utf8');
    writeFileAtomic(path, compacted);
  } else {
    report.bytes.after = report.bytes.before;
  }
  return report;
}

/** One line for summaries: what compaction dropped, or undefined when it dropped nothing. */
export function describeCompaction(report: CompactionReport): string | undefined {
  const { duplicate, expired, overCap, invalid } = report.dropped;
  const parts = [
    duplicate > 0 ? `${duplicate} duplicate` : '',
    expired > 0 ? `${expired} older than reuse-max-age` : '',
    overCap > 0 ? `${overCap} past the size cap` : '',
    invalid > 0 ? `${invalid} that could not replay` : '',
  ].filter(Boolean);
  const droppedCalls = report.calls.before - report.calls.after;
  if (droppedCalls === 0 && report.bytes.after >= report.bytes.before) return undefined;
  return (
    `journal compacted: ${report.calls.before} → ${report.calls.after} calls, ` +
    `${formatBytes(report.bytes.before)} → ${formatBytes(report.bytes.after)}` +
    (parts.length > 0 ? ` (dropped earlier runs' calls: ${parts.join(', ')})` : '') +
    (report.ownOverCap ? '; this run alone is over the size cap and is kept whole' : '')
  );
}

/** The bytes of the event's line as written (checksum and newline included). */
function lineBytes(event: JournalEvent): number {
  return Buffer.byteLength(serializeEvents([event]), 'utf8');
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
