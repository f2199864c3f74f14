import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mergeJournalFiles, mergeJournals, serializeEvents } from '../../src/journal/merge.js';
import { parseJournal, readJournalFile } from '../../src/journal/reader.js';
import { candidatesOf } from '../../src/journal/types.js';
import { callEvent, lines, runEvent } from './events.js';
import { tempDir } from './temp.js';

const shardA = lines(
  runEvent({ runId: 'a' }),
  callEvent('shared', { result: 'from A' }),
  callEvent('only-a'),
);
const shardB = lines(
  runEvent({ runId: 'b' }),
  callEvent('only-b'),
  callEvent('shared', { result: 'from B' }),
);

describe('mergeJournals', () => {
  it('unions calls by key, the earliest journal in argument order winning', () => {
    const ab = mergeJournals([parseJournal(shardA, 'a'), parseJournal(shardB, 'b')]);
    expect(ab.calls.get('shared')?.result).toBe('from A');
    expect([...ab.calls.keys()].sort()).toEqual(['only-a', 'only-b', 'shared']);
    const ba = mergeJournals([parseJournal(shardB, 'b'), parseJournal(shardA, 'a')]);
    expect(ba.calls.get('shared')?.result).toBe('from B');
  });

  it('concatenates runs and keeps the first header', () => {
    const merged = mergeJournals([parseJournal(shardA, 'a'), parseJournal(shardB, 'b')]);
    expect(merged.header?.runId).toBe('a');
    expect(merged.runs.map((run) => run.runId)).toEqual(['a', 'b']);
  });

  it('carries problems, prefixed with the journal they came from', () => {
    const damaged = lines(runEvent(), '{"t":"call"', callEvent('k'));
    const merged = mergeJournals([parseJournal(shardA, 'a'), parseJournal(damaged, 'shard-2/journal.jsonl')]);
    expect(merged.problems).toEqual([
      { line: 2, severity: 'warning', message: 'shard-2/journal.jsonl: line 2 is not valid JSON; ignored' },
    ]);
  });

  it('takes nothing but the problem from a rejected journal', () => {
    const future = lines({ ...runEvent(), v: 3 }, callEvent('from-the-future'));
    const merged = mergeJournals([parseJournal(future, 'f'), parseJournal(shardA, 'a')]);
    expect(merged.calls.has('from-the-future')).toBe(false);
    expect(merged.header?.runId).toBe('a');
    expect(merged.problems[0]?.message).toMatch(/^f: journal version 3/);
  });
});

describe('mergeJournalFiles', () => {
  it('writes a valid journal holding every call result once, identical for identical inputs', async () => {
    const dir = tempDir('reprise-merge-');
    writeFileSync(join(dir, 'a.jsonl'), shardA);
    writeFileSync(join(dir, 'b.jsonl'), shardB);
    const paths = [join(dir, 'a.jsonl'), join(dir, 'b.jsonl'), join(dir, 'missing.jsonl')];

    await mergeJournalFiles(paths, join(dir, 'out1.jsonl'));
    await mergeJournalFiles(paths, join(dir, 'out2.jsonl'));
    const text = readFileSync(join(dir, 'out1.jsonl'), 'utf8');
    expect(readFileSync(join(dir, 'out2.jsonl'), 'utf8')).toBe(text);

    const read = await readJournalFile(join(dir, 'out1.jsonl'));
    expect(read.problems).toEqual([]);
    expect(read.header?.runId).toBe('a');
    expect(read.calls.get('shared')?.result).toBe('from A');
    expect(read.calls.size).toBe(3);
    // Two different results for one key are both kept, in order: the first that replays wins, so a
    // damaged or forged copy in one journal cannot hide the valid one in another.
    expect(text.match(/"key":"shared"/g)).toHaveLength(2);
    expect(candidatesOf(read.candidates, 'shared').map((call) => call.result)).toEqual(['from A', 'from B']);
  });

  it('can write over one of its inputs', async () => {
    const dir = tempDir('reprise-merge-');
    writeFileSync(join(dir, 'a.jsonl'), shardA);
    writeFileSync(join(dir, 'b.jsonl'), shardB);
    await mergeJournalFiles([join(dir, 'a.jsonl'), join(dir, 'b.jsonl')], join(dir, 'a.jsonl'));
    const read = await readJournalFile(join(dir, 'a.jsonl'));
    expect([...read.calls.keys()].sort()).toEqual(['only-a', 'only-b', 'shared']);
  });
});

describe('serializeEvents', () => {
  it("writes an agent's model and usage once, in its result, as the writer does; a line's own copies stay", () => {
    const usage = { inputTokens: 812, outputTokens: 95, cachedInputTokens: 0, costUsd: 0.0004 };
    // Since 0.2: model and usage only in the result. Before: also on the line, as copies of their own.
    const modern = { ...callEvent('k1', { result: { text: 'a', usage, model: 'gpt-test' } }) };
    delete modern.usage;
    delete modern.model;
    const older = callEvent('k2', { result: { text: 'b', usage: { ...usage }, model: 'gpt-test' } });
    // A version 1 journal: lines without checksums (serializeEvents writes version 2, with them).
    const text = lines(runEvent(), modern, older);
    const read = parseJournal(text, 'j');
    // The reader gives every call its model and usage, from its result when the line has none.
    expect(read.calls.get('k1')).toMatchObject({ model: 'gpt-test', usage });

    const written = serializeEvents(read.events);
    const [, first, second] = written
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(first).not.toHaveProperty('usage');
    expect(first).not.toHaveProperty('model');
    expect(second).toHaveProperty('usage', usage);
    expect(second).toHaveProperty('model', 'gpt-test');
    // And it reads back as the same events.
    const again = parseJournal(written, 'j');
    expect(again.problems).toEqual([]);
    expect(again.events.slice(1)).toEqual(read.events.slice(1));
  });
});
