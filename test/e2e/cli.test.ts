// The `reprise` CLI as a person meets it: exit codes, messages, --json, resume, locks, signals, journals.
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withChecksum } from '../../src/journal/checksum.js';
import { CLI, REPO, cli, cliAsync, exited, journalLines, lastJson, workspace } from './cli-helpers.js';

const SIMPLE = `
name: simple
inputs:
  who: { type: string, default: world }
  times: { type: number, default: 2 }
steps:
  - id: greet
    for-each: \${{ fromJSON(format('[{0}]', inputs.times == 3 && '1,2,3' || '1,2')) }}
    run: echo "hello $WHO $N"
    env: { WHO: "\${{ inputs.who }}", N: "\${{ item }}" }
  - id: join
    run: echo "$ALL"
    env: { ALL: "\${{ join(steps.greet.outputs.*.lines[0], ';') }}" }
outputs:
  joined: \${{ steps.join.outputs.lines[0] }}
`;

const NO_USAGE = {
  inputTokens: 0,
  outputTokens: 0,
  costUsd: 0,
  knownCostUsd: 0,
  unpricedCalls: 0,
  estimatedCalls: 0,
};

describe('reprise run', () => {
  it('runs, journals, and with --json ends stdout with one object describing the invocation', () => {
    const dir = workspace({ 'w.yml': SIMPLE });
    const first = cli(dir, ['run', 'w.yml', '--run-id', 'r1', '--json']);
    expect(first.code, first.stderr).toBe(0);
    expect(lastJson(first.stdout)).toEqual({
      status: 'succeeded',
      runId: 'r1',
      calls: { live: 3, replayed: 0, failed: 0, skipped: 0 },
      usage: { ...NO_USAGE },
      saved: { ...NO_USAGE },
      limits: {
        calls: 3,
        spent: { ...NO_USAGE },
        earlier: { attempts: [], calls: 0, usage: { ...NO_USAGE } },
      },
      outputs: { joined: 'hello world 1;hello world 2' },
    });
    const events = journalLines(dir, 'r1');
    expect(events[0]).toMatchObject({ v: 2, t: 'run', workflow: 'simple', runId: 'r1', attempt: 1 });
    expect(events.at(-1)).toMatchObject({ t: 'end', status: 'succeeded' });
    expect(JSON.parse(readFileSync(join(dir, '.reprise/runs/r1/result.json'), 'utf8'))).toMatchObject({
      status: 'succeeded',
    });

    const again = cli(dir, ['run', 'w.yml', '--resume', 'latest', '--json']);
    expect(again.code).toBe(0);
    expect(lastJson(again.stdout)).toMatchObject({ runId: 'r1', calls: { live: 0, replayed: 3 } });
    expect(
      journalLines(dir, 'r1')
        .filter((event) => event.t === 'run')
        .map((event) => event.attempt),
    ).toEqual([1, 2]);
  });

  it('a resumed run reuses its recorded inputs; given ones merge over them', () => {
    const dir = workspace({ 'w.yml': SIMPLE });
    cli(dir, ['run', 'w.yml', '--run-id', 'r', '--input', 'who=ada', '--input', 'times=3']);
    const reused = cli(dir, ['run', 'w.yml', '--resume', 'r', '--json']);
    expect(lastJson(reused.stdout)).toMatchObject({
      calls: { live: 0, replayed: 4 },
      outputs: { joined: 'hello ada 1;hello ada 2;hello ada 3' },
    });
    const changed = cli(dir, ['run', 'w.yml', '--resume', 'r', '--input', 'who=bob', '--json']);
    // Only `who` is given: the recorded `times: 3` stays.
    expect(lastJson(changed.stdout)).toMatchObject({
      calls: { live: 4, replayed: 0 },
      outputs: { joined: 'hello bob 1;hello bob 2;hello bob 3' },
    });
  });

  it('reads inputs from a YAML file', () => {
    const dir = workspace({ 'w.yml': SIMPLE, 'in.yml': 'who: file\ntimes: 3\n' });
    const run = cli(dir, ['run', 'w.yml', '--inputs-file', 'in.yml', '--json']);
    expect(lastJson(run.stdout).outputs).toEqual({ joined: 'hello file 1;hello file 2;hello file 3' });
  });

  it('after an edit, says how many journaled calls no longer matched', () => {
    const dir = workspace({ 'w.yml': SIMPLE });
    cli(dir, ['run', 'w.yml', '--run-id', 'r']);
    writeFileSync(join(dir, 'w.yml'), SIMPLE.replace('echo "hello $WHO $N"', 'echo "hi $WHO $N"'));
    const edited = cli(dir, ['run', 'w.yml', '--resume', 'r']);
    expect(edited.code).toBe(0);
    expect(edited.stdout).toContain('3 journaled calls no longer matched the workflow');
  });

  it('a failed run exits 1, says how to resume, and the resume finishes it', () => {
    const dir = workspace({
      'w.yml': `
name: flaky
steps:
  - id: a
    run: echo a
  - id: b
    run: test -f ok || { echo "ok file missing" >&2; exit 4; }
`,
    });
    const failed = cli(dir, ['run', 'w.yml', '--run-id', 'f']);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('error: step "b": the script exited with code 4:\nok file missing');
    // The hint repeats the command as it was typed (here `node <absolute path of dist/cli.js>`).
    expect(failed.stdout).toContain(`continue this run with: node ${CLI} run w.yml --resume f`);
    writeFileSync(join(dir, 'ok'), '');
    const resumed = cli(dir, ['run', 'w.yml', '--resume', 'f', '--json']);
    expect(resumed.code).toBe(0);
    expect(lastJson(resumed.stdout)).toMatchObject({ calls: { live: 1, replayed: 1 } });
  });

  it('bad usage exits 2 with a message and no stack trace', () => {
    const dir = workspace({ 'w.yml': SIMPLE, 'bad.yml': 'name: x\nsteps:\n  - id: a\n    rn: echo\n' });
    const cases: [string[], RegExp][] = [
      [['run', 'w.yml', '--input', 'nokey'], /--input expects KEY=VALUE, got "nokey"/],
      [['run', 'w.yml', '--input', 'times=abc'], /input "times" must be a number/],
      [['run', 'w.yml', '--input', 'whom=x'], /whom/],
      [['run', 'w.yml', '--resume', 'nope'], /nope/],
      [['run', 'w.yml', '--concurrency', '0'], /--concurrency/],
      [['run', 'missing.yml'], /missing\.yml/],
      [['run', 'bad.yml'], /bad\.yml:4:5: /],
      [['frobnicate'], /unknown command 'frobnicate'/],
      [['run'], /missing required argument 'file'/],
    ];
    for (const [args, message] of cases) {
      const result = cli(dir, args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(message);
      expect(result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    }
  });

  it('refuses to start a run id that exists, and a second writer on the same run', async () => {
    const dir = workspace({
      'w.yml': SIMPLE,
      'slow.yml': 'name: slow\nsteps:\n  - id: s\n    run: sleep 5\n',
    });
    cli(dir, ['run', 'w.yml', '--run-id', 'taken']);
    const again = cli(dir, ['run', 'w.yml', '--run-id', 'taken']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('run "taken" already exists; continue it with --resume taken');

    const holder = cliAsync(dir, ['run', 'slow.yml', '--run-id', 'busy']);
    const holderDone = exited(holder);
    for (let i = 0; i < 100 && !existsSync(join(dir, '.reprise/runs/busy/journal.jsonl')); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const second = cli(dir, ['run', 'slow.yml', '--resume', 'busy']);
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/in use by pid \d+/);
    holder.kill('SIGKILL');
    await holderDone;
    // The holder died without releasing its lock: the stale lock is taken over.
    const third = cli(dir, ['run', 'slow.yml', '--resume', 'busy', '--json']);
    expect(third.code).toBe(0);
  });

  it('SIGINT stops the run within 2 seconds, journals a cancelled end, and exits 130', async () => {
    const dir = workspace({
      'w.yml': `
name: long
steps:
  - id: quick
    run: echo quick
  - id: slow
    for-each: \${{ fromJSON('[1,2,3]') }}
    run: sleep 30
`,
    });
    const child = cliAsync(dir, ['run', 'w.yml', '--run-id', 'c']);
    const done = exited(child);
    let journal = '';
    for (let i = 0; i < 200 && !journal.includes('"step":"quick"'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      journal = existsSync(join(dir, '.reprise/runs/c/journal.jsonl'))
        ? readFileSync(join(dir, '.reprise/runs/c/journal.jsonl'), 'utf8')
        : '';
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    const sent = Date.now();
    child.kill('SIGINT');
    const result = await done;
    expect(Date.now() - sent).toBeLessThan(2000);
    expect(result.code).toBe(130);
    const events = journalLines(dir, 'c');
    expect(events.at(-1)).toMatchObject({ t: 'end', status: 'cancelled' });
    expect(events.filter((event) => event.t === 'call')).toHaveLength(1);
    // No `sleep` survived its run.
    expect(existsSync(join(dir, '.reprise/runs/c/lock'))).toBe(false);
  });
});

describe('untrusted journals', () => {
  function preparedRun(): string {
    const dir = workspace({ 'w.yml': SIMPLE });
    const run = cli(dir, ['run', 'w.yml', '--run-id', 'j']);
    expect(run.code).toBe(0);
    return dir;
  }
  const journalPath = (dir: string) => join(dir, '.reprise/runs/j/journal.jsonl');

  it('a truncated journal replays what is complete and reports the torn line', () => {
    const dir = preparedRun();
    const text = readFileSync(journalPath(dir), 'utf8');
    const lines = text.split('\n');
    const secondCall = lines.findIndex((line, index) => line.includes('"t":"call"') && index > 1);
    writeFileSync(
      journalPath(dir),
      lines.slice(0, secondCall).join('\n') + '\n' + lines[secondCall]!.slice(0, 40),
    );
    const resumed = cli(dir, ['run', 'w.yml', '--resume', 'j', '--json']);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(/line \d+ is incomplete/);
    expect(lastJson(resumed.stdout)).toMatchObject({
      calls: { replayed: 1, live: 2 },
      outputs: { joined: 'hello world 1;hello world 2' },
    });
  });

  it('random bytes in the middle are ignored line by line and named', () => {
    const dir = preparedRun();
    const lines = readFileSync(journalPath(dir), 'utf8').split('\n');
    lines.splice(2, 1, '\u0000\u0007garbage{"t":"call"');
    writeFileSync(journalPath(dir), lines.join('\n'));
    const resumed = cli(dir, ['run', 'w.yml', '--resume', 'j', '--json']);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(/warning: .*line 3/);
    expect(lastJson(resumed.stdout).outputs).toEqual({ joined: 'hello world 1;hello world 2' });
  });

  it('a byte changed inside a result is never replayed: the line fails its checksum', () => {
    const dir = preparedRun();
    const text = readFileSync(journalPath(dir), 'utf8').replace('hello world 1', 'hello world 7');
    writeFileSync(journalPath(dir), text);
    const resumed = cli(dir, ['run', 'w.yml', '--resume', 'j', '--json']);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(/warning: .*line \d+ fails its checksum/);
    expect(lastJson(resumed.stdout)).toMatchObject({
      calls: { live: 1, replayed: 2 },
      outputs: { joined: 'hello world 1;hello world 2' },
    });
  });

  it('a forged result of the wrong shape (with a valid checksum) is never replayed', () => {
    const dir = preparedRun();
    // A forger who recomputes the line's checksum.
    const text = readFileSync(journalPath(dir), 'utf8')
      .split('\n')
      .map((line) => {
        if (!line.includes('"stdout":"hello world 1\\n"')) return line;
        const forged = line.replace('"stdout":"hello world 1\\n"', '"stdout":42');
        return withChecksum(forged.replace(/,"crc":"[0-9a-f]{8}"\}$/, '}'));
      })
      .join('\n');
    writeFileSync(journalPath(dir), text);
    const resumed = cli(dir, ['run', 'w.yml', '--resume', 'j', '--json']);
    expect(resumed.code).toBe(0);
    // Only the tampered call runs again; its fresh result equals the old one, so `join` still replays.
    expect(resumed.stderr).toContain(
      'journaled result of step "greet" item 0 is not replayed: it is not a whole run result; running it again',
    );
    expect(lastJson(resumed.stdout)).toMatchObject({
      calls: { live: 1, replayed: 2 },
      outputs: { joined: 'hello world 1;hello world 2' },
    });
  });

  it('a journal of another version is rejected with a clear message', () => {
    const dir = preparedRun();
    // A header of a future version (whose lines this reprise cannot check), written whole.
    const [header = '', ...rest] = readFileSync(journalPath(dir), 'utf8').split('\n');
    const future = { ...(JSON.parse(header) as object), v: 3, crc: undefined };
    writeFileSync(journalPath(dir), [JSON.stringify(future), ...rest].join('\n'));
    const resumed = cli(dir, ['run', 'w.yml', '--resume', 'j', '--json']);
    expect(resumed.stderr).toContain('journal version 3 is not supported');
    expect(lastJson(resumed.stdout)).toMatchObject({ calls: { live: 3, replayed: 0 } });
  });

  it("another workflow's journal is refused", () => {
    const dir = preparedRun();
    writeFileSync(join(dir, 'other.yml'), SIMPLE.replace('name: simple', 'name: other'));
    const resumed = cli(dir, ['run', 'other.yml', '--resume', 'j']);
    expect(resumed.code).toBe(2);
    expect(resumed.stderr).toMatch(/cannot resume run "j": .*simple/);
  });
});

describe('secrets', () => {
  it('never reach the journal, the result or the output', () => {
    const dir = workspace({
      'w.yml': `
name: secretive
inputs:
  token: { type: string, secret: true, required: true }
steps:
  - id: use
    run: echo "token is $TOKEN and key is $MY_API_KEY"
    env: { TOKEN: "\${{ inputs.token }}" }
outputs:
  said: \${{ steps.use.outputs.stdout }}
`,
    });
    const run = cli(dir, ['run', 'w.yml', '--run-id', 's', '--input', 'token=hunter2-secret', '--json'], {
      MY_API_KEY: 'sk-live-abcdef123456',
    });
    expect(run.code, run.stderr).toBe(0);
    const everything = [
      run.stdout,
      run.stderr,
      readFileSync(join(dir, '.reprise/runs/s/journal.jsonl'), 'utf8'),
      readFileSync(join(dir, '.reprise/runs/s/result.json'), 'utf8'),
    ].join('\n');
    expect(everything).not.toContain('hunter2-secret');
    expect(everything).not.toContain('sk-live-abcdef123456');
    expect(lastJson(run.stdout).outputs).toEqual({ said: 'token is *** and key is ***\n' });

    // A failing script that prints a secret: the live progress line and the error are redacted too.
    writeFileSync(
      join(dir, 'leak.yml'),
      'name: leak\nsteps:\n  - id: leak\n    continue-on-error: true\n    run: |\n      echo "oops $MY_API_KEY" >&2\n      exit 1\n  - id: fail\n    run: exit 1\n',
    );
    const leak = cli(dir, ['run', 'leak.yml'], { MY_API_KEY: 'sk-live-abcdef123456' });
    expect(leak.code).toBe(1);
    expect(leak.stdout + leak.stderr).toContain('oops ***');
    expect(leak.stdout + leak.stderr).not.toContain('sk-live-abcdef123456');

    const resumed = cli(dir, ['run', 'w.yml', '--resume', 's']);
    expect(resumed.code).toBe(2);
    expect(resumed.stderr).toContain(
      'secret inputs are never stored in the journal; give --input token=... again',
    );
  });
});

describe('reprise runs', () => {
  it('lists, shows, removes and garbage-collects runs', () => {
    const dir = workspace({ 'w.yml': SIMPLE });
    cli(dir, ['run', 'w.yml', '--run-id', 'one']);
    cli(dir, ['run', 'w.yml', '--run-id', 'two']);
    const ls = cli(dir, ['runs', 'ls', '--json']);
    expect((JSON.parse(ls.stdout) as { id: string }[]).map((run) => run.id).sort()).toEqual(['one', 'two']);
    const table = cli(dir, ['runs', 'ls']);
    expect(table.stdout).toMatch(/one\s+simple\s+succeeded/);

    const show = cli(dir, ['runs', 'show', 'one']);
    expect(show.stdout).toContain('run one: succeeded (simple, 1 attempt, 3 journaled calls)');
    expect(show.stdout).toMatch(/greet\s+succeeded\s+2/);

    expect(cli(dir, ['runs', 'rm', 'one']).code).toBe(0);
    expect(cli(dir, ['runs', 'show', 'one']).code).toBe(2);
    expect(cli(dir, ['runs', 'gc', '--older-than', 'soon']).code).toBe(2);
    expect(cli(dir, ['runs', 'gc', '--older-than', '7d']).stdout).toContain('nothing to remove');
    const gc = cli(dir, ['runs', 'gc', '--older-than', '0s']);
    expect(gc.stdout).toContain('removed 1 run(s): two');
  });
});

describe('the README example', () => {
  it('examples/hello.yml runs without an API key, and the documented resume replays everything', () => {
    const dir = workspace();
    mkdirSync(join(dir, 'examples'));
    cpSync(join(REPO, 'examples'), join(dir, 'examples'), { recursive: true });
    const first = cli(dir, ['run', 'examples/hello.yml', '--json'], { TINY_AGENT_DELAY_MS: '10' });
    expect(first.code, first.stderr).toBe(0);
    expect(lastJson(first.stdout)).toMatchObject({ status: 'succeeded', calls: { live: 6 } });
    expect(readFileSync(join(dir, '.reprise/hello-summary.txt'), 'utf8')).toContain('In short:');
    const again = cli(dir, ['run', 'examples/hello.yml', '--resume', 'latest', '--json']);
    expect(lastJson(again.stdout)).toMatchObject({ status: 'succeeded', calls: { live: 0, replayed: 6 } });
  });
});
