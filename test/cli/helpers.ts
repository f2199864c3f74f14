// Runs the CLI in-process (src/cli/program.ts) with captured output, in a scratch directory.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { main } from '../../src/cli/program.js';

export function scratch(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'reprise-cli-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

export interface Ran {
  code: number;
  out: string;
  err: string;
}

function capture(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      text += String(chunk);
      callback();
    },
  });
  return { stream, text: () => text };
}

/** `reprise <args>` in `cwd`; `script` stands for argv[1] (the path the person typed). */
export async function reprise(
  cwd: string,
  args: string[],
  env: Record<string, string | undefined> = {},
  script = '/usr/local/bin/reprise',
): Promise<Ran> {
  const out = capture();
  const err = capture();
  const code = await main(['node', script, ...args], {
    out: out.stream,
    err: err.stream,
    cwd,
    env: { PATH: process.env.PATH, ...env },
  });
  return { code, out: out.text(), err: err.text() };
}
