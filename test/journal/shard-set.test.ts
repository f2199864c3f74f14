// Shard journals are checked as a set before a merge: each refusal names the journal at fault.
import { describe, expect, it } from 'vitest';
import { checkShardSet, ShardSetError } from '../../src/journal/shard-set.js';
import type { ShardSetOptions } from '../../src/journal/shard-set.js';
import { parseJournal } from '../../src/journal/reader.js';
import type { RunEvent } from '../../src/journal/types.js';
import { callEvent, endEvent, lines, runEvent } from './events.js';

const SCRIPT = 'sha256:' + 'a'.repeat(64);
const options: ShardSetOptions = { workflow: 'pr-review', script: SCRIPT, onMissing: 'fail' };

function shard(
  index: number,
  total: number,
  overrides: Partial<RunEvent> = {},
  status: 'sharded' | 'failed' | null = 'sharded',
) {
  return parseJournal(
    lines(
      runEvent({ shard: { index, total }, ...overrides }),
      callEvent(`key-${index}`),
      ...(status ? [endEvent(status)] : []),
    ),
    `shard-${index}/journal.jsonl`,
  );
}

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (caught) {
    if (caught instanceof ShardSetError) return caught.message;
    throw caught;
  }
  throw new Error('expected the set to be refused');
}

describe('checkShardSet', () => {
  it('merges a complete set in shard order', () => {
    const set = checkShardSet([shard(2, 3), shard(0, 3), shard(1, 3)], options);
    expect(set.total).toBe(3);
    expect(set.shards.map((s) => s.index)).toEqual([0, 1, 2]);
    expect([...set.merged.calls.keys()]).toEqual(['key-0', 'key-1', 'key-2']);
    expect(set.warnings).toEqual([]);
  });

  it('refuses a missing shard, naming it', () => {
    expect(refusal(() => checkShardSet([shard(0, 3), shard(2, 3)], options))).toMatch(
      /no journal of shard 1\/3 \(found 2 of 3\)/,
    );
  });

  it('runs a missing shard live under on-missing-shard: run', () => {
    const set = checkShardSet([shard(0, 3), shard(2, 3)], { ...options, onMissing: 'run' });
    expect(set.missing).toEqual([1]);
    expect(set.warnings).toEqual(['no journal of shard 1/3: its items run live here']);
  });

  it('refuses a duplicated shard, naming both journals', () => {
    const again = parseJournal(
      lines(runEvent({ shard: { index: 1, total: 2 } }), endEvent('sharded')),
      'copy/journal.jsonl',
    );
    expect(refusal(() => checkShardSet([shard(0, 2), shard(1, 2), again], options))).toMatch(
      'shard 1/2 appears twice: shard-1/journal.jsonl and copy/journal.jsonl',
    );
  });

  it('refuses a shard of another workflow, of another version of the file, or of another split', () => {
    expect(refusal(() => checkShardSet([shard(0, 2), shard(1, 2, { workflow: 'other' })], options))).toMatch(
      'shard-1/journal.jsonl is a journal of workflow "other", not "pr-review"',
    );
    expect(
      refusal(() =>
        checkShardSet([shard(0, 2), shard(1, 2, { script: 'sha256:' + 'b'.repeat(64) })], options),
      ),
    ).toMatch(/shard-1\/journal.jsonl \(shard 1\/2\) ran another version of the workflow file/);
    expect(refusal(() => checkShardSet([shard(0, 2), shard(1, 4)], options))).toMatch(
      /different numbers of shards: .*shard-1\/journal.jsonl is shard 1\/4/,
    );
    expect(refusal(() => checkShardSet([shard(0, 2), shard(1, 2, { inputs: { pr: 7 } })], options))).toMatch(
      /shard-1\/journal.jsonl \(shard 1\/2\) ran with another value of input "pr"/,
    );
  });

  it('refuses a journal that is not a shard, and a corrupted one', () => {
    const plain = parseJournal(lines(runEvent(), endEvent('succeeded')), 'plain.jsonl');
    const garbage = parseJournal('PK\u0003\u0004 binary\n', 'garbage.jsonl');
    const message = refusal(() => checkShardSet([shard(0, 2), shard(1, 2), plain, garbage], options));
    expect(message).toMatch('plain.jsonl is not a shard');
    expect(message).toMatch(/garbage.jsonl is corrupted: not a reprise journal/);
  });

  it('refuses a shard that did not finish, unless its remaining items may run live', () => {
    const failed = shard(1, 2, {}, 'failed');
    const cut = shard(1, 2, {}, null);
    expect(refusal(() => checkShardSet([shard(0, 2), failed], options))).toMatch(
      /shard 1\/2 \(shard-1\/journal.jsonl\) did not finish its part: its last attempt ended failed/,
    );
    expect(refusal(() => checkShardSet([shard(0, 2), cut], options))).toMatch(/its last attempt was cut off/);
    const set = checkShardSet([shard(0, 2), failed], { ...options, onMissing: 'run' });
    expect(set.merged.calls.has('key-1')).toBe(true);
    expect(set.warnings[0]).toMatch(/its 1 journaled calls are replayed and the rest run live/);
  });

  it('reports damaged lines of a shard and never takes them as calls', () => {
    const damaged = parseJournal(
      lines(
        runEvent({ shard: { index: 1, total: 2 } }),
        '{"t":"call","key":"key-x"',
        callEvent('key-1'),
        endEvent('sharded'),
      ),
      'shard-1/journal.jsonl',
    );
    const set = checkShardSet([shard(0, 2), damaged], options);
    expect(set.merged.calls.has('key-x')).toBe(false);
    expect(set.warnings).toEqual(['shard-1/journal.jsonl: line 2 is not valid JSON; ignored']);
  });
});
