// A corpus of damaged journals, each resumed twice the way the CLI does (read, heal, run): never a
// wrong replay, and the second resume never re-runs what the first one completed.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runAttempt } from '../../src/attempt.js';
import { healJournal } from '../../src/journal/heal.js';
import { emptyJournalRead, journalBelongsTo, readJournalFile } from '../../src/journal/reader.js';
import { load } from '../engine/harness.js';

const workflow = load(`
name: corpus
steps:
  - id: a
    run: echo alpha-1
  - id: b
    run: echo beta-2
  - id: c
    run: echo gamma-3
outputs:
  all: \${{ format('{0}|{1}|{2}', steps.a.outputs.stdout, steps.b.outputs.stdout, steps.c.outputs.stdout) }}
`);
const EXPECTED = 'alpha-1\n|beta-2\n|gamma-3\n';

async function attempt(dir: string, fresh = false) {
  const journalPath = join(dir, 'journal.jsonl');
  const previous = fresh ? emptyJournalRead(journalPath) : await readJournalFile(journalPath);
  if (journalBelongsTo(previous, workflow.name)) return undefined; // the CLI refuses it
  await healJournal(journalPath, previous);
  const { result } = await runAttempt({
    workflow,
    runId: 'r',
    journalPath,
    previous,
    workspace: dir,
    env: { PATH: process.env.PATH },
  });
  return result;
}

/** A deterministic pseudo-random sequence, so a failure can be reproduced. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

/** Offsets of the characters of the string values that start after each match of `start`. */
function valueBytes(text: string, start: RegExp): number[] {
  const out: number[] = [];
  for (const match of text.matchAll(start)) {
    let at = (match.index ?? 0) + match[0].length;
    while (at < text.length && text[at] !== '"') {
      if (text[at] === '\\')
        at++; // an escape sequence: left alone
      else out.push(at);
      at++;
    }
  }
  return out;
}

function corpus(clean: Buffer): [string, Buffer][] {
  const out: [string, Buffer][] = [];
  const text = clean.toString('utf8');
  const lines = text.split('\n').filter((line) => line !== '');
  const next = random(14);
  for (let i = 0; i < 80; i++) {
    const at = Math.floor(next() * clean.length);
    out.push([`truncated at ${at}`, clean.subarray(0, at)]);
  }
  // Byte flips of structure characters and keys, which break the line's shape.
  const structural = [...text].map((ch, i) => ('{}[]":,'.includes(ch) ? i : -1)).filter((i) => i >= 0);
  for (let i = 0; i < 70; i++) {
    const at = structural[Math.floor(next() * structural.length)] ?? 0;
    const copy = Buffer.from(clean);
    copy[at] = (copy[at] ?? 0) ^ (1 << Math.floor(next() * 7));
    out.push([`byte flip at ${at}`, copy]);
  }
  // Byte flips inside string values, which leave a valid event of the right shape (caught only by the
  // line's checksum): half in the results' stdout (a wrong answer if replayed), half in any value of
  // a call or end line, and some anywhere at all (numbers, the checksum itself).
  const stdout = valueBytes(text, /"stdout":"/g);
  const values = valueBytes(text, /(?<="t":"(?:call|end)".*?":)"/g);
  for (const [name, positions, count] of [
    ['stdout', stdout, 30],
    ['a string value', values, 30],
    ['any byte', [...clean.keys()], 16],
  ] as const) {
    for (let i = 0; i < count; i++) {
      const at = positions[Math.floor(next() * positions.length)] ?? 0;
      const copy = Buffer.from(clean);
      // Bits 0-6 of an ASCII character: the line stays valid UTF-8 text.
      copy[at] = (copy[at] ?? 0) ^ (1 << Math.floor(next() * 7));
      out.push([`byte flip in ${name} at ${at}`, copy]);
    }
  }
  for (let i = 0; i < lines.length; i++) {
    const dup = [...lines.slice(0, i + 1), lines[i], ...lines.slice(i + 1)];
    out.push([`line ${i + 1} duplicated`, Buffer.from(dup.join('\n') + '\n')]);
    for (let j = i + 1; j < lines.length; j++) {
      const swapped = [...lines];
      [swapped[i], swapped[j]] = [swapped[j] ?? '', swapped[i] ?? ''];
      out.push([`lines ${i + 1} and ${j + 1} swapped`, Buffer.from(swapped.join('\n') + '\n')]);
    }
  }
  const header = lines[0] ?? '';
  const rest = lines.slice(1).join('\n') + '\n';
  const headers: [string, string][] = [
    ['a byte-order mark', `\uFEFF${header}`],
    ['version 3', header.replace('"v":2', '"v":3')],
    ['version 0', header.replace('"v":2', '"v":0')],
    ['version 1 (a checksummed header edited)', header.replace('"v":2', '"v":1')],
    ['a header without its checksum', header.replace(/,"crc":"[0-9a-f]{8}"\}$/, '}')],
    ['a header cut short', header.slice(0, 20)],
    ['no header', ''],
    ['a header that is not an object', '[1,2,3]'],
    ['a header of another kind', header.replace('"t":"run"', '"t":"end"')],
  ];
  for (const [name, head] of headers) out.push([`${name}`, Buffer.from(`${head}\n${rest}`)]);
  for (let i = 0; i < 8; i++) {
    const garbage = Buffer.from(Array.from({ length: 16 + i * 9 }, () => Math.floor(next() * 256)));
    out.push([`binary prefix ${i}`, Buffer.concat([garbage, clean])]);
    out.push([`binary line ${i}`, Buffer.concat([clean, garbage, Buffer.from('\n')])]);
  }
  out.push(['a foreign journal', Buffer.from(text.replaceAll('"workflow":"corpus"', '"workflow":"other"'))]);
  return out;
}

describe('damaged journals', () => {
  it('heal: at least 200, each resumed twice, with 0 wrong replays and nothing re-run twice', async () => {
    const base = mkdtempSync(join(tmpdir(), 'reprise-corpus-'));
    const first = await attempt(base, true);
    expect(first?.outputs.all).toBe(EXPECTED);
    const clean = readFileSync(join(base, 'journal.jsonl'));
    const cases = corpus(clean);
    expect(cases.length).toBeGreaterThanOrEqual(200);

    const wrong: string[] = [];
    const rerun: string[] = [];
    for (const [name, bytes] of cases) {
      const dir = mkdtempSync(join(tmpdir(), 'reprise-corpus-'));
      try {
        writeFileSync(join(dir, 'journal.jsonl'), bytes);
        const once = await attempt(dir);
        if (once === undefined) continue; // refused (another workflow's journal): nothing replayed
        if (once.status !== 'succeeded' || once.outputs.all !== EXPECTED)
          wrong.push(`${name} (first resume)`);
        const twice = await attempt(dir);
        if (twice?.status !== 'succeeded' || twice.outputs.all !== EXPECTED)
          wrong.push(`${name} (second resume)`);
        if ((twice?.calls.live ?? 0) > 0) rerun.push(name);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    rmSync(base, { recursive: true, force: true });
    expect(wrong).toEqual([]);
    expect(rerun).toEqual([]);
  }, 300_000);
});
