// Standard output and error without Node's stream when they are a pipe or a file (src/cli/fd-stream.ts).
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FdStream } from '../../src/cli/fd-stream.js';

describe('FdStream', () => {
  it('writes a file directly, never building the stream, and is no terminal', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'reprise-fd-')), 'out.txt');
    const fd = openSync(path, 'w');
    let built = 0;
    const out = new FdStream(fd, () => {
      built += 1;
      return new PassThrough();
    });
    expect(out.write('résumé\n')).toBe(true);
    out.write('x'.repeat(200_000));
    closeSync(fd);
    expect(readFileSync(path, 'utf8')).toBe(`résumé\n${'x'.repeat(200_000)}`);
    expect(built).toBe(0);
    expect(out.isTTY).toBeUndefined();
  });

  it("hands anything else (a terminal, a character device) to Node's stream, with its errors", () => {
    const fd = openSync('/dev/null', 'w');
    const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 80 });
    const seen: string[] = [];
    stream.on('data', (chunk: Buffer) => seen.push(chunk.toString()));
    const out = new FdStream(fd, () => stream);
    const errors: Error[] = [];
    out.on('error', (error) => errors.push(error));
    out.write('to the stream\n');
    stream.emit('error', new Error('boom'));
    closeSync(fd);
    expect(seen.join('')).toBe('to the stream\n');
    expect(out.isTTY).toBe(true);
    expect(out.columns).toBe(80);
    expect(errors.map((error) => error.message)).toEqual(['boom']);
  });

  it('reports a closed pipe once, as EPIPE after the write, and drops what follows', () => {
    // A child writes to its stdout, a pipe whose reader (this test) has closed it before reading.
    const script = `
      const { FdStream } = await import(${JSON.stringify(resolve('src/cli/fd-stream.ts'))});
      const out = new FdStream(1, () => { throw new Error('the stream was built'); });
      const codes = [];
      out.on('error', (error) => codes.push(error.code));
      const first = out.write('a'.repeat(1 << 20));
      const second = out.write('more');
      setImmediate(() => process.stderr.write(JSON.stringify({ first, second, codes })));
    `;
    const node = JSON.stringify(process.execPath);
    const child = spawnSync('sh', ['-c', `${node} --input-type=module --no-warnings -e "$SCRIPT" | true`], {
      env: { ...process.env, SCRIPT: script },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(JSON.parse(child.stderr)).toEqual({ first: false, second: false, codes: ['EPIPE'] });
  });

  it("is flushed at once when it writes directly, and only once Node's stream has drained otherwise", async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'reprise-fd-')), 'out.txt');
    const file = openSync(path, 'w');
    const direct = new FdStream(file, () => new PassThrough());
    direct.write('done\n');
    await direct.flushed();
    closeSync(file);

    const fd = openSync('/dev/null', 'w');
    // A stream that holds what it is given until it is read: what a slow terminal or a full pipe does.
    const stream = new PassThrough({ highWaterMark: 4 });
    const out = new FdStream(fd, () => stream);
    out.write('held until read\n');
    let flushed = false;
    const waiting = out.flushed().then(() => (flushed = true));
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 20));
    expect(flushed).toBe(false);
    stream.resume();
    await waiting;
    expect(flushed).toBe(true);
    closeSync(fd);
  });
});
