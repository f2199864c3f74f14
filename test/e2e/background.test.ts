// Background runs: start (the id at once), list (pid, progress), logs, kill (as Ctrl-C; refused when
// the recorded process start time does not match the pid's), resume.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { cli, journalLines, lastJson, workspace } from './cli-helpers.js';

const WORKFLOW = `
name: slow
inputs:
  nap: { type: number, default: 60 }
steps:
  - id: quick
    run: echo quick
  - id: nap
    run: sleep "$NAP"
    env: { NAP: "\${{ inputs.nap }}" }
  - id: done
    run: echo done
`;

async function until<T>(what: string, probe: () => T | undefined): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const value = probe();
    if (value !== undefined) return value;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('background runs', () => {
  it('start, ls, logs, kill (refusing a reused pid), resume', async () => {
    const dir = workspace({ 'w.yml': WORKFLOW });
    const started = cli(dir, ['run', 'w.yml', '--background', '--run-id', 'bg']);
    expect(started.code).toBe(0);
    expect(started.stdout.split('\n')[0]).toBe('bg');

    const running = await until('the run to reach the nap step', () => {
      const runs = JSON.parse(cli(dir, ['runs', 'ls', '--json']).stdout) as Record<string, unknown>[];
      const run = runs.find((r) => r.id === 'bg');
      const progress = run?.progress as { calls: number } | undefined;
      return run?.status === 'running' && progress && progress.calls >= 1 ? run : undefined;
    });
    const pid = running.pid as number;
    expect(alive(pid)).toBe(true);
    const table = cli(dir, ['runs', 'ls']).stdout;
    expect(table).toMatch(new RegExp(`bg .*running.* ${pid} +1 calls, at quick`));
    expect(cli(dir, ['runs', 'logs', 'bg']).stdout).toMatch(/starting run bg of slow[\s\S]*live +quick/);

    // A process.json whose start time does not match the live pid: never signalled.
    const processFile = join(dir, '.reprise/runs/bg/process.json');
    const recorded = readFileSync(processFile, 'utf8');
    writeFileSync(processFile, JSON.stringify({ ...JSON.parse(recorded), startTime: '12345' }));
    const refused = cli(dir, ['runs', 'kill', 'bg']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/pid was reused\); not signalled/);
    await sleep(300);
    expect(alive(pid)).toBe(true);
    writeFileSync(processFile, recorded);

    const killed = cli(dir, ['runs', 'kill', 'bg']);
    expect(killed.code).toBe(0);
    const followed = cli(dir, ['runs', 'logs', 'bg', '--follow']);
    expect(followed.stdout).toMatch(/received SIGINT/);
    await until('the run process to exit', () => (alive(pid) ? undefined : true));
    const end = journalLines(dir, 'bg').at(-1);
    expect(end).toMatchObject({ t: 'end', status: 'cancelled' });
    expect(cli(dir, ['runs', 'kill', 'bg']).stderr).toMatch(/not running/);

    const resumed = cli(dir, ['run', 'w.yml', '--resume', 'bg', '--input', 'nap=0', '--json']);
    expect(resumed.code).toBe(0);
    expect(lastJson(resumed.stdout)).toMatchObject({ status: 'succeeded', calls: { replayed: 1, live: 2 } });
  });
});
