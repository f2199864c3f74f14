import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 as zlibCrc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkLine, crc32, LineEncoder, withChecksum } from '../../src/journal/checksum.js';
import { serializeEvents } from '../../src/journal/merge.js';
import { parseJournal, readJournalFile } from '../../src/journal/reader.js';
import { candidatesOf } from '../../src/journal/types.js';
import { JournalWriter } from '../../src/journal/writer.js';
import { callEvent, endEvent, lines, runEvent } from './events.js';
import { tempDir } from './temp.js';

async function written(...events: Parameters<JournalWriter['append']>[0][]): Promise<string> {
  const path = join(tempDir('reprise-crc-'), 'journal.jsonl');
  const writer = await JournalWriter.open(path);
  for (const event of events) writer.append(event);
  await writer.close();
  return readFileSync(path, 'utf8');
}

const v2 = runEvent({ v: 2 });

describe('journal line checksums', () => {
  it('every written line ends with a CRC-32 of the text before it; the events read back without it', async () => {
    const text = await written(v2, callEvent('k1'), endEvent());
    const rows = text.split('\n').filter((line) => line !== '');
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(row).toMatch(/,"crc":"[0-9a-f]{8}"\}$/);
    const read = parseJournal(text, 'j');
    expect(read.problems).toEqual([]);
    expect(read.events).toEqual([v2, callEvent('k1'), endEvent()]);
  });

  it('a byte changed inside a string value is never replayed: the line is damage, the others are kept', async () => {
    const text = await written(
      v2,
      callEvent('k1', { result: { text: 'the answer is 42' } }),
      callEvent('k2'),
    );
    const flipped = text.replace('the answer is 42', 'the answer is 43');
    expect(flipped).not.toBe(text);
    const read = parseJournal(flipped, 'j');
    expect(read.calls.has('k1')).toBe(false);
    expect(read.candidates.has('k1')).toBe(false);
    expect(read.calls.has('k2')).toBe(true);
    expect(read.problems).toEqual([
      {
        line: 2,
        severity: 'warning',
        message: 'line 2 fails its checksum (it was changed after it was written); ignored',
      },
    ]);
  });

  it('the first valid line for a key wins over a damaged earlier one', async () => {
    const text = await written(
      v2,
      callEvent('k', { result: { text: 'right' } }),
      callEvent('k', { result: { text: 'right' } }),
    );
    const [head, first, second] = text.split('\n');
    const read = parseJournal([head, first?.replace('right', 'wrong'), second, ''].join('\n'), 'j');
    expect(candidatesOf(read.candidates, 'k').map((call) => call.result)).toEqual([{ text: 'right' }]);
  });

  it('a flip in the checksum itself, or digits in another case, fail it', async () => {
    const text = await written(v2, callEvent('k1'));
    const [head = '', call = ''] = text.split('\n');
    const digits = /"crc":"([0-9a-f]{8})"/.exec(call)?.[1] ?? '';
    const other = digits.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    for (const changed of [call.replace(digits, other), call.replace(digits, digits.toUpperCase())]) {
      if (changed === call) continue; // all digits: no case to change
      const read = parseJournal(`${head}\n${changed}\n`, 'j');
      expect(read.calls.size).toBe(0);
      expect(read.problems[0]?.message).toMatch(/fails its checksum/);
    }
  });

  it('a version 2 line without its checksum is damage (the field cut or edited away)', async () => {
    const text = await written(v2, callEvent('k1'), callEvent('k2'));
    const [head, one, two] = text.split('\n');
    const stripped = two?.replace(/,"crc":"[0-9a-f]{8}"\}$/, '}');
    const read = parseJournal([head, one, stripped, ''].join('\n'), 'j');
    expect([...read.calls.keys()]).toEqual(['k1']);
    expect(read.problems).toEqual([
      {
        line: 3,
        severity: 'warning',
        message: 'line 3 has no checksum (every line since journal version 2 has one); ignored',
      },
    ]);
  });

  it('a journal whose header fails its checksum, or lacks one, is not read at all', async () => {
    const text = await written(v2, callEvent('k1'));
    const flipped = text.replace('"workflow":"pr-review"', '"workflow":"pr-reviex"');
    expect(parseJournal(flipped, 'j')).toMatchObject({ runs: [], events: [] });
    expect(parseJournal(flipped, 'j').problems[0]?.message).toBe(
      'line 1 fails its checksum (it was changed after it was written); ignoring the journal',
    );
    const bare = parseJournal(lines(v2, callEvent('k1')), 'j');
    expect(bare.calls.size).toBe(0);
    expect(bare.problems[0]?.message).toMatch(/^line 1 has no checksum .*; ignoring the journal$/);
  });

  it('reads version 1 journals (no checksums) as before, and checks the version 2 attempts appended to them', async () => {
    const dir = tempDir('reprise-crc-');
    const path = join(dir, 'journal.jsonl');
    writeFileSync(path, lines(runEvent(), callEvent('old'), endEvent('failed')));
    const writer = await JournalWriter.open(path);
    writer.append(runEvent({ v: 2, attempt: 2 }));
    writer.append(callEvent('new'));
    await writer.close();
    const read = await readJournalFile(path);
    expect(read.problems).toEqual([]);
    expect(read.runs.map((run) => run.v)).toEqual([1, 2]);
    expect([...read.calls.keys()]).toEqual(['old', 'new']);

    // An unchecked line is accepted only inside the version 1 attempt.
    const text = readFileSync(path, 'utf8') + lines(callEvent('unchecked'));
    expect(parseJournal(text, 'j').calls.has('unchecked')).toBe(false);
  });

  it('lines that were checksummed stay checked inside a version 1 attempt', async () => {
    const text = lines(runEvent()) + (await written(callEvent('k1', { result: { text: 'yes' } })));
    expect(parseJournal(text, 'j').calls.has('k1')).toBe(true);
    expect(parseJournal(text.replace('yes', 'no!'), 'j').calls.has('k1')).toBe(false);
  });

  it('a journal whose line ends became CRLF still verifies', async () => {
    const text = await written(v2, callEvent('k1'));
    const read = parseJournal(text.replaceAll('\n', '\r\n'), 'j');
    expect(read.problems).toEqual([]);
    expect(read.calls.has('k1')).toBe(true);
  });

  it('a rewritten journal (heal, merge) is written whole in version 2, with checksums', () => {
    const text = serializeEvents([runEvent(), callEvent('k1')]);
    const read = parseJournal(text, 'j');
    expect(read.problems).toEqual([]);
    expect(read.header?.v).toBe(2);
    expect(parseJournal(text.replace('result of k1', 'result of k2'), 'j').calls.size).toBe(0);
  });
});

describe('the CRC-32 and the line encoder', () => {
  it('computes the CRC-32 zlib computes, of any bytes and any range of them', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), fc.nat(), (bytes, a, b) => {
        const start = bytes.length === 0 ? 0 : a % (bytes.length + 1);
        const end = start + (bytes.length - start === 0 ? 0 : b % (bytes.length - start + 1));
        expect(crc32(bytes, start, end)).toBe(zlibCrc32(bytes.subarray(start, end)));
      }),
      { numRuns: 2000 },
    );
    const big = randomBytes(3 * 1024 * 1024 + 5);
    expect(crc32(big)).toBe(zlibCrc32(big));
  });

  it('encodes the line withChecksum makes, as UTF-8 bytes with its newline, in a buffer it reuses', () => {
    const encoder = new LineEncoder();
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ unit: 'grapheme' }), fc.jsonValue()),
        fc.boolean(),
        (value, first) => {
          const json = JSON.stringify(value);
          const expected = (first ? '\n' : '') + withChecksum(json) + '\n';
          expect(Buffer.from(encoder.line(json, first)).toString('utf8')).toBe(expected);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('grows for a long line of multi-byte text, and does not keep a huge buffer', () => {
    const encoder = new LineEncoder();
    for (const size of [70_000, 2_000_000, 10]) {
      const json = JSON.stringify({ text: 'é€😀'.repeat(size) });
      const line = Buffer.from(encoder.line(json));
      expect(line.toString('utf8')).toBe(withChecksum(json) + '\n');
      expect(checkLine(line.toString('utf8').slice(0, -1))).toEqual({ status: 'ok', json });
    }
  });
});
