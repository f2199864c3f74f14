import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { withChecksum } from '../../src/journal/checksum.js';
import { journalBelongsTo, parseJournal, readJournalFile } from '../../src/journal/reader.js';
import { candidatesOf } from '../../src/journal/types.js';
import { callEvent, endEvent, lines, runEvent } from './events.js';
import { tempDir } from './temp.js';

describe('readJournalFile', () => {
  it('reads a missing file as an empty journal, without problems', async () => {
    const read = await readJournalFile(join(tempDir('reprise-reader-'), 'none.jsonl'));
    expect(read).toMatchObject({ runs: [], events: [], problems: [] });
    expect(read.header).toBeUndefined();
    expect(read.calls.size).toBe(0);
  });

  it('survives random bytes: nothing replayed, the problem names line 1', async () => {
    const path = join(tempDir('reprise-reader-'), 'journal.jsonl');
    const bytes = Buffer.from(Array.from({ length: 4096 }, (_, index) => (index * 7919 + 13) % 256));
    writeFileSync(path, bytes);
    const read = await readJournalFile(path);
    expect(read.calls.size).toBe(0);
    expect(read.events).toEqual([]);
    expect(read.problems).toHaveLength(1);
    expect(read.problems[0]).toMatchObject({ line: 1, severity: 'warning' });
    expect(read.problems[0]?.message).toMatch(/not a reprise journal/);
  });
});

describe('parseJournal', () => {
  it('reads header, attempts, events and calls', () => {
    const text = lines(
      runEvent(),
      callEvent('k1'),
      endEvent('failed'),
      runEvent({ attempt: 2 }),
      callEvent('k2'),
    );
    const read = parseJournal(text, 'j');
    expect(read.header).toEqual(runEvent());
    expect(read.runs.map((run) => run.attempt)).toEqual([1, 2]);
    expect(read.events.map((event) => event.t)).toEqual(['run', 'call', 'end', 'run', 'call']);
    expect([...read.calls.keys()]).toEqual(['k1', 'k2']);
    expect(read.problems).toEqual([]);
    expect(read.source).toBe('j');
  });

  it('tolerates a torn last line, reporting it as info', () => {
    const text = lines(runEvent(), callEvent('k1')) + JSON.stringify(callEvent('k2')).slice(0, 50);
    const read = parseJournal(text, 'j');
    expect([...read.calls.keys()]).toEqual(['k1']);
    expect(read.problems).toEqual([
      {
        line: 3,
        severity: 'info',
        message: 'line 3 is incomplete (the run was interrupted while writing it); ignored',
      },
    ]);
  });

  it('accepts a complete last line that only lacks its newline', () => {
    const text = lines(runEvent()) + JSON.stringify(callEvent('k1'));
    const read = parseJournal(text, 'j');
    expect(read.calls.has('k1')).toBe(true);
    expect(read.problems).toEqual([]);
  });

  it('ignores a line damaged in the middle, warning with its line number, and keeps the rest', () => {
    const text = lines(
      runEvent(),
      callEvent('k1'),
      JSON.stringify(callEvent('k2')).slice(0, 30),
      callEvent('k3'),
    );
    const read = parseJournal(text, 'j');
    expect([...read.calls.keys()]).toEqual(['k1', 'k3']);
    expect(read.problems).toEqual([
      { line: 3, severity: 'warning', message: 'line 3 is not valid JSON; ignored' },
    ]);
  });

  it('reports a line torn by an interrupted attempt as info when the next attempt follows it', () => {
    const torn = JSON.stringify(callEvent('k2')).slice(0, 60);
    const read = parseJournal(
      lines(runEvent(), callEvent('k1'), torn, runEvent({ attempt: 2 }), callEvent('k3')),
      'j',
    );
    expect([...read.calls.keys()]).toEqual(['k1', 'k3']);
    expect(read.problems).toEqual([
      {
        line: 3,
        severity: 'info',
        message: 'line 3 is incomplete (an earlier attempt was interrupted while writing it); ignored',
      },
    ]);
    // Garbage that was never the start of an event stays a warning, whatever follows it.
    const garbage = parseJournal(lines(runEvent(), 'garbage', runEvent({ attempt: 2 })), 'j');
    expect(garbage.problems).toEqual([
      { line: 2, severity: 'warning', message: 'line 2 is not valid JSON; ignored' },
    ]);
  });

  it('rejects a whole journal of another version with a clear message', () => {
    const text = lines({ ...runEvent(), v: 3 }, callEvent('k1'));
    const read = parseJournal(text, 'j');
    expect(read.calls.size).toBe(0);
    expect(read.events).toEqual([]);
    expect(read.header).toBeUndefined();
    expect(read.problems).toEqual([
      {
        line: 1,
        severity: 'warning',
        message:
          'journal version 3 is not supported by this reprise, which reads versions 1 to 2; ignoring it',
      },
    ]);
  });

  it('stops at an attempt written by a newer version, keeping what came before', () => {
    const text = lines(runEvent(), callEvent('k1'), { ...runEvent({ attempt: 2 }), v: 3 }, callEvent('k2'));
    const read = parseJournal(text, 'j');
    expect([...read.calls.keys()]).toEqual(['k1']);
    expect(read.problems).toHaveLength(1);
    expect(read.problems[0]).toMatchObject({ line: 3, severity: 'warning' });
    expect(read.problems[0]?.message).toMatch(/version 3/);
  });

  it.each([
    ['a call event', lines(callEvent('k1'), runEvent())],
    ['a run event without a version', lines({ ...runEvent(), v: undefined }, callEvent('k1'))],
    ['a run header missing its workflow', lines({ ...runEvent(), workflow: undefined }, callEvent('k1'))],
    ['plain text', 'hello world\n' + lines(runEvent(), callEvent('k1'))],
    ['a JSON array', '[1,2,3]\n' + lines(runEvent(), callEvent('k1'))],
  ])('rejects a journal whose first line is %s', (_, text) => {
    const read = parseJournal(text, 'j');
    expect(read.calls.size).toBe(0);
    expect(read.events).toEqual([]);
    expect(read.problems).toHaveLength(1);
    expect(read.problems[0]).toMatchObject({ line: 1, severity: 'warning' });
    expect(read.problems[0]?.message).toMatch(/^not a reprise journal/);
  });

  const badCalls: [string, unknown, RegExp][] = [
    ['no key', { ...callEvent('x'), key: undefined }, /without `key`/],
    ['a numeric key', { ...callEvent('x'), key: 42 }, /`key` is not a non-empty string/],
    ['an empty key', callEvent(''), /`key` is not a non-empty string/],
    ['a non-object usage', callEvent('x', { usage: 'lots' as never }), /`usage`/],
    [
      'a negative token count',
      callEvent('x', { usage: { inputTokens: -1, outputTokens: 0, cachedInputTokens: 0, costUsd: null } }),
      /`usage`/,
    ],
    [
      'a string cost',
      callEvent('x', {
        usage: { inputTokens: 1, outputTokens: 0, cachedInputTokens: 0, costUsd: '0.1' as never },
      }),
      /`usage`/,
    ],
    ['negative ms', callEvent('x', { ms: -5 }), /`ms` is not a non-negative number/],
    ['a string ms', callEvent('x', { ms: '10' as never }), /`ms`/],
    ['an unknown kind', callEvent('x', { kind: 'magic' as never }), /`kind`/],
    ['a negative item', callEvent('x', { item: -1 }), /`item`/],
    ['a fractional item', callEvent('x', { item: 1.5 }), /`item`/],
    ['no result', { ...callEvent('x'), result: undefined }, /without a `result`/],
    ['a numeric step', callEvent('x', { step: 7 as never }), /`step`/],
    ['a numeric model', callEvent('x', { model: 7 as never }), /`model`/],
    ['no at', { ...callEvent('x'), at: undefined }, /without `at`/],
  ];

  it.each(badCalls)('never replays a call with %s, and names its line', (_, bad, message) => {
    const text = lines(runEvent(), callEvent('good1'), bad, callEvent('good2'));
    const read = parseJournal(text, 'j');
    expect([...read.calls.keys()]).toEqual(['good1', 'good2']);
    expect(read.events).toHaveLength(3);
    expect(read.problems).toHaveLength(1);
    expect(read.problems[0]).toMatchObject({ line: 3, severity: 'warning' });
    expect(read.problems[0]?.message).toMatch(message);
    expect(read.problems[0]?.message).toMatch(/^line 3 .*; ignored$/);
  });

  it.each([
    ['an unknown event type', { t: 'mystery', at: 'x' }, /unknown event type "mystery"/],
    ['no event type', { key: 'k', at: 'x' }, /no event type/],
    [
      'a fail event with an unknown class',
      { t: 'fail', key: 'k', step: 's', error: { class: 'odd', message: 'm' }, at: 'x' },
      /`error`/,
    ],
    ['a step event with an unknown status', { t: 'step', step: 's', status: 'done', at: 'x' }, /`status`/],
    [
      'an answer event without a value',
      { t: 'answer', key: 'sha256:4', step: 'a', at: 'x' },
      /without a `value`/,
    ],
    ['an end event with an unknown status', { t: 'end', status: 'ok', at: 'x' }, /`status`/],
    ['an end event with array outputs', { t: 'end', status: 'failed', outputs: [], at: 'x' }, /`outputs`/],
    ['a later run event with a zero attempt', runEvent({ attempt: 0 }), /`attempt`/],
    ['a later run event with array inputs', { ...runEvent(), inputs: [] }, /`inputs`/],
    ['null', null, /not a JSON object/],
    ['a string', 'just a string', /not a JSON object/],
  ])('ignores %s and names its line', (_, bad, message) => {
    const text = lines(runEvent(), JSON.stringify(bad), callEvent('k1'));
    const read = parseJournal(text, 'j');
    expect(read.events).toHaveLength(2);
    expect([...read.calls.keys()]).toEqual(['k1']);
    expect(read.problems).toHaveLength(1);
    expect(read.problems[0]).toMatchObject({ line: 2, severity: 'warning' });
    expect(read.problems[0]?.message).toMatch(message);
  });

  it('keeps the first call for a key and ignores later duplicates silently', () => {
    const first = callEvent('k1', { result: 'first' });
    const text = lines(runEvent(), first, callEvent('k1', { result: 'second' }));
    const read = parseJournal(text, 'j');
    expect(read.calls.get('k1')).toEqual(first);
    expect(read.problems).toEqual([]);
  });

  it('keeps one entry per key: the call itself, or every line in order for a repeated key', async () => {
    const [a, b1, b2, b3] = [
      callEvent('a', { result: 'a' }),
      callEvent('b', { result: 'b1' }),
      callEvent('b', { result: 'b2' }),
      callEvent('b', { result: 'b3' }),
    ];
    const path = join(tempDir('reprise-reader-'), 'journal.jsonl');
    writeFileSync(path, lines(runEvent(), b1, a, b2, b3));
    for (const read of [parseJournal(lines(runEvent(), b1, a, b2, b3), 'j'), await readJournalFile(path)]) {
      expect(read.candidates.get('a')).toEqual(a); // no list for a key journaled once
      expect(read.candidates.get('b')).toEqual([b1, b2, b3]);
      expect(candidatesOf(read.candidates, 'a')).toEqual([a]);
      expect(candidatesOf(read.candidates, 'missing')).toEqual([]);
      expect([...read.calls.entries()]).toEqual([
        ['b', b1],
        ['a', a],
      ]);
      expect({ ...read }.calls.get('b')).toEqual(b1);
    }
  });

  it('skips blank lines and tolerates CRLF line endings', () => {
    const text = lines(runEvent(), '', callEvent('k1')).replace(/\n/g, '\r\n');
    const read = parseJournal(text, 'j');
    expect([...read.calls.keys()]).toEqual(['k1']);
    expect(read.problems).toEqual([]);
  });

  it('reads an empty text as an empty journal', () => {
    const read = parseJournal('', 'j');
    expect(read.events).toEqual([]);
    expect(read.problems).toEqual([]);
  });

  it('never replays a call from a line that is not a well-formed event (property)', () => {
    const validCall = fc
      .record({ key: fc.string({ minLength: 1, maxLength: 12 }), text: fc.string({ maxLength: 40 }) })
      .map(({ key, text }) => ({
        kind: 'valid' as const,
        line: JSON.stringify(callEvent(`valid:${key}`, { result: text })),
      }));
    const garbage = fc.oneof(
      fc.string({ maxLength: 200 }).filter((text) => !text.includes('\n')),
      fc.jsonValue().map((value) => JSON.stringify(value)),
      fc
        .record({ key: fc.jsonValue(), ms: fc.jsonValue(), usage: fc.jsonValue(), kind: fc.jsonValue() })
        .map((fields) =>
          JSON.stringify({
            t: 'call',
            step: 's',
            result: 1,
            at: 'x',
            ...fields,
            key: `bad:${JSON.stringify(fields.key)}`,
          }),
        )
        .filter((line) => !line.includes('\\n')),
    );
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            validCall,
            garbage.map((line) => ({ kind: 'garbage' as const, line })),
          ),
        ),
        (entries) => {
          const text =
            [JSON.stringify(runEvent()), ...entries.map((entry) => entry.line.replace(/\n/g, ''))].join(
              '\n',
            ) + '\n';
          const read = parseJournal(text, 'j');
          const expected = new Set(
            entries
              .filter((entry) => entry.kind === 'valid')
              .map((entry) => (JSON.parse(entry.line) as { key: string }).key),
          );
          for (const key of read.calls.keys()) {
            // A garbage line might be a well-formed call by chance only if its fields are all valid.
            if (!expected.has(key)) {
              const call = read.calls.get(key);
              expect(
                typeof call?.ms === 'number' && call.ms >= 0 && ['agent', 'run'].includes(call.kind),
              ).toBe(true);
            }
          }
          for (const key of expected) expect(read.calls.has(key)).toBe(true);
          for (const problem of read.problems) expect(problem.line).toBeGreaterThan(1);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('journalBelongsTo', () => {
  it('accepts a journal of the same workflow', () => {
    expect(journalBelongsTo(parseJournal(lines(runEvent()), 'j'), 'pr-review')).toBeUndefined();
  });

  it('names the other workflow when the journal is not ours', () => {
    const read = parseJournal(
      lines(runEvent({ workflow: 'nightly' }), callEvent('k1')),
      'cache/journal.jsonl',
    );
    expect(journalBelongsTo(read, 'pr-review')).toBe(
      'cache/journal.jsonl was written by workflow "nightly", not "pr-review"; ignoring it',
    );
  });

  it('notices another workflow in a later attempt', () => {
    const read = parseJournal(lines(runEvent(), runEvent({ workflow: 'nightly', attempt: 2 })), 'j');
    expect(journalBelongsTo(read, 'pr-review')).toMatch(/"nightly"/);
  });

  it('has nothing to say about an empty journal', () => {
    expect(journalBelongsTo(parseJournal('', 'j'), 'pr-review')).toBeUndefined();
  });
});

describe('readJournalFile and parseJournal', () => {
  // The file is read in 1 MiB chunks and checked on its bytes; the text path splits a string. Both must
  // read any file the same: the same events, calls and problems, line for line.
  const checked = (event: unknown) => withChecksum(JSON.stringify(event));
  const base = [
    checked(runEvent({ v: 2 })),
    // Lines that cross the chunk boundaries, and one longer than a chunk (the buffer grows).
    ...Array.from({ length: 1500 }, (_, i) =>
      checked(callEvent(`sha256:k${i}`, { result: { text: `é${i} `.repeat(200 + (i % 7)) } })),
    ),
    checked(callEvent('sha256:long', { result: { text: 'x'.repeat(2.5 * 2 ** 20) } })),
    checked(endEvent('failed')),
    checked(runEvent({ v: 2, attempt: 2 })),
    checked(callEvent('sha256:after')),
  ];

  async function same(bytes: Buffer) {
    const path = join(tempDir('reprise-reader-'), 'journal.jsonl');
    writeFileSync(path, bytes);
    const fromFile = await readJournalFile(path);
    const fromText = parseJournal(bytes.toString('utf8'), path);
    expect(fromFile.problems).toEqual(fromText.problems);
    expect(fromFile.events).toEqual(fromText.events);
    expect([...fromFile.calls.keys()]).toEqual([...fromText.calls.keys()]);
    return fromFile;
  }

  it('read a clean journal of lines longer than a chunk alike', async () => {
    const read = await same(Buffer.from(base.join('\n') + '\n'));
    expect(read.problems).toEqual([]);
    expect(read.calls.size).toBe(1502);
    expect(read.calls.get('sha256:long')?.result).toEqual({ text: 'x'.repeat(2.5 * 2 ** 20) });
  });

  it('read damaged journals alike: flipped bytes, CRLF, blank and torn lines, invalid UTF-8', async () => {
    const clean = Buffer.from(base.join('\n') + '\n');
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(clean.length - 1), fc.integer({ min: 1, max: 255 })), { maxLength: 6 }),
        fc.boolean(),
        fc.nat(clean.length),
        fc.constantFrom('', '\r', '   ', '\u00a0', '{"t":'),
        async (flips, crlf, cut, inserted) => {
          let text = clean.toString('utf8');
          if (crlf) text = text.replaceAll('\n', '\r\n');
          const bytes = Buffer.from(text.slice(0, 400) + '\n' + inserted + '\n' + text.slice(400));
          for (const [at, mask] of flips) bytes[at % bytes.length]! ^= mask;
          await same(bytes.subarray(0, Math.min(cut + 500, bytes.length)));
        },
      ),
      { numRuns: 25 },
    );
  });
});
