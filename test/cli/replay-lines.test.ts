// A resume of many calls tells its replays once per step (issue 13: a line per replayed call cost ~96 ms at
// 10k calls and buried what ran live); `--verbose` lists every replayed call.
import { describe, expect, it } from 'vitest';
import { cli, scratch } from './harness.js';

const WORKFLOW = `name: lines
steps:
  - id: items
    run: seq 1 5
  - id: each
    for-each: \${{ steps.items.outputs.lines }}
    run: echo "item $ITEM"
    env: { ITEM: "\${{ item }}" }
`;

describe('replayed calls on a resume', () => {
  it('are told in one line per step, and one line per call with --verbose', async () => {
    const root = scratch({ 'w.yml': WORKFLOW });
    const first = await cli(root, 'run', 'w.yml', '--run-id', 'r1');
    expect(first.code, first.err).toBe(0);
    expect(first.out.match(/^ {2}live +each\[\d\]/gm)).toHaveLength(5);

    const resumed = await cli(root, 'run', 'w.yml', '--resume', 'r1');
    expect(resumed.code, resumed.err).toBe(0);
    expect(resumed.out).toMatch(/^ {2}replayed +each +5 calls/m);
    expect(resumed.out).not.toMatch(/each\[\d\]/);

    const verbose = await cli(root, 'run', 'w.yml', '--resume', 'r1', '--verbose');
    expect(verbose.code, verbose.err).toBe(0);
    expect(verbose.out.match(/^ {2}replayed +each\[\d\]/gm)).toHaveLength(5);
    expect(verbose.out).not.toMatch(/each +5 calls/);
  });
});
