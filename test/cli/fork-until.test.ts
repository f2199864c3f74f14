// `reprise run --until STEP` pauses (exit 4) and --resume continues; `reprise fork RUN --from STEP`
// seeds a new run whose STEP and later steps run live while earlier ones replay.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, scratch } from './harness.js';

const WORKFLOW = `
name: abc
steps:
  - id: a
    run: echo "a $RANDOM$RANDOM"
  - id: group
    parallel:
      - id: b1
        run: echo "b1 $RANDOM$RANDOM"
      - id: b2
        run: echo "b2 $RANDOM$RANDOM"
  - id: c
    run: echo "c $RANDOM$RANDOM"
outputs:
  a: \${{ steps.a.outputs.stdout }}
  c: \${{ steps.c.outputs.stdout }}
`;

describe('--until', () => {
  it('pauses after the step with exit 4; --resume replays it and runs the rest', async () => {
    const root = scratch({ 'w.yml': WORKFLOW });
    const file = join(root, 'w.yml');
    const paused = await cli(root, 'run', file, '--run-id', 'r1', '--until', 'group', '--json');
    expect(paused.code).toBe(4);
    expect(paused.json()).toMatchObject({ status: 'paused', calls: { live: 3 } });
    const journal = readFileSync(join(root, '.reprise/runs/r1/journal.jsonl'), 'utf8');
    expect(journal).toContain('"status":"paused"');
    const shown = await cli(root, 'runs', 'show', 'r1', '--json');
    expect(JSON.parse(shown.out)).toMatchObject({ status: 'paused' });

    const resumed = await cli(root, 'run', file, '--resume', 'r1', '--json');
    expect(resumed.code).toBe(0);
    expect(resumed.json()).toMatchObject({ status: 'succeeded', calls: { live: 1, replayed: 3 } });
  });

  it('refuses a step the workflow does not have', async () => {
    const root = scratch({ 'w.yml': WORKFLOW });
    const run = await cli(root, 'run', join(root, 'w.yml'), '--until', 'b3');
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/--until b3: workflow abc has no step "b3".*did you mean/);
  });
});

describe('fork', () => {
  it('--from a step: that step and later ones run live, earlier ones replay', async () => {
    const root = scratch({ 'w.yml': WORKFLOW });
    const file = join(root, 'w.yml');
    const first = await cli(root, 'run', file, '--run-id', 'src', '--json');
    expect(first.code).toBe(0);
    const original = first.json().outputs as Record<string, string>;

    const fork = await cli(root, 'fork', 'src', '--from', 'b2', '--run-id', 'f1');
    expect(fork.code).toBe(0);
    expect(fork.out).toContain('forked run src as f1: 2 journaled calls kept, 2 of "b2" and later steps');
    const resumed = await cli(root, 'run', file, '--resume', 'f1', '--json');
    expect(resumed.json()).toMatchObject({ status: 'succeeded', calls: { live: 2, replayed: 2 } });
    const outputs = resumed.json().outputs as Record<string, string>;
    expect(outputs.a).toBe(original.a);
    expect(outputs.c).not.toBe(original.c);

    // The source run is untouched; a fork without --from is a full copy that replays everything.
    const copy = await cli(root, 'fork', 'src', '--run-id', 'f2');
    expect(copy.code).toBe(0);
    const replayed = await cli(root, 'run', file, '--resume', 'f2', '--json');
    expect(replayed.json()).toMatchObject({ calls: { live: 0, replayed: 4 }, outputs: original });
  });

  it('names the run and the step when they do not exist', async () => {
    const root = scratch({ 'w.yml': WORKFLOW });
    await cli(root, 'run', join(root, 'w.yml'), '--run-id', 'src');
    expect((await cli(root, 'fork', 'nope')).err).toMatch(/nope/);
    const bad = await cli(root, 'fork', 'src', '--from', 'd');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--from d: workflow abc has no step "d"/);
    expect((await cli(root, 'fork', 'src', '--run-id', 'src')).err).toMatch(/already exists/);
  });
});
