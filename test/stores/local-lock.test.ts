// Run locks between real processes.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalStore, StoreError } from '../../src/stores/local.js';
import { exited, spawnScript, waitForLine } from '../journal/child-process.js';
import { tempDir } from '../journal/temp.js';

function store(): LocalStore {
  return new LocalStore(join(tempDir('reprise-lock-'), 'runs'));
}

/** A child process that takes the lock of `id` and holds it until killed (or for `holdMs`). */
const holder = `
  import { LocalStore } from './src/stores/local.js';
  const [runsDir, id, holdMs] = process.argv.slice(2);
  const store = new LocalStore(runsDir);
  try {
    const lock = await store.lock(id);
    process.stdout.write('locked ' + (lock.tookOver ?? '-') + '\\n');
    setTimeout(() => lock.release().then(() => process.exit(0)), Number(holdMs));
  } catch (error) {
    process.stdout.write('refused ' + error.message + '\\n');
  }
`;

async function deadPid(): Promise<number> {
  const child = spawnScript('');
  await exited(child);
  return child.pid as number;
}

describe('LocalStore.lock', () => {
  it('gives the lock to one holder at a time, within a process', async () => {
    const s = store();
    const lock = await s.lock('r1');
    expect(JSON.parse(readFileSync(lock.path, 'utf8'))).toMatchObject({
      pid: process.pid,
      hostname: hostname(),
    });
    expect(lock.tookOver).toBeUndefined();
    await expect(s.lock('r1')).rejects.toThrow(new RegExp(`^run r1 is in use by pid ${process.pid} since `));
    await lock.release();
    await lock.release();
    expect(existsSync(lock.path)).toBe(false);
    const again = await s.lock('r1');
    await again.release();
    expect(readdirSync(s.runDir('r1'))).toEqual([]);
  });

  it('refuses a run locked by another live process, naming its pid and start', async () => {
    const s = store();
    const child = spawnScript(holder, [s.runsDir, 'r1', '60000']);
    try {
      await waitForLine(child, (line) => line.startsWith('locked'));
      const error = await s.lock('r1').catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(StoreError);
      const { startedAt } = JSON.parse(readFileSync(join(s.runDir('r1'), 'lock'), 'utf8')) as {
        startedAt: string;
      };
      expect((error as Error).message).toBe(`run r1 is in use by pid ${child.pid} since ${startedAt}`);
      expect((await s.list())[0]).toMatchObject({
        id: 'r1',
        status: 'running',
        lockedBy: { pid: child.pid },
      });
    } finally {
      child.kill('SIGKILL');
      await exited(child);
    }
    // Killed without releasing: the lock is stale now, and the next process takes it over.
    const lock = await s.lock('r1');
    expect(lock.tookOver).toMatch(new RegExp(`locked by pid ${child.pid} since .*no longer running`));
    expect(JSON.parse(readFileSync(lock.path, 'utf8'))).toMatchObject({ pid: process.pid });
    await lock.release();
  });

  it('takes over a lock whose process is gone', async () => {
    const s = store();
    const pid = await deadPid();
    mkdirSync(s.runDir('r1'), { recursive: true });
    writeFileSync(
      join(s.runDir('r1'), 'lock'),
      JSON.stringify({ pid, startedAt: 'yesterday', hostname: hostname() }),
    );
    expect((await s.list())[0]?.status).not.toBe('running');
    const lock = await s.lock('r1');
    expect(lock.tookOver).toBe(
      `run r1 was locked by pid ${pid} since yesterday, which is no longer running; took the lock over`,
    );
    await lock.release();
  });

  it('takes over an unreadable lock file', async () => {
    const s = store();
    mkdirSync(s.runDir('r1'), { recursive: true });
    writeFileSync(join(s.runDir('r1'), 'lock'), '{"pid": 12');
    const lock = await s.lock('r1');
    expect(lock.tookOver).toMatch(/unreadable lock file/);
    await lock.release();
  });

  it('treats a lock from another host as held, since it cannot be checked', async () => {
    const s = store();
    mkdirSync(s.runDir('r1'), { recursive: true });
    const lock = { pid: 4242, startedAt: '2026-11-21T06:00:00.000Z', hostname: 'elsewhere.example' };
    writeFileSync(join(s.runDir('r1'), 'lock'), JSON.stringify(lock));
    await expect(s.lock('r1')).rejects.toThrow(
      'run r1 is in use by pid 4242 on host elsewhere.example since',
    );
  });

  it('does not release a lock that was taken over by someone else', async () => {
    const s = store();
    const mine = await s.lock('r1');
    const theirs = JSON.stringify({ pid: 1, startedAt: 'now', hostname: hostname() });
    writeFileSync(mine.path, theirs);
    await mine.release();
    expect(readFileSync(mine.path, 'utf8')).toBe(theirs);
  });

  it('lets exactly one of several processes racing for a stale lock take it', async () => {
    const s = store();
    const pid = await deadPid();
    mkdirSync(s.runDir('r1'), { recursive: true });
    writeFileSync(
      join(s.runDir('r1'), 'lock'),
      JSON.stringify({ pid, startedAt: 'then', hostname: hostname() }),
    );
    const children = Array.from({ length: 6 }, () => spawnScript(holder, [s.runsDir, 'r1', '3000']));
    const outcomes = await Promise.all(
      children.map((child) =>
        waitForLine(child, (line) => line.startsWith('locked') || line.startsWith('refused')),
      ),
    );
    await Promise.all(children.map(exited));
    expect(outcomes.filter((line) => line.startsWith('locked'))).toHaveLength(1);
    expect(outcomes.filter((line) => line.startsWith('refused'))).toHaveLength(5);
    for (const line of outcomes.filter((text) => text.startsWith('refused')))
      expect(line).toMatch(/is in use by pid/);
    expect(readdirSync(s.runDir('r1'))).toEqual([]);
  });
});
