import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJournalFile } from '../../src/journal/reader.js';
import { Secrets } from '../../src/journal/secrets.js';
import type { JournalEvent } from '../../src/journal/types.js';
import { JournalWriter } from '../../src/journal/writer.js';
import { exited, spawnScript, waitForLine } from './child-process.js';
import { callEvent, endEvent, runEvent } from './events.js';
import { tempDir } from './temp.js';

function tempPath(name = 'journal.jsonl'): string {
  return join(tempDir('reprise-writer-'), name);
}

describe('JournalWriter', () => {
  it('writes events that read back identically', async () => {
    const path = tempPath();
    const events: JournalEvent[] = [
      runEvent(),
      callEvent('sha256:1'),
      callEvent('sha256:2', { item: 3, kind: 'run', result: { exitCode: 0, stdout: 'ok\n' } }),
      {
        t: 'fail',
        key: 'sha256:3',
        step: 'review',
        error: { class: 'recoverable', message: '429 slow down' },
        at: 'x',
      },
      { t: 'answer', key: 'sha256:4', step: 'approve', value: false, by: 'octocat', at: 'x' },
      { t: 'step', step: 'review', status: 'succeeded', at: 'x' },
      endEvent('failed'),
    ];
    const writer = await JournalWriter.open(path);
    for (const event of events) writer.append(event);
    await writer.close();

    const read = await readJournalFile(path);
    expect(read.problems).toEqual([]);
    expect(read.events).toEqual(events);
    expect(read.header).toEqual(events[0]);
    expect([...read.calls.keys()]).toEqual(['sha256:1', 'sha256:2']);
    expect(readFileSync(path, 'utf8').split('\n')).toHaveLength(events.length + 1);
  });

  it('creates missing parent directories', async () => {
    const path = join(tempPath('runs'), 'a', 'b', 'journal.jsonl');
    const writer = await JournalWriter.open(path);
    writer.append(runEvent());
    await writer.close();
    expect((await readJournalFile(path)).runs).toHaveLength(1);
  });

  it('appends to an earlier attempt without rewriting it', async () => {
    const path = tempPath();
    const first = await JournalWriter.open(path);
    first.append(runEvent());
    first.append(callEvent('k1'));
    await first.close();
    const before = readFileSync(path, 'utf8');

    const second = await JournalWriter.open(path);
    second.append(runEvent({ attempt: 2 }));
    second.append(callEvent('k2'));
    await second.close();

    const after = readFileSync(path, 'utf8');
    expect(after.startsWith(before)).toBe(true);
    const read = await readJournalFile(path);
    expect(read.runs.map((run) => run.attempt)).toEqual([1, 2]);
    expect([...read.calls.keys()]).toEqual(['k1', 'k2']);
  });

  it('ends a torn last line before appending, so later events stay readable', async () => {
    const path = tempPath();
    const torn = JSON.stringify(callEvent('k2')).slice(0, 40);
    writeFileSync(path, JSON.stringify(runEvent()) + '\n' + JSON.stringify(callEvent('k1')) + '\n' + torn);

    const writer = await JournalWriter.open(path);
    writer.append(runEvent({ attempt: 2 }));
    writer.append(callEvent('k3'));
    await writer.close();

    const read = await readJournalFile(path);
    expect([...read.calls.keys()]).toEqual(['k1', 'k3']);
    expect(read.runs).toHaveLength(2);
    expect(read.problems).toEqual([
      {
        line: 3,
        severity: 'info',
        message: 'line 3 is incomplete (an earlier attempt was interrupted while writing it); ignored',
      },
    ]);
  });

  it('never writes a secret, raw or JSON-escaped, anywhere in an event', async () => {
    const path = tempPath();
    const secrets = new Secrets();
    const quoted = 'sk-"quoted"\\secret';
    secrets.add('ghp_plainsecret123');
    secrets.add(quoted);
    secrets.add('31415926');
    const writer = await JournalWriter.open(path, { secrets });
    writer.append(runEvent({ inputs: { token: 'ghp_plainsecret123' } }));
    writer.append(
      callEvent('k1', {
        result: { reply: { nested: [`uses ${quoted} here`, { deeper: 'ghp_plainsecret123' }] } },
      }),
    );
    writer.append(callEvent('k2', { ms: 31415926 }));
    await writer.close();

    const text = readFileSync(path, 'utf8');
    for (const form of ['ghp_plainsecret123', quoted, JSON.stringify(quoted).slice(1, -1), '31415926']) {
      expect(text).not.toContain(form);
    }
    const read = await readJournalFile(path);
    expect(read.runs[0]?.inputs).toEqual({ token: '***' });
    expect(read.calls.get('k1')?.result).toEqual({ reply: { nested: ['uses *** here', { deeper: '***' }] } });
    // A call whose duration had to be redacted is no longer replayable: reported, not replayed wrongly.
    expect(read.calls.has('k2')).toBe(false);
    expect(read.problems).toHaveLength(1);
  });

  it('stores an undefined call result as null so the call stays replayable', async () => {
    const path = tempPath();
    const writer = await JournalWriter.open(path);
    writer.append(runEvent());
    writer.append(callEvent('k1', { result: undefined }));
    await writer.close();
    const read = await readJournalFile(path);
    expect(read.calls.get('k1')?.result).toBeNull();
  });

  it('keeps appends from many concurrent async callers on separate lines', async () => {
    const path = tempPath();
    const writer = await JournalWriter.open(path, { fsyncIntervalMs: 1 });
    writer.append(runEvent());
    await Promise.all(
      Array.from({ length: 300 }, async (_, index) => {
        await new Promise((resolve) => setTimeout(resolve, index % 7));
        writer.append(callEvent(`k${index}`, { result: { text: String(index).repeat(500 + index) } }));
        if (index % 50 === 0) await writer.flush();
      }),
    );
    await writer.close();
    const text = readFileSync(path, 'utf8');
    for (const line of text.trimEnd().split('\n')) expect(() => JSON.parse(line) as unknown).not.toThrow();
    const read = await readJournalFile(path);
    expect(read.problems).toEqual([]);
    expect(read.calls.size).toBe(300);
  });

  it('keeps lines whole when several processes append to the same journal at once', async () => {
    const path = tempPath();
    writeFileSync(path, JSON.stringify(runEvent()) + '\n');
    const script = `
      import { JournalWriter } from './src/journal/writer.js';
      const [path, name, startAt] = process.argv.slice(2);
      const writer = await JournalWriter.open(path);
      // Start together, so the appends really overlap.
      while (Date.now() < Number(startAt));
      for (let i = 0; i < 1000; i++) {
        writer.append({ t: 'call', key: name + '-' + i, step: 's', kind: 'run', result: { text: name.repeat(4000 + (i % 97) * 50) }, ms: 1, at: 'x' });
      }
      await writer.close();
    `;
    const startAt = String(Date.now() + 1000);
    const children = ['a', 'b', 'c', 'd'].map((name) => spawnScript(script, [path, name, startAt]));
    await Promise.all(children.map(exited));
    expect(children.map((child) => child.exitCode)).toEqual([0, 0, 0, 0]);
    const read = await readJournalFile(path);
    expect(read.problems).toEqual([]);
    expect(read.calls.size).toBe(4000);
  });

  it('loses no appended line when the process is killed with SIGKILL mid-run', async () => {
    const path = tempPath();
    const script = `
      import { JournalWriter } from './src/journal/writer.js';
      const writer = await JournalWriter.open(process.argv[2]);
      writer.append({ v: 1, t: 'run', workflow: 'w', script: 'sha256:x', runId: 'r', attempt: 1, inputs: {}, at: 'x' });
      for (let i = 0; ; i++) {
        writer.append({ t: 'call', key: 'k' + i, step: 's', kind: 'agent', result: { text: 'y'.repeat(1000 + (i % 300) * 37) }, ms: 1, at: 'x' });
        if (i % 25 === 0) {
          process.stdout.write('appended ' + (i + 1) + '\\n');
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
    `;
    const child = spawnScript(script, [path]);
    const line = await waitForLine(child, (text) => Number(text.split(' ')[1]) >= 2000);
    child.kill('SIGKILL');
    await exited(child);
    expect(child.signalCode).toBe('SIGKILL');

    const reported = Number(line.split(' ')[1]);
    const read = await readJournalFile(path);
    expect(read.problems.filter((problem) => problem.severity === 'warning')).toEqual([]);
    expect(read.calls.size).toBeGreaterThanOrEqual(reported);
    const keys = [...read.calls.keys()];
    expect(keys).toEqual(keys.map((_, index) => `k${index}`));

    // The next attempt appends after whatever the killed one left.
    const writer = await JournalWriter.open(path);
    writer.append(runEvent({ attempt: 2 }));
    writer.append(callEvent('after-kill'));
    await writer.close();
    const resumed = await readJournalFile(path);
    expect(resumed.calls.get('after-kill')).toBeDefined();
    expect(resumed.calls.size).toBe(read.calls.size + 1);
  });

  it('refuses to append after close', async () => {
    const writer = await JournalWriter.open(tempPath());
    writer.append(runEvent());
    await writer.close();
    await writer.close();
    expect(() => writer.append(callEvent('k'))).toThrow(/closed/);
  });

  it('does not keep the process alive with a pending fsync', async () => {
    const path = tempPath();
    const script = `
      import { JournalWriter } from './src/journal/writer.js';
      const writer = await JournalWriter.open(process.argv[2], { fsyncIntervalMs: 60000 });
      writer.append({ v: 1, t: 'run', workflow: 'w', script: 'sha256:x', runId: 'r', attempt: 1, inputs: {}, at: 'x' });
    `;
    const child = spawnScript(script, [path]);
    const started = Date.now();
    await exited(child);
    expect(child.exitCode).toBe(0);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect((await readJournalFile(path)).runs).toHaveLength(1);
  });

  it('rejects a negative fsync interval', async () => {
    await expect(JournalWriter.open(tempPath(), { fsyncIntervalMs: -1 })).rejects.toThrow(/fsyncIntervalMs/);
  });

  it('keeps a line appended by hand after a write readable', async () => {
    const path = tempPath();
    const writer = await JournalWriter.open(path);
    writer.append(runEvent());
    appendFileSync(path, JSON.stringify(callEvent('external')) + '\n');
    writer.append(callEvent('mine'));
    await writer.close();
    expect([...(await readJournalFile(path)).calls.keys()]).toEqual(['external', 'mine']);
  });
});
