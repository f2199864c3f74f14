// What a newcomer meets in the first hour: rejected commands leave nothing behind, `--resume latest`
// finds a real run, usage errors are messages (exit 2), providers are checked before the first call.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reprise, scratch } from './helpers.js';

const ECHO = `
name: echo
inputs:
  who: { type: string, required: true }
steps:
  - id: hello
    run: echo "hello $WHO"
    env: { WHO: "\${{ inputs.who }}" }
outputs:
  said: \${{ steps.hello.outputs.lines[0] }}
`;

const AGENTS = `
name: agents
providers:
  claude-cli: { type: command, preset: claude }
  local: { type: command, command: ./bin/agent }
steps:
  - id: review
    agent: { prompt: hi, model: claude-haiku-4-5 }
  - id: triage
    agent: { prompt: hi, provider: openai, model: gpt-4.1-mini }
  - id: loop
    repeat:
      max: 2
      until: \${{ true }}
      steps:
        - id: fix
          agent: { prompt: hi, provider: claude-cli }
  - id: mine
    agent: { prompt: hi, provider: local }
`;

const runsDir = (dir: string) => join(dir, '.reprise/runs');

describe('a rejected command creates nothing', () => {
  it('a typo in --input or a missing required input leaves no run, and --resume latest skips empty ones', async () => {
    const dir = scratch({ 'w.yml': ECHO });
    const typo = await reprise(dir, ['run', 'w.yml', '--input', 'wh=ada']);
    expect(typo.code).toBe(2);
    expect(typo.err).toContain('unknown input "wh" (did you mean "who"?)');
    expect(typo.out).not.toContain('starting run');
    const missing = await reprise(dir, ['run', 'w.yml']);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('input "who" is required');
    expect(existsSync(runsDir(dir))).toBe(false);

    const real = await reprise(dir, ['run', 'w.yml', '--run-id', 'real', '--input', 'who=ada']);
    expect(real.code, real.err).toBe(0);
    // A directory an older version left for a rejected command: no journal, nothing to resume.
    mkdirSync(join(runsDir(dir), 'zz-empty'));
    const resumed = await reprise(dir, ['run', 'w.yml', '--resume', 'latest', '--json']);
    expect(resumed.code, resumed.err).toBe(0);
    expect(JSON.parse(resumed.out.trim().split('\n').at(-1) ?? '')).toMatchObject({
      runId: 'real',
      calls: { live: 0, replayed: 1 },
    });
    const ls = await reprise(dir, ['runs', 'ls']);
    expect(ls.out).not.toContain('zz-empty');
    expect(ls.out).toContain('1 empty run directory without a journal not shown');
    expect(JSON.parse((await reprise(dir, ['runs', 'ls', '--json'])).out)).toHaveLength(1);
  });

  it('a resume after an input was removed from the workflow leaves it out and says so', async () => {
    const dir = scratch({ 'w.yml': ECHO.replace('steps:', '  extra: { type: string }\nsteps:') });
    expect(
      (await reprise(dir, ['run', 'w.yml', '--run-id', 'r', '-i', 'who=ada', '-i', 'extra=x'])).code,
    ).toBe(0);
    writeFileSync(join(dir, 'w.yml'), ECHO);
    const resumed = await reprise(dir, ['run', 'w.yml', '--resume', 'r']);
    expect(resumed.code, resumed.err).toBe(0);
    expect(resumed.err).toContain('input "extra" recorded in run r is no longer declared by the workflow');
    expect(resumed.out).toContain('1 replayed');
  });
});

describe('usage errors are messages with exit code 2', () => {
  it('--run-id with a slash', async () => {
    const dir = scratch({ 'w.yml': ECHO });
    const ran = await reprise(dir, ['run', 'w.yml', '--run-id', 'feature/x', '-i', 'who=a']);
    expect(ran.code).toBe(2);
    expect(ran.err).toBe(
      'reprise: "feature/x" is not a run id (run ids are names like 20261121-061503-a1f3, without slashes)\n',
    );
    expect(existsSync(runsDir(dir))).toBe(false);
  });

  it('--help lists the exit codes', async () => {
    const help = await reprise(scratch(), ['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/Exit codes:\n {2}0 .*\n {2}1 .*failed\n {2}2 .*usage or validation/);
    expect(help.out).toMatch(/ 3 .*waiting/);
    expect(help.out).toMatch(/ 4 .*paused/);
    expect(help.out).toMatch(/130 .*cancelled/);
  });

  it('the resume hint repeats the command the person typed', async () => {
    const dir = scratch({ 'w.yml': ECHO.replace('echo "hello $WHO"', 'exit 3') });
    const viaNode = await reprise(dir, ['run', 'w.yml', '-i', 'who=a'], {}, join(dir, 'dist/cli.js'));
    expect(viaNode.code).toBe(1);
    expect(viaNode.out).toMatch(/continue this run with: node dist\/cli\.js run w\.yml --resume \S+\n/);
    const viaBin = await reprise(dir, ['run', 'w.yml', '-i', 'who=a']);
    expect(viaBin.out).toMatch(/continue this run with: reprise run w\.yml --resume /);
    const viaNpx = await reprise(dir, ['run', 'w.yml', '-i', 'who=a'], { npm_command: 'exec' });
    expect(viaNpx.out).toMatch(/continue this run with: npx reprise run w\.yml --resume /);
  });
});

describe('preflight of providers', () => {
  it('lists every missing key and agent CLI at once, exits 2, runs nothing', async () => {
    const dir = scratch({ 'w.yml': AGENTS });
    const ran = await reprise(dir, ['run', 'w.yml'], { PATH: '/nonexistent' });
    expect(ran.code).toBe(2);
    expect(ran.err).toContain('4 providers are not ready (nothing was run):');
    expect(ran.err).toContain(
      '- provider "anthropic" (step review): ANTHROPIC_API_KEY or ANTHROPIC_AUTH_TOKEN is not set',
    );
    expect(ran.err).toContain('- provider "openai" (step triage): OPENAI_API_KEY is not set');
    expect(ran.err).toContain('- provider "claude-cli" (step fix): the program "claude" is not installed');
    expect(ran.err).toContain('- provider "local" (step mine): the program "./bin/agent" is not installed');
    expect(ran.err).toContain('export ANTHROPIC_API_KEY=... OPENAI_API_KEY=...');
    expect(ran.out).toBe('');
    expect(existsSync(runsDir(dir))).toBe(false);
  });

  it('inside GitHub Actions says how to pass a secret', async () => {
    const dir = scratch({ 'w.yml': AGENTS.split('  - id: triage')[0] ?? '' });
    const ran = await reprise(dir, ['run', 'w.yml'], { GITHUB_ACTIONS: 'true' });
    expect(ran.code).toBe(2);
    expect(ran.err).toContain('ANTHROPIC_API_KEY: ${{ secrets.ANTHROPIC_API_KEY }}');
    expect(ran.err).not.toContain('export');
  });

  it('is satisfied by the environment, a custom endpoint, a step env, or a program on PATH', async () => {
    const dir = scratch({
      'w.yml': `
name: ready
providers:
  gateway: { type: openai, base-url: "http://127.0.0.1:9/v1" }
  tool: { type: command, command: my-agent }
steps:
  - id: a
    agent: { prompt: hi, model: claude-haiku-4-5 }
  - id: b
    agent: { prompt: hi, provider: gateway, model: m }
  - id: c
    agent: { prompt: hi, provider: openai, model: gpt-4.1-mini }
    env: { OPENAI_API_KEY: "\${{ inputs.key }}" }
  - id: d
    agent: { prompt: hi, provider: tool }
inputs:
  key: { type: string, default: x }
`,
    });
    mkdirSync(join(dir, 'bin'));
    writeFileSync(join(dir, 'bin/my-agent'), '#!/bin/sh\necho ok\n', { mode: 0o755 });
    const ran = await reprise(dir, ['validate', 'w.yml']);
    expect(ran.code, ran.err).toBe(0);
    // Only the preflight is under test: `--until` style stop is not needed, the key check is enough.
    const { unreadyProviders } = await import('../../src/engine/preflight.js');
    const { loadWorkflowFile } = await import('../../src/workflow/loader.js');
    const { workflow } = await loadWorkflowFile(join(dir, 'w.yml'));
    const env = { ANTHROPIC_API_KEY: 'k', PATH: `/nonexistent:${join(dir, 'bin')}` };
    expect(unreadyProviders(workflow!, { env, workspace: dir, inActions: false })).toEqual([]);
    expect(readdirSync(dir)).not.toContain('.reprise');
  });
});

describe('runs show', () => {
  it('agrees with the run summary: tokens in and out, wall time rather than the sum of calls', async () => {
    const dir = scratch();
    mkdirSync(join(runsDir(dir), 'r'), { recursive: true });
    const usage = (input: number, output: number) => ({
      inputTokens: input,
      outputTokens: output,
      cachedInputTokens: 0,
      costUsd: 0.001,
    });
    const call = (item: number, at: string, ms: number) => ({
      t: 'call',
      key: `sha256:${item}`,
      step: 'review',
      item,
      kind: 'agent',
      result: { text: 'ok', model: 'm', usage: usage(100, 10) },
      usage: usage(100, 10),
      ms,
      at,
    });
    const lines = [
      {
        v: 1,
        t: 'run',
        workflow: 'w',
        script: 'sha256:x',
        runId: 'r',
        attempt: 1,
        inputs: {},
        at: '2026-01-01T00:00:00.000Z',
      },
      // Three calls of 2 s each, at once: the step took 2 s of wall time, not 6.
      call(0, '2026-01-01T00:00:02.000Z', 2000),
      call(1, '2026-01-01T00:00:02.100Z', 2000),
      call(2, '2026-01-01T00:00:02.200Z', 2000),
      { t: 'step', step: 'review', status: 'succeeded', at: '2026-01-01T00:00:02.200Z' },
      { t: 'end', status: 'succeeded', outputs: {}, at: '2026-01-01T00:00:03.000Z' },
    ];
    writeFileSync(
      join(runsDir(dir), 'r/journal.jsonl'),
      lines.map((line) => JSON.stringify(line)).join('\n') + '\n',
    );
    const json = await reprise(dir, ['runs', 'show', 'r', '--json']);
    const summary = JSON.parse(json.out) as {
      ms: number;
      steps: { ms: number; inputTokens: number; outputTokens: number }[];
    };
    expect(summary.ms).toBe(3000);
    expect(summary.steps[0]).toMatchObject({ ms: 2200, inputTokens: 300, outputTokens: 30 });
    const text = await reprise(dir, ['runs', 'show', 'r']);
    expect(text.out).toContain('run r: succeeded (w, 1 attempt, 3 journaled calls) in 3.0s');
    expect(text.out).toContain('spent: 300 in / 30 out, $0.0030');
    expect(text.out).toMatch(/review\s+succeeded\s+3\s+0\s+300 in \/ 30 out\s+\$0\.0030\s+2\.2s/);
  });
});
