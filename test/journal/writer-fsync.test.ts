// What the writer asks of the disk: how often it syncs (group commit), and what a failed write leaves.

import { readJournalFile } from '../../src/journal/reader.js';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { JournalWriter } from '../../src/journal/writer.js';
import { callEvent, runEvent } from './events.js';
import { tempDir } from './temp.js';

const calls = vi.hoisted(() => ({ fsync: 0, fsyncSync: 0, failNextWrite: false }));

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  return {
    ...fs,
    fsync: (fd: number, callback: (error: NodeJS.ErrnoException | null) => void) => {
      calls.fsync++;
      fs.fsync(fd, callback);
    },
    // A full disk: the write gets half of the line out, then fails.
    writeSync: (fd: number, buffer: Buffer, offset: number, length: number) => {
      if (!calls.failNextWrite) return fs.writeSync(fd, buffer, offset, length);
      calls.failNextWrite = false;
      fs.writeSync(fd, buffer, offset, Math.floor(length / 2));
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    },
    fsyncSync: (fd: number) => {
      calls.fsyncSync++;
      fs.fsyncSync(fd);
    },
  };
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function tempPath(): string {
  return join(tempDir('reprise-fsync-'), 'journal.jsonl');
}

afterEach(() => {
  calls.fsync = 0;
  calls.fsyncSync = 0;
});

describe('JournalWriter group commit', () => {
  it('syncs a burst of appends once, after the interval', async () => {
    const writer = await JournalWriter.open(tempPath(), { fsyncIntervalMs: 30 });
    writer.append(runEvent());
    for (let index = 0; index < 200; index++) writer.append(callEvent(`k${index}`));
    expect(calls.fsync).toBe(0);
    await vi.waitFor(() => expect(calls.fsync).toBe(1), { timeout: 5000 });
    await sleep(80);
    expect(calls.fsync).toBe(1); // nothing new to sync
    await writer.close();
    expect(calls.fsync).toBe(1);
  });

  it('flush() syncs at once, and only when something is unsynced', async () => {
    const writer = await JournalWriter.open(tempPath(), { fsyncIntervalMs: 10_000 });
    await writer.flush();
    expect(calls.fsync).toBe(0);
    writer.append(runEvent());
    await writer.flush();
    expect(calls.fsync).toBe(1);
    await writer.close();
    expect(calls.fsync).toBe(1);
  });

  it('syncs appends made while a sync was running in a later group', async () => {
    const writer = await JournalWriter.open(tempPath(), { fsyncIntervalMs: 5 });
    writer.append(runEvent());
    await vi.waitFor(() => expect(calls.fsync).toBe(1), { timeout: 5000 });
    writer.append(callEvent('late'));
    await vi.waitFor(() => expect(calls.fsync).toBe(2), { timeout: 5000 });
    await writer.close();
  });

  it('fsyncs every append when the interval is 0', async () => {
    const writer = await JournalWriter.open(tempPath(), { fsyncIntervalMs: 0 });
    writer.append(runEvent());
    writer.append(callEvent('k1'));
    expect(calls.fsyncSync).toBe(2);
    await writer.close();
    expect(calls.fsync).toBe(0);
  });

  it('does not glue the next event to a line a failed write left half-written', async () => {
    const path = tempPath();
    const writer = await JournalWriter.open(path);
    writer.append(runEvent());
    calls.failNextWrite = true;
    expect(() => writer.append(callEvent('lost'))).toThrow(/ENOSPC/);
    writer.append(callEvent('kept'));
    await writer.close();
    const read = await readJournalFile(path);
    expect([...read.calls.keys()]).toEqual(['kept']);
    expect(read.problems).toEqual([
      { line: 2, severity: 'warning', message: 'line 2 is not valid JSON; ignored' },
    ]);
  });
});
