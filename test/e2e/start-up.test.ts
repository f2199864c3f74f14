// What the bundled CLI loads at start. Node's child_process brings net, dgram and the streams (about 8 ms of
// every start), `performance` brings perf_hooks, and `process.stdout` on a pipe brings net: a resume that replays every call and `validate` start no
// process and need neither (LAZY_BUILTINS in rollup.config.js, scripts/bundle/lazy-child-process.cjs for
// commander).
// The builtins a process loaded are read from `process.moduleLoadList` as it exits.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, lastJson, workspace } from './cli-helpers.js';

const WORKFLOW = `name: start-up
steps:
  - id: greet
    run: echo "hello"
outputs:
  said: \${{ steps.greet.outputs.stdout }}
`;

/** The CLI's exit code and the builtins it loaded (Node's own names, such as `child_process`). */
function loaded(
  dir: string,
  args: string[],
  env: Record<string, string> = {},
): { code: number | null; stdout: string; builtins: Set<string> } {
  const list = join(dir, `loaded-${Math.random().toString(36).slice(2)}.txt`);
  const preload = join(dir, 'record-builtins.cjs');
  writeFileSync(
    preload,
    `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(list)}, process.moduleLoadList.join('\\n')));\n`,
  );
  const run = cli(dir, args, { ...env, NODE_OPTIONS: `--require ${preload}` });
  const names = readFileSync(list, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('NativeModule '))
    .map((line) => line.slice('NativeModule '.length));
  return { code: run.code, stdout: run.stdout, builtins: new Set(names) };
}

describe('start-up of the CLI', () => {
  it('loads child_process for a live run step, and neither it nor perf_hooks to validate or replay', () => {
    const dir = workspace({ 'wf.yml': WORKFLOW });
    // Where the run keeps the workflow it checked, for the resume (src/workflow/definition-cache.ts).
    const cache = { REPRISE_CACHE_DIR: join(dir, 'cache') };
    const entries = () =>
      existsSync(join(dir, 'cache/workflows')) ? readdirSync(join(dir, 'cache/workflows')) : [];

    const validate = loaded(dir, ['validate', 'wf.yml'], cache);
    expect(validate.code).toBe(0);
    expect(validate.builtins.has('child_process')).toBe(false);

    expect(entries()).toEqual([]);
    const live = loaded(dir, ['run', 'wf.yml', '--run-id', 'r', '--json'], cache);
    expect(live.code).toBe(0);
    expect(lastJson(live.stdout).outputs).toEqual({ said: 'hello\n' });
    // The check would pass vacuously if the list missed what the process used.
    expect(live.builtins.has('child_process')).toBe(true);

    expect(entries()).toHaveLength(1);
    const resume = loaded(dir, ['run', 'wf.yml', '--resume', 'r', '--json'], cache);
    expect(resume.code).toBe(0);
    expect(lastJson(resume.stdout)).toMatchObject({ outputs: { said: 'hello\n' }, calls: { live: 0 } });
    expect(resume.builtins.has('child_process')).toBe(false);
    expect(resume.builtins.has('perf_hooks')).toBe(false);
    // Its standard output and error are pipes here, written without Node's stream (src/cli/fd-stream.ts).
    expect(resume.builtins.has('net')).toBe(false);
  });
});

describe('the heap of the CLI', () => {
  it("keeps V8's young generation at its size while a resume replays what it keeps (src/young-generation.ts)", () => {
    // Replaying this step keeps 300,000 lines (`outputs.lines`): V8 would grow its young generation to 16 MB.
    const dir = workspace({ 'wf.yml': 'name: young\nsteps:\n  - id: many\n    run: seq 1 300000\n' });
    expect(cli(dir, ['run', 'wf.yml', '--run-id', 'r']).code).toBe(0);
    const sizes = join(dir, 'new-space.txt');
    const preload = join(dir, 'record-new-space.cjs');
    writeFileSync(
      preload,
      `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(sizes)}, String(require('v8').getHeapSpaceStatistics().find((space) => space.space_name === 'new_space').space_size)));\n`,
    );
    const resume = cli(dir, ['run', 'wf.yml', '--resume', 'r', '--json'], {
      NODE_OPTIONS: `--require ${preload}`,
    });
    expect(resume.code).toBe(0);
    expect(lastJson(resume.stdout)).toMatchObject({ calls: { live: 0, replayed: 1 } });
    // Two semi-spaces of 1 MB (Node 20 to 24); 16 MB or more when it grows.
    expect(Number(readFileSync(sizes, 'utf8'))).toBeLessThanOrEqual(4 * 1024 * 1024);

    // Once a call runs live, it may grow again: the step added here runs live after the replay.
    writeFileSync(
      join(dir, 'wf.yml'),
      'name: young\nsteps:\n  - id: many\n    run: seq 1 300000\n  - id: more\n    run: seq 2 300001\n',
    );
    const live = cli(dir, ['run', 'wf.yml', '--resume', 'r', '--json'], {
      NODE_OPTIONS: `--require ${preload}`,
    });
    expect(lastJson(live.stdout)).toMatchObject({ calls: { live: 1, replayed: 1 } });
    expect(Number(readFileSync(sizes, 'utf8'))).toBeGreaterThan(4 * 1024 * 1024);
  });
});
