// Runs the CLI in this process with captured output, in a scratch directory.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '../../src/cli/program.js';

export interface CliRun {
  code: number;
  out: string;
  err: string;
  /** The last stdout line parsed, for --json. */
  json: () => Record<string, unknown>;
}

export function scratch(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'reprise-cli-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, name), text);
  return root;
}

export async function cli(root: string, ...args: string[]): Promise<CliRun> {
  let out = '';
  let err = '';
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await main(['node', 'reprise', ...args], {
    out: stdout,
    err: stderr,
    cwd: root,
    env: { PATH: process.env.PATH },
  });
  return {
    code,
    out,
    err,
    json: () => JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>,
  };
}
