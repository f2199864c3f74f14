// Compaction of a journal carried across runs: earlier runs' calls thinned to what a later run could reuse,
// the run's own lines kept whole (its resume and its budget depend on every one of them).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ShellRequest, ShellResult } from '../../src/agents/shell.js';
import { spentInJournal } from '../../src/engine/budget.js';
import {
  COMPACT_MAX_BYTES,
  compactJournal,
  compactJournalFile,
  describeCompaction,
} from '../../src/journal/compact.js';
import { serializeEvents } from '../../src/journal/merge.js';
import { parseJournal } from '../../src/journal/reader.js';
import type { JournalEvent } from '../../src/journal/types.js';
import { MemoryJournal, echoAgent, load, run } from '../engine/harness.js';

const DAY = 24 * 60 * 60 * 1000;
const T0 = Date.parse('2026-11-02T06:00:00Z');
const at = (days: number) => () => new Date(T0 + days * DAY);
const shell = async (_request: ShellRequest): Promise<ShellResult> =>
  ({ stdout: 'log\n', stderr: '', exitCode: 0 }) as ShellResult;

/** Two agent steps (one never reused), a run step, and a prompt that changes every week. */
const weekly = (week: number) =>
  load(`
name: weekly
limits: { tokens: 100000 }
steps:
  - id: log
    run: git log
  - id: stable
    agent: { prompt: "the same every week", model: m, provider: openai }
  - id: always
    reuse: false
    agent: { prompt: "asked every week", model: m, provider: openai }
  - id: news
    agent: { prompt: "week ${week}", model: m, provider: openai }
`);

/** Week n: a new run reusing the journal of the weeks before, on day 7n. */
async function week(journal: MemoryJournal, n: number, days = 7 * n) {
  return run(weekly(n), {
    journal,
    shell,
    runId: `week-${n}`,
    reuseEarlierRuns: n > 1,
    now: at(days),
  });
}

const calls = (events: readonly JournalEvent[]) => events.filter((event) => event.t === 'call');

describe('compactJournal', () => {
  it("keeps the run's own lines whole and one line per key of earlier runs", async () => {
    const journal = new MemoryJournal();
    await week(journal, 1);
    await week(journal, 2);
    const { events, report } = compactJournal(journal.events, { maxAgeMs: 30 * DAY });

    // Week 1 journaled 4 calls; week 2 ran 3 again (log, always, news); week 1's lines of keys week 2 has
    // (log, always) are duplicates, week 1's `stable` and `news` stay.
    expect(calls(journal.events)).toHaveLength(7);
    expect(report.dropped).toMatchObject({ duplicate: 2, expired: 0, overCap: 0, invalid: 0 });
    expect(calls(events).map((event) => (event.t === 'call' ? event.step : ''))).toEqual([
      'stable',
      'news',
      'log',
      'always',
      'news',
    ]);
    // Week 1's fail/step/end lines are gone, its header stays (the lines after it are its calls).
    expect(
      events.filter((event) => event.t === 'run').map((event) => event.t === 'run' && event.runId),
    ).toEqual(['week-1', 'week-2']);
    expect(events.filter((event) => event.t === 'step')).toHaveLength(4);
    expect(report.calls).toEqual({ before: 7, after: 5 });
    expect(report.bytes.after).toBeLessThan(report.bytes.before);

    // What week 2 spent, by its own attempts, is unchanged; so is its resume: everything replays.
    expect(spentInJournal(events, 'week-2')).toEqual(spentInJournal(journal.events, 'week-2'));
    const compacted = new MemoryJournal();
    compacted.events.push(...parseJournal(serializeEvents(events), 'compacted').events);
    const agent = echoAgent();
    const resumed = await run(weekly(2), {
      journal: compacted,
      shell,
      agent: agent.fn,
      runId: 'week-2',
      now: at(9),
    });
    expect(resumed.calls).toMatchObject({ live: 0, replayed: 4 });
    expect(resumed.budget.earlier.calls).toBe(3);
  });

  it("drops earlier runs' calls older than reuse-max-age, measured from the reusing run's start", async () => {
    const journal = new MemoryJournal();
    await week(journal, 1);
    await week(journal, 2);
    await week(journal, 3);
    // Week 3 started on day 21: week 1's lines (day 0) are 21 days old, week 2's 7.
    const { events, report } = compactJournal(journal.events, { maxAgeMs: 10 * DAY });
    expect(report.dropped.expired).toBe(4); // all 4 of week 1's calls
    const runs = events.flatMap((event) => (event.t === 'run' ? [event.runId] : []));
    expect(runs).toEqual(['week-2', 'week-3']);
    // Compacting again changes nothing: the journal is stable under compaction.
    const again = compactJournal(events, { maxAgeMs: 10 * DAY });
    expect(again.events).toEqual(events);

    // A new run reusing the compacted journal: only the stable prompt is reused, as it was from the full one.
    const next = new MemoryJournal();
    next.events.push(...events);
    const fourth = await run(weekly(4), {
      journal: next,
      shell,
      runId: 'week-4',
      reuseEarlierRuns: true,
      now: at(28),
      reuseMaxAgeMs: 10 * DAY,
    });
    expect(fourth.reuse).toMatchObject({ reused: 1, rerun: 2 });
  });

  it("bounds the size: the oldest earlier-run calls go first, the run's own never", async () => {
    const journal = new MemoryJournal();
    await week(journal, 1);
    await week(journal, 2);
    await week(journal, 3);
    const whole = compactJournal(journal.events, { maxAgeMs: 30 * DAY });
    const ownBytes = serializeEvents(journal.events.slice(indexOfRun(journal.events, 'week-3'))).length;
    // Room for the run's own lines and about one more line: week 1's calls go before week 2's.
    const { events, report } = compactJournal(journal.events, {
      maxAgeMs: 30 * DAY,
      maxBytes: ownBytes + 700,
    });
    expect(report.dropped.overCap).toBeGreaterThan(0);
    expect(report.bytes.after).toBeLessThanOrEqual(ownBytes + 700);
    const kept = events.flatMap((event) => (event.t === 'call' ? [event.at] : []));
    const droppedAt = calls(whole.events)
      .map((event) => event.at)
      .filter((time) => !kept.includes(time));
    expect(Math.max(...droppedAt.map(Date.parse))).toBeLessThanOrEqual(Math.min(...kept.map(Date.parse)));
    expect(spentInJournal(events, 'week-3')).toEqual(spentInJournal(journal.events, 'week-3'));

    // The calls this run replayed from earlier runs are never dropped for size: its next attempt replays them.
    const oldest = calls(whole.events)
      .filter((event) => !kept.includes(event.at))
      .sort((a, b) => Date.parse(a.at) - Date.parse(b.at))[0]!;
    const kept2 = compactJournal(journal.events, {
      maxAgeMs: 30 * DAY,
      maxBytes: ownBytes + 700,
      keep: new Set([oldest.key]),
    });
    expect(kept2.report.dropped.overCap).toBeGreaterThan(0);
    expect(calls(kept2.events).map((event) => event.key)).toContain(oldest.key);

    // Too small even for the run itself: its lines are all kept, and the report says so.
    const tiny = compactJournal(journal.events, { maxAgeMs: 30 * DAY, maxBytes: 100 });
    expect(tiny.report.ownOverCap).toBe(true);
    expect(tiny.events.slice(indexOfRun(tiny.events, 'week-3'))).toEqual(
      journal.events.slice(indexOfRun(journal.events, 'week-3')),
    );
    expect(describeCompaction(tiny.report)).toContain('past the size cap');
    expect(COMPACT_MAX_BYTES).toBeGreaterThan(1024 * 1024);
  });

  it("a journal without earlier runs is left as it is; a seed takes everything as earlier runs'", async () => {
    const journal = new MemoryJournal();
    await week(journal, 1);
    await run(weekly(1), { journal, shell, runId: 'week-1', now: at(0.1) }); // a second attempt
    const same = compactJournal(journal.events, { maxAgeMs: 0 });
    expect(same.events).toEqual(journal.events);
    expect(describeCompaction(same.report)).toBeUndefined();

    const seed = compactJournal(journal.events, { maxAgeMs: 7 * DAY, seedAt: new Date(T0 + DAY) });
    expect(calls(seed.events)).toHaveLength(4);
    expect(seed.events.filter((event) => event.t === 'run')).toHaveLength(1);
    expect(seed.events.some((event) => event.t === 'end' || event.t === 'step')).toBe(false);
  });

  it('keeps the first line of a key that could replay, not a failed run step before it', () => {
    const header = (runId: string, at: string, extra: object = {}): JournalEvent => ({
      v: 1,
      t: 'run',
      workflow: 'w',
      script: 'sha256:x',
      runId,
      attempt: 1,
      inputs: {},
      at,
      ...extra,
    });
    const line = (key: string, result: unknown, time: string): JournalEvent => ({
      t: 'call',
      key,
      step: 's',
      kind: 'run',
      result,
      ms: 1,
      at: time,
    });
    const events: JournalEvent[] = [
      header('a', '2026-01-01T00:00:00Z'),
      line('k', { stdout: '', stderr: 'no', exitCode: 2 }, '2026-01-01T00:00:01Z'),
      line('k', { stdout: 'ok', stderr: '', exitCode: 0 }, '2026-01-01T00:00:02Z'),
      line('k', { stdout: 'again', stderr: '', exitCode: 0 }, '2026-01-01T00:00:03Z'),
      header('b', '2026-01-02T00:00:00Z', { reuses: ['a'] }),
    ];
    const { events: out, report } = compactJournal(events, { maxAgeMs: 7 * DAY });
    expect(report.dropped).toMatchObject({ invalid: 1, duplicate: 1 });
    expect(calls(out)).toEqual([events[2]]);
  });
});

describe('compactJournalFile', () => {
  it('rewrites the file only when it drops something, and the result reads back', async () => {
    const journal = new MemoryJournal();
    await week(journal, 1);
    await week(journal, 2);
    const path = join(mkdtempSync(join(tmpdir(), 'reprise-compact-')), 'journal.jsonl');
    writeFileSync(path, serializeEvents(journal.events));
    const report = await compactJournalFile(path, { maxAgeMs: 30 * DAY });
    expect(report.dropped.duplicate).toBe(2);
    const text = readFileSync(path, 'utf8');
    expect(report.bytes.after).toBe(Buffer.byteLength(text));
    const read = parseJournal(text, path);
    expect(read.problems).toEqual([]);
    const unchanged = await compactJournalFile(path, { maxAgeMs: 30 * DAY });
    expect(unchanged.bytes).toEqual({ before: report.bytes.after, after: report.bytes.after });
    expect(readFileSync(path, 'utf8')).toBe(text);
  });
});

function indexOfRun(events: readonly JournalEvent[], runId: string): number {
  return events.findIndex((event) => event.t === 'run' && event.runId === runId);
}
