// Stack traces through the minified bundle name src/ lines: a chunk's source map is read when a stack
// through it is formatted (src/stack-traces.ts), not as the chunk loads.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { encode } from '@jridgewell/sourcemap-codec';
import { afterAll, describe, expect, it } from 'vitest';
import { formatStack } from '../src/stack-traces.js';

const root = mkdtempSync(join(tmpdir(), 'reprise-stack-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// A chunk as terser writes it: one line, our code (mapped to src/thrower.ts) then an SDK's (a segment with
// no source, as rollup.config.js writes after our code). CommonJS, so that Node loads it itself (vitest
// would transform an ES module it imports: other lines, other names); the bundle's ES chunks are named by
// file: URLs, which test/e2e/action.test.ts covers on dist/.
const CODE =
  "exports.ours = function ours() { throw new Error('from our code'); };" +
  "exports.theirs = function theirs() { throw new Error('from an SDK'); };";

function chunk(name: string, map: string | undefined): string {
  const dir = join(root, 'dist', 'chunks');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.cjs`);
  writeFileSync(file, `${CODE}\n${map === undefined ? '' : `//# sourceMappingURL=${name}.cjs.map\n`}`);
  if (map !== undefined) writeFileSync(`${file}.map`, map);
  return file;
}

const ourThrow = CODE.indexOf('new Error');
const theirCode = CODE.indexOf('exports.theirs');
const MAP = JSON.stringify({
  version: 3,
  sources: ['../../src/thrower.ts'],
  names: [],
  // generated column → src/thrower.ts line 12 (0-based 11), column 5 (0-based 4); then no source, and an
  // empty line, as rollup.config.js writes it (Node reads a source-less segment ending the mappings as mapped).
  mappings: encode([[[0, 0, 11, 0], [ourThrow, 0, 11, 4], [theirCode]], []]),
});

const nodeRequire = createRequire(import.meta.url);

/** The error `fn` throws and the frames V8 hands a stack formatter. */
function thrown(file: string, fn: 'ours' | 'theirs'): { error: Error; frames: NodeJS.CallSite[] } {
  const module = nodeRequire(file) as Record<string, () => void>;
  const original = Error.prepareStackTrace;
  Error.prepareStackTrace = (_error, frames) => frames;
  try {
    module[fn]!();
  } catch (caught) {
    const error = caught as Error;
    return { error, frames: error.stack as unknown as NodeJS.CallSite[] };
  } finally {
    Error.prepareStackTrace = original;
  }
  throw new Error(`${fn} did not throw`);
}

describe('stack traces through the bundle', () => {
  it('name the src/ file, line and column of our code, read from the chunk map', async () => {
    const file = chunk('mapped', MAP);
    const { error, frames } = thrown(file, 'ours');
    const lines = formatStack(error, frames).split('\n');
    expect(lines[0]).toBe('Error: from our code');
    expect(lines[1]).toMatch(/^ {4}at (Object\.)?ours \(/);
    expect(lines[1]).toContain(`ours (${join(root, 'src', 'thrower.ts')}:12:5)`);
    // The caller (this test file) is printed as V8 prints it.
    expect(lines[2]).toMatch(/^ {4}at thrown \(.*stack-traces\.test\.ts:\d+:\d+\)$/);
  });

  it('leave a frame in code that is not ours (no source in the map) as V8 prints it', async () => {
    const file = chunk('sdk', MAP);
    const { error, frames } = thrown(file, 'theirs');
    const lines = formatStack(error, frames).split('\n');
    expect(lines[0]).toBe('Error: from an SDK');
    expect(lines[1]).toContain(`theirs (${file}:1:${CODE.lastIndexOf('new Error') + 1})`);
  });

  it('leave the frames alone when the map is missing or broken, without failing', async () => {
    for (const [name, map] of [
      ['unmapped', undefined],
      ['broken', '{ not json'],
    ] as const) {
      const file = chunk(name, map);
      const { error, frames } = thrown(file, 'ours');
      const lines = formatStack(error, frames).split('\n');
      expect(lines[1]).toContain(`ours (${file}:1:${ourThrow + 1})`);
    }
  });
});
