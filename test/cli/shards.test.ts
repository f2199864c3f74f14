// `reprise run --shard I/N` and `--merge DIR...`, driven through the CLI's own entry (in process).
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/program.js';

const WORKFLOW = `name: sharded-demo
inputs:
  n: { type: number, default: 9 }
steps:
  - id: items
    run: seq 1 "$N"
    env: { N: "\${{ inputs.n }}" }
  - id: work
    for-each: \${{ steps.items.outputs.lines }}
    shard: true
    run: echo "done $ITEM"
    env: { ITEM: "\${{ item }}" }
  - id: total
    run: echo "$ALL" | wc -w
    env: { ALL: "\${{ join(steps.work.outputs.*.stdout, ' ') }}" }
outputs:
  total: \${{ steps.total.outputs.stdout }}
`;

async function reprise(cwd: string, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let outText = '';
  let errText = '';
  out.on('data', (chunk: Buffer) => (outText += chunk.toString()));
  err.on('data', (chunk: Buffer) => (errText += chunk.toString()));
  // The workflow file is named relative to the workspace, as a user in it would.
  const argv = args.map((arg) => (arg === 'wf.yml' ? join(cwd, arg) : arg));
  const code = await main(['node', 'reprise', ...argv], { out, err, cwd, env: { PATH: process.env.PATH } });
  return { code, out: outText, err: errText };
}

/** With --json the log goes to stderr, and the result is stdout's last line. */
const lastJson = (text: string) => JSON.parse(text.trim().split('\n').at(-1)!) as Record<string, unknown>;

function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'reprise-shards-'));
  writeFileSync(join(dir, 'wf.yml'), WORKFLOW);
  return dir;
}

describe('reprise run --shard / --merge', () => {
  it('runs three shards (status sharded, exit 0), then a merge that replays them and finishes', async () => {
    const dir = workspace();
    for (const index of [0, 1, 2]) {
      const shard = await reprise(
        dir,
        'run',
        'wf.yml',
        '--shard',
        `${index}/3`,
        '--run-id',
        `s${index}`,
        '--json',
      );
      expect(shard.code).toBe(0);
      expect(shard.out).toMatch(/"status":"sharded"/);
      // --json: the log goes to stderr, the JSON object is stdout's last line.
      expect(shard.err).toMatch(
        new RegExp(`shard ${index}/3: \\d+ of 9 items of work; stopped before "total"`),
      );
      expect(shard.err).toMatch(/wf\.yml:5:5: warning: run step "items" runs in every shard/);
    }
    const merged = await reprise(
      dir,
      'run',
      'wf.yml',
      '--merge',
      '.reprise/runs/s0',
      '.reprise/runs/s1',
      '.reprise/runs/s2',
      '--json',
    );
    expect(merged.code).toBe(0);
    const result = lastJson(merged.out);
    expect(result).toMatchObject({
      status: 'succeeded',
      calls: { live: 1, replayed: 10 },
      outputs: { total: '18\n' },
    });
    expect(merged.err).toMatch(/shard 1\/3: \d+ calls, 1 attempt, sharded/);
  });

  it('refuses a missing shard (exit 2, naming it) unless --on-missing-shard run', async () => {
    const dir = workspace();
    for (const index of [0, 2])
      await reprise(dir, 'run', 'wf.yml', '--shard', `${index}/3`, '--run-id', `s${index}`);
    const refused = await reprise(dir, 'run', 'wf.yml', '--merge', '.reprise/runs/s0', '.reprise/runs/s2');
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/cannot merge the shards: no journal of shard 1\/3 \(found 2 of 3\)/);
    const live = await reprise(
      dir,
      'run',
      'wf.yml',
      '--merge',
      '.reprise/runs/s0',
      '.reprise/runs/s2',
      '--on-missing-shard',
      'run',
      '--json',
    );
    expect(live.code).toBe(0);
    expect(live.err).toMatch(/no journal of shard 1\/3: its items run live here/);
    expect(live.err).toMatch(/items of shard 1\/3 had no journaled result; running (it|them) live/);
    expect(live.out).toMatch(/"total":"18\\n"/);
  });

  it('merges a damaged shard journal into a clean one: the damaged item runs live, once', async () => {
    const dir = workspace();
    for (const index of [0, 1])
      await reprise(dir, 'run', 'wf.yml', '--shard', `${index}/2`, '--run-id', `s${index}`);
    // A byte changed inside one of shard 0's item results: the line fails its checksum.
    const path = join(dir, '.reprise/runs/s0/journal.jsonl');
    const lines = readFileSync(path, 'utf8').split('\n');
    const damaged = lines.findIndex((line) => line.includes('"step":"work"'));
    lines[damaged] = lines[damaged]!.replace('done ', 'DONE ');
    writeFileSync(path, lines.join('\n'));

    const merged = await reprise(
      dir,
      'run',
      'wf.yml',
      '--merge',
      '.reprise/runs/s0',
      '.reprise/runs/s1',
      '--run-id',
      'm',
      '--json',
    );
    expect(merged.code, merged.err).toBe(0);
    expect(merged.err).toContain(`line ${damaged + 1} fails its checksum`);
    expect(merged.err).toMatch(/1 item of shard 0\/2 had no journaled result; running it live/);
    expect(lastJson(merged.out)).toMatchObject({
      calls: { live: 2, replayed: 9 },
      outputs: { total: '18\n' },
    });
    // The merge run's journal holds only intact lines: resuming it warns of nothing and replays everything.
    expect(readFileSync(join(dir, '.reprise/runs/m/journal.jsonl'), 'utf8')).not.toContain('DONE ');
    const resumed = await reprise(dir, 'run', 'wf.yml', '--resume', 'm', '--json');
    expect(resumed.code, resumed.err).toBe(0);
    expect(resumed.err).not.toMatch(/warning/);
    expect(lastJson(resumed.out)).toMatchObject({
      calls: { live: 0, replayed: 11 },
    });
  });

  it('continues a shard on --resume as the same shard, and refuses bad flags', async () => {
    const dir = workspace();
    await reprise(dir, 'run', 'wf.yml', '--shard', '1/3', '--run-id', 's1');
    const resumed = await reprise(dir, 'run', 'wf.yml', '--resume', 's1', '--json');
    expect(resumed.code).toBe(0);
    expect(resumed.out).toMatch(/"status":"sharded"/);
    expect(resumed.out).toMatch(/"live":0/);
    expect((await reprise(dir, 'run', 'wf.yml', '--resume', 's1', '--shard', '2/3')).err).toMatch(
      /this run is shard 1\/3; resume it with that shard/,
    );
    expect((await reprise(dir, 'run', 'wf.yml', '--shard', '3/3')).err).toMatch(/from 0 to 2/);
    const otherInputs = await reprise(
      dir,
      'run',
      'wf.yml',
      '--merge',
      '.reprise/runs/s1',
      '--on-missing-shard',
      'run',
      '--input',
      'n=10',
    );
    expect(otherInputs.code).toBe(2);
    expect(otherInputs.err).toMatch(/input "n" is 10 here, but the shards ran with 9/);
    expect(readdirSync(join(dir, '.reprise/runs'))).toEqual(['s1']); // a refused merge leaves no run
    expect((await reprise(dir, 'run', 'wf.yml', '--merge', 'nowhere')).err).toMatch(
      /--merge: nowhere does not exist/,
    );
    expect((await reprise(dir, 'run', 'wf.yml', '--merge', 'wf.yml')).err).toMatch(
      /wf\.yml is corrupted: not a reprise journal/,
    );
  });
});

describe('reprise run --shard with --reuse', () => {
  // `work` is deterministic, so it may be reused across runs; `items` and `total` run again in every run.
  const REUSABLE = WORKFLOW.replace('    shard: true\n', '    shard: true\n    reuse: true\n');

  it('seeds each shard from an earlier run: each reuses the items it owns, and the merge finishes', async () => {
    const dir = workspace();
    writeFileSync(join(dir, 'wf.yml'), REUSABLE);
    expect((await reprise(dir, 'run', 'wf.yml', '--run-id', 'week-1')).code).toBe(0);

    let reused = 0;
    for (const index of [0, 1, 2]) {
      const shard = await reprise(
        dir,
        'run',
        'wf.yml',
        '--shard',
        `${index}/3`,
        '--reuse',
        'week-1',
        '--run-id',
        `week-2-s${index}`,
        '--json',
      );
      expect(shard.code, shard.err).toBe(0);
      const result = lastJson(shard.out);
      const owned = (result['shard'] as { steps: { owned: number }[] }).steps[0]!.owned;
      // The other shards' items and the step after the stop are not "no longer matched": nothing changed.
      expect(result).toMatchObject({
        status: 'sharded',
        calls: { live: 1, replayed: owned },
        reuse: { reused: owned, rerun: 1, expired: 0, unmatched: 0 },
      });
      reused += owned;
    }
    expect(reused).toBe(9);

    const merged = await reprise(
      dir,
      'run',
      'wf.yml',
      '--merge',
      '.reprise/runs/week-2-s0',
      '.reprise/runs/week-2-s1',
      '.reprise/runs/week-2-s2',
      '--run-id',
      'week-2',
      '--json',
    );
    expect(merged.code, merged.err).toBe(0);
    // `items` replays from the shards' own lines; the 9 items of `work`, which the shards reused and so did
    // not journal again, from week 1's lines they carry; `total` (a run step of week 1) runs again.
    expect(lastJson(merged.out)).toMatchObject({
      status: 'succeeded',
      calls: { live: 1, replayed: 10 },
      reuse: { reused: 9, rerun: 1, unmatched: 0 },
      outputs: { total: '18\n' },
    });

    // A shard reuses the same shard of an earlier run; another shard's part would be taken for all of it.
    const same = await reprise(dir, 'run', 'wf.yml', '--shard', '0/3', '--reuse', 'week-2-s0', '--json');
    expect(same.code, same.err).toBe(0);
    expect(lastJson(same.out)).toMatchObject({ reuse: { unmatched: 0 } });
    const other = await reprise(dir, 'run', 'wf.yml', '--shard', '1/3', '--reuse', 'week-2-s0');
    expect(other.code).toBe(2);
    expect(other.err).toContain(
      '--reuse week-2-s0: run week-2-s0 is shard 0/3, and this run is shard 1/3: a shard reuses a merged run or the same shard of an earlier run',
    );
  });

  it('lists a seeded run by its own start, attempts and calls, and takes it for latest', async () => {
    const dir = workspace();
    writeFileSync(join(dir, 'wf.yml'), REUSABLE);
    expect((await reprise(dir, 'run', 'wf.yml', '--run-id', 'week-1')).code).toBe(0);
    // Its journal begins with week 1's header; an id sorting before "week-1" must not make it look older.
    expect((await reprise(dir, 'run', 'wf.yml', '--reuse', 'week-1', '--run-id', 'a-later')).code).toBe(0);
    const shown = await reprise(dir, 'runs', 'show', 'latest', '--json');
    expect(JSON.parse(shown.out)).toMatchObject({ runId: 'a-later', attempts: 1, calls: 2 });
    const listed = await reprise(dir, 'runs', 'ls', '--json');
    const rows = JSON.parse(listed.out) as {
      id: string;
      attempts: number;
      calls: number;
      startedAt: string;
    }[];
    expect(rows.map((row) => row.id)).toEqual(['a-later', 'week-1']);
    expect(rows[0]).toMatchObject({ attempts: 1, calls: 2 });
    expect(rows[0]!.startedAt > rows[1]!.startedAt).toBe(true);
  });
});
