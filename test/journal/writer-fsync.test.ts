// Group commit: how often the writer asks the disk to sync.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { JournalWriter } from '../../src/journal/writer.js';
import { callEvent, runEvent } from './events.js';

const calls = vi.hoisted(() => ({ fsync: 0, fsyncSync: 0 }));

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  return {
    ...fs,
    fsync: (fd: number, callback: (error: NodeJS.ErrnoException | null) => void) => {
      calls.fsync++;
      fs.fsync(fd, callback);
    },
    fsyncSync: (fd: number) => {
      calls.fsyncSync++;
      fs.fsyncSync(fd);
    },
  };
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function tempPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'reprise-fsync-')), 'journal.jsonl');
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
});
