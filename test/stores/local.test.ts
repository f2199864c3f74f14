import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Secrets } from '../../src/journal/secrets.js';
import { LocalStore, parseAge, StoreError } from '../../src/stores/local.js';
import { callEvent, endEvent, lines, runEvent } from '../journal/events.js';
import { tempDir } from '../journal/temp.js';

function store(now?: () => Date): LocalStore {
  return new LocalStore(join(tempDir('reprise-store-'), 'runs'), { now });
}

/** Writes a run directory with a journal (and optionally a result and lock). */
function addRun(
  s: LocalStore,
  id: string,
  journal: string,
  extra: { result?: unknown; lock?: string } = {},
): void {
  mkdirSync(s.runDir(id), { recursive: true });
  writeFileSync(s.journalPath(id), journal);
  if (extra.result !== undefined) writeFileSync(s.resultPath(id), JSON.stringify(extra.result));
  if (extra.lock !== undefined) writeFileSync(join(s.runDir(id), 'lock'), extra.lock);
}

function liveLock(): string {
  return JSON.stringify({ pid: process.pid, startedAt: '2026-11-21T06:00:00.000Z', hostname: hostname() });
}

describe('LocalStore ids and paths', () => {
  it('makes run ids that sort by creation time', () => {
    let clock = new Date('2026-11-21T06:15:03.456Z');
    const s = store(() => clock);
    const first = s.newRunId();
    expect(first).toMatch(/^20261121-061503-[0-9a-f]{4}$/);
    clock = new Date('2026-11-21T06:15:04.000Z');
    const second = s.newRunId();
    clock = new Date('2026-12-01T00:00:00.000Z');
    const third = s.newRunId();
    expect([third, first, second].sort()).toEqual([first, second, third]);
  });

  it('keeps runs inside the runs directory', () => {
    const s = store();
    expect(s.journalPath('20261121-061503-a1f3')).toBe(
      join(s.runsDir, '20261121-061503-a1f3', 'journal.jsonl'),
    );
    expect(s.resultPath('x')).toBe(join(s.runsDir, 'x', 'result.json'));
    for (const bad of ['../etc', 'a/b', '..', '', '.hidden']) expect(() => s.runDir(bad)).toThrow(StoreError);
  });
});

describe('LocalStore.resolve', () => {
  it("resolves 'latest' to the run that started last, whatever its id", async () => {
    const s = store();
    addRun(s, 'run-b', lines(runEvent({ at: '2026-11-21T06:00:00.000Z' })));
    addRun(s, 'run-a', lines(runEvent({ at: '2026-11-21T07:00:00.000Z' })));
    addRun(s, 'run-c', lines(runEvent({ at: '2026-11-20T07:00:00.000Z' })));
    expect(await s.resolve('latest')).toBe('run-a');
  });

  it('resolves an exact id and an unambiguous prefix', async () => {
    const s = store();
    addRun(s, '20261121-061503-a1f3', lines(runEvent()));
    addRun(s, '20261122-000000-0000', lines(runEvent()));
    expect(await s.resolve('20261121-061503-a1f3')).toBe('20261121-061503-a1f3');
    expect(await s.resolve('20261122')).toBe('20261122-000000-0000');
    await expect(s.resolve('2026112')).rejects.toThrow(/matches 2 runs/);
  });

  it('names an unknown id and lists the nearest ones', async () => {
    const s = store();
    for (const id of ['20261121-061503-a1f3', '20261121-061503-b2c4', '20250101-000000-ffff', 'zzz'])
      addRun(s, id, lines(runEvent()));
    const error = await s.resolve('20261121-061503-a1f4').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toBe(
      `no run "20261121-061503-a1f4" in ${s.runsDir}; nearest: 20261121-061503-a1f3, 20261121-061503-b2c4, 20250101-000000-ffff`,
    );
  });

  it('says so when there are no runs at all', async () => {
    const s = store();
    await expect(s.resolve('latest')).rejects.toThrow(`there are no runs in ${s.runsDir} yet`);
    await expect(s.resolve('abc')).rejects.toThrow(/no run "abc"/);
  });
});

describe('LocalStore.list', () => {
  it('describes each run, newest first, with its status', async () => {
    const s = store();
    const t = (hour: number): string => `2026-11-21T0${hour}:00:00.000Z`;
    addRun(s, 'done', lines(runEvent({ at: t(1) }), callEvent('k1'), callEvent('k2'), endEvent('succeeded')));
    addRun(
      s,
      'retried',
      lines(
        runEvent({ at: t(2) }),
        callEvent('k1'),
        endEvent('failed'),
        runEvent({ attempt: 2 }),
        callEvent('k2'),
        endEvent('succeeded'),
      ),
    );
    addRun(
      s,
      'killed',
      lines(runEvent({ at: t(3) }), callEvent('k1'), endEvent('failed'), runEvent({ attempt: 2 })),
    );
    addRun(s, 'busy', lines(runEvent({ at: t(4), workflow: 'nightly' })), { lock: liveLock() });
    addRun(s, 'result-only', lines(runEvent({ at: t(5) })), { result: { status: 'cancelled' } });

    const runs = await s.list();
    expect(runs.map((run) => [run.id, run.status, run.attempts, run.calls])).toEqual([
      ['result-only', 'cancelled', 1, 0],
      ['busy', 'running', 1, 0],
      ['killed', 'interrupted', 2, 1],
      ['retried', 'succeeded', 2, 2],
      ['done', 'succeeded', 1, 2],
    ]);
    expect(runs[1]).toMatchObject({ workflow: 'nightly', startedAt: t(4), lockedBy: { pid: process.pid } });
    expect(runs[4]?.workflow).toBe('pr-review');
  });

  it('does not take a result left by an earlier attempt for the status of a later, interrupted one', async () => {
    const s = store();
    addRun(
      s,
      'resumed',
      lines(
        runEvent({ at: '2026-11-21T06:00:00.000Z' }),
        runEvent({ attempt: 2, at: '2026-11-21T06:30:00.000Z' }),
      ),
      { result: { status: 'failed' } },
    );
    const written = new Date('2026-11-21T06:10:00.000Z');
    utimesSync(s.resultPath('resumed'), written, written);
    expect((await s.list())[0]?.status).toBe('interrupted');
    const later = new Date('2026-11-21T06:40:00.000Z');
    utimesSync(s.resultPath('resumed'), later, later);
    expect((await s.list())[0]?.status).toBe('failed');
  });

  it('lists nothing when the runs directory does not exist yet', async () => {
    expect(await store().list()).toEqual([]);
  });

  it('lists a run without a journal as interrupted', async () => {
    const s = store();
    mkdirSync(s.runDir('empty'), { recursive: true });
    const [run] = await s.list();
    expect(run).toMatchObject({ id: 'empty', status: 'interrupted', attempts: 0, calls: 0 });
    expect(run?.workflow).toBeUndefined();
  });
});

describe('LocalStore.remove and gc', () => {
  it('removes a run', async () => {
    const s = store();
    addRun(s, 'old', lines(runEvent()));
    await s.remove('old');
    expect(existsSync(s.runDir('old'))).toBe(false);
  });

  it('refuses to remove a run in use by a live process', async () => {
    const s = store();
    addRun(s, 'busy', lines(runEvent()), { lock: liveLock() });
    await expect(s.remove('busy')).rejects.toThrow(
      `run busy is in use by pid ${process.pid} since 2026-11-21T06:00:00.000Z; not removing it`,
    );
    expect(existsSync(s.journalPath('busy'))).toBe(true);
  });

  it('refuses an unknown run, naming the nearest', async () => {
    const s = store();
    addRun(s, 'run-1', lines(runEvent()));
    await expect(s.remove('run-2')).rejects.toThrow(/no run "run-2" .*nearest: run-1/);
  });

  it('collects runs older than the age, but never a run in use', async () => {
    const s = store();
    const now = new Date('2026-11-21T12:00:00.000Z');
    const daysAgo = (days: number): Date => new Date(now.getTime() - days * 86_400_000);
    addRun(s, 'ancient', lines(runEvent()));
    addRun(s, 'ancient-busy', lines(runEvent()), { lock: liveLock() });
    addRun(s, 'recent', lines(runEvent()));
    for (const [id, when] of [
      ['ancient', daysAgo(30)],
      ['ancient-busy', daysAgo(30)],
      ['recent', daysAgo(1)],
    ] as const) {
      for (const path of [s.journalPath(id), s.runDir(id)]) utimesSync(path, when, when);
    }
    expect(await s.gc(parseAge('7d'), now)).toEqual(['ancient']);
    expect(readdirSync(s.runsDir).sort()).toEqual(['ancient-busy', 'recent']);
    expect(await s.gc(parseAge('7d'), now)).toEqual([]);
  });
});

describe('LocalStore results', () => {
  it('writes a result atomically and reads it back', async () => {
    const s = store();
    await s.writeResult('r1', { status: 'succeeded', outputs: { summary: 'ok' } });
    expect(await s.readResult('r1')).toEqual({ status: 'succeeded', outputs: { summary: 'ok' } });
    expect(readdirSync(s.runDir('r1'))).toEqual(['result.json']);
    await s.writeResult('r1', { status: 'failed' });
    expect(await s.readResult('r1')).toEqual({ status: 'failed' });
  });

  it('redacts secrets from the result', async () => {
    const s = store();
    const secrets = new Secrets();
    secrets.add('sk-secret-value');
    await s.writeResult('r1', { outputs: { echo: 'key is sk-secret-value' } }, { secrets });
    expect(readFileSync(s.resultPath('r1'), 'utf8')).not.toContain('sk-secret-value');
    expect(await s.readResult('r1')).toEqual({ outputs: { echo: 'key is ***' } });
  });

  it('reads a missing result as undefined and a corrupt one as a StoreError', async () => {
    const s = store();
    expect(await s.readResult('none')).toBeUndefined();
    mkdirSync(s.runDir('bad'), { recursive: true });
    writeFileSync(s.resultPath('bad'), '{"status":');
    await expect(s.readResult('bad')).rejects.toThrow(/the result of run bad .* is not valid JSON/);
  });
});

describe('parseAge', () => {
  it.each([
    ['30m', 30 * 60_000],
    ['12h', 12 * 3_600_000],
    ['7d', 7 * 86_400_000],
    ['2w', 14 * 86_400_000],
    ['1.5h', 90 * 60_000],
    [' 45s ', 45_000],
  ])('reads %s', (text, ms) => {
    expect(parseAge(text)).toBe(ms);
  });

  it.each(['7', 'd', '7x', '-1d', 'seven days', ''])('rejects %j with an example of what works', (text) => {
    expect(() => parseAge(text)).toThrow(/is not an age: use a number and a unit, like 30m, 12h or 7d/);
  });
});
