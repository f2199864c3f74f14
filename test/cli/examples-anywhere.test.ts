// The examples run from any directory (issue 13): a command provider's `./` arguments are relative to the
// workflow file, not to where reprise was started.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, scratch } from './harness.js';

const HELLO = resolve(import.meta.dirname, '../../examples/hello.yml');

describe('examples/hello.yml from another directory', () => {
  it('finds its local agent next to the workflow file', async () => {
    const root = scratch({});
    const run = await cli(root, 'run', HELLO, '--json');
    expect(run.code, run.err).toBe(0);
    expect(run.err).not.toContain('MODULE_NOT_FOUND');
    expect(run.json()).toMatchObject({ status: 'succeeded', calls: { live: 6 } });
    expect(readFileSync(resolve(root, '.reprise/hello-summary.txt'), 'utf8')).toContain('In short:');
  });
});
