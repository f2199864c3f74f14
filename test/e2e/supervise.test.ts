// Run steps die with reprise: `kill -9` of reprise's whole process group must not leave a run step
// running beside a later resume (its side effects would happen twice), nor its temporary script.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { CLI, workspace } from './cli-helpers.js';

const WORKFLOW = `
name: orphan
steps:
  - id: slow
    run: |
      echo $$ > step.pid
      sleep 6
      echo late > marker
`;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A killed process whose parent died may linger unreaped as a zombie in a container.
  try {
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

describe.skipIf(process.platform === 'win32')('kill -9 of reprise’s process group', () => {
  it('takes its running step and the step’s temporary script with it', async () => {
    const dir = workspace({ 'orphan.yml': WORKFLOW });
    const tmp = join(dir, 'tmp');
    mkdirSync(tmp);
    const child = spawn(process.execPath, [CLI, 'run', 'orphan.yml', '--json'], {
      cwd: dir,
      env: { ...process.env, TMPDIR: tmp, NO_COLOR: '1' },
      stdio: 'ignore',
      detached: true,
    });
    const gone = new Promise((resolve) => child.on('exit', resolve));
    await vi.waitFor(() => expect(readFileSync(join(dir, 'step.pid'), 'utf8')).toMatch(/^\d+\n/), {
      timeout: 20_000,
      interval: 20,
    });
    const seen = Date.now();
    const step = Number(readFileSync(join(dir, 'step.pid'), 'utf8'));
    expect(alive(step)).toBe(true);
    expect(readdirSync(tmp).some((name) => name.startsWith('reprise-run-'))).toBe(true);

    process.kill(-child.pid!, 'SIGKILL');
    await gone;

    await vi.waitFor(() => expect(alive(step)).toBe(false), { timeout: 3_000, interval: 50 });
    await vi.waitFor(
      () => expect(readdirSync(tmp).filter((name) => name.startsWith('reprise-run-'))).toEqual([]),
      {
        timeout: 5_000,
        interval: 50,
      },
    );
    // Past the moment the step would have written it, had it survived.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, seen + 7_000 - Date.now())));
    expect(existsSync(join(dir, 'marker'))).toBe(false);
  }, 40_000);
});
