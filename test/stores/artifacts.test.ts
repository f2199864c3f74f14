import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { StoreLog } from '../../src/stores/actions-cache.js';
import {
  artifactName,
  artifactPrefix,
  downloadNewestEarlierAttempt,
  IDENTITY_FILE,
  uploadRunArtifact,
  type ArtifactNameParts,
} from '../../src/stores/artifacts.js';
import { startActionsEmulator, type ActionsEmulator } from '../emulator/actions-emulator.js';
import { defaultRunBackendId } from '../emulator/runner-env.js';
import { stepHarness, type StepHarness } from '../emulator/steps.js';
import { shortenRetrySleeps } from '../emulator/timers.js';

let emulator: ActionsEmulator;
let root: string;
let steps: StepHarness;

beforeAll(async () => {
  emulator = await startActionsEmulator();
  root = mkdtempSync(join(tmpdir(), 'reprise-artifact-store-test-'));
  steps = stepHarness(emulator, root);
}, 60_000);

afterEach(() => steps?.leave());

afterAll(async () => {
  await emulator?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

function recordingLog(): StoreLog & { infos: string[]; warnings: string[] } {
  const infos: string[] = [];
  const warnings: string[] = [];
  return { infos, warnings, info: (m) => infos.push(m), warning: (m) => warnings.push(m) };
}

let runCounter = 7000;
function freshRun(): number {
  return ++runCounter;
}

const WHO: ArtifactNameParts = { name: 'pr-review', job: 'review' };

/** Attempt `attempt` of job `job` uploads its journal (and a summary) as artifact `name`. */
async function uploadAttempt(
  runId: number,
  attempt: number,
  name: string,
  journal: string,
  log = recordingLog(),
  identity?: ArtifactNameParts,
): Promise<boolean> {
  const step = steps.enter({ runId, attempt, job: 'review' });
  const dir = join(step.runnerTemp, 'reprise-out');
  const files = { 'journal.jsonl': journal, 'summary/summary.md': `# attempt ${attempt}\n` };
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), content);
  }
  const uploaded = await uploadRunArtifact({
    name,
    files: Object.keys(files).map((f) => join(dir, f)),
    rootDir: dir,
    log,
    identity,
  });
  steps.leave();
  return uploaded;
}

async function downloadAt(
  runId: number,
  attempt: number,
  prefix: string,
  log = recordingLog(),
  identity?: ArtifactNameParts,
): Promise<{ result: Awaited<ReturnType<typeof downloadNewestEarlierAttempt>>; destDir: string }> {
  const step = steps.enter({ runId, attempt, job: 'review' });
  const destDir = join(step.runnerTemp, 'fallback');
  const result = await downloadNewestEarlierAttempt({
    prefix,
    currentAttempt: attempt,
    destDir,
    log,
    identity,
  });
  steps.leave();
  return { result, destDir };
}

describe('artifact names', () => {
  it('follows reprise-<name>-<job>[-<suffix>]-attempt-<n>', () => {
    expect(artifactName({ ...WHO, attempt: 3 })).toBe('reprise-pr-review-review-attempt-3');
    expect(artifactName({ ...WHO, suffix: 'ubuntu-latest', attempt: 1 })).toBe(
      'reprise-pr-review-review-ubuntu-latest-attempt-1',
    );
    expect(artifactPrefix({ ...WHO, suffix: 'linux' })).toBe('reprise-pr-review-review-linux-attempt-');
    expect(artifactName({ ...WHO, shard: { index: 3, total: 8 }, attempt: 2 })).toBe(
      'reprise-pr-review-review-shard-3-of-8-attempt-2',
    );
  });

  it('keeps only characters the artifact service accepts, and a bounded length', () => {
    const name = artifactName({
      name: 'a:b/c\\d*e?"f|<g>',
      job: 'x'.repeat(500),
      suffix: 'os=ubuntu, node 20',
      attempt: 2,
    });
    expect(name).toMatch(/^[A-Za-z0-9._-]+$/);
    expect(name.length).toBeLessThan(256);
    expect(name).toContain('-os_ubuntu_node_20-attempt-2');
  });
});

describe('journal artifacts (emulated)', () => {
  it('downloads the newest earlier attempt, never the current or a later one', async () => {
    const runId = freshRun();
    const prefix = artifactPrefix(WHO);
    expect(await uploadAttempt(runId, 1, artifactName({ ...WHO, attempt: 1 }), 'one\n')).toBe(true);
    expect(await uploadAttempt(runId, 2, artifactName({ ...WHO, attempt: 2 }), 'two\n')).toBe(true);
    // An attempt-3 artifact must not be picked by attempt 3 itself (nor by attempt 2).
    expect(await uploadAttempt(runId, 3, artifactName({ ...WHO, attempt: 3 }), 'three\n')).toBe(true);
    expect(emulator.artifacts(defaultRunBackendId(runId)).map((a) => a.name)).toHaveLength(3);

    const log = recordingLog();
    const { result, destDir } = await downloadAt(runId, 3, prefix, log);
    expect(result?.name).toBe('reprise-pr-review-review-attempt-2');
    expect(result?.files).toEqual([join(destDir, 'journal.jsonl'), join(destDir, 'summary', 'summary.md')]);
    expect(readFileSync(join(destDir, 'journal.jsonl'), 'utf8')).toBe('two\n');
    expect(log.warnings).toEqual([]);

    const second = await downloadAt(runId, 2, prefix);
    expect(second.result?.name).toBe('reprise-pr-review-review-attempt-1');
    expect(readFileSync(join(second.destDir, 'journal.jsonl'), 'utf8')).toBe('one\n');
  });

  it('returns undefined without a warning when no earlier attempt left an artifact', async () => {
    const runId = freshRun();
    const log = recordingLog();
    const { result } = await downloadAt(runId, 1, artifactPrefix(WHO), log);
    expect(result).toBeUndefined();
    expect(log.warnings).toEqual([]);
    expect(log.infos.join('\n')).toMatch(/No journal artifact/);
  });

  it('never hands one matrix leg the artifact of another', async () => {
    const runId = freshRun();
    const legA = { ...WHO, suffix: 'a' };
    const legAB = { ...WHO, suffix: 'a-b' };
    const legTricky = { ...WHO, suffix: 'a-attempt-1' };
    expect(await uploadAttempt(runId, 1, artifactName({ ...legA, attempt: 1 }), 'leg a\n')).toBe(true);
    expect(await uploadAttempt(runId, 2, artifactName({ ...legAB, attempt: 2 }), 'leg a-b\n')).toBe(true);
    expect(await uploadAttempt(runId, 2, artifactName({ ...legTricky, attempt: 2 }), 'tricky\n')).toBe(true);

    const { result, destDir } = await downloadAt(runId, 3, artifactPrefix(legA));
    expect(result?.name).toBe('reprise-pr-review-review-a-attempt-1');
    expect(readFileSync(join(destDir, 'journal.jsonl'), 'utf8')).toBe('leg a\n');

    const other = await downloadAt(runId, 3, artifactPrefix({ ...WHO, suffix: 'b' }));
    expect(other.result).toBeUndefined();
  });

  it('skips an artifact of another job whose name reads the same, for an older one of its own', async () => {
    const runId = freshRun();
    // Job `review` + suffix `linux` and job `review-linux` share artifact names; only the identity tells.
    const mine = { ...WHO, suffix: 'linux' };
    const other = { name: WHO.name, job: 'review-linux' };
    expect(artifactName({ ...other, attempt: 2 })).toBe(artifactName({ ...mine, attempt: 2 }));
    expect(
      await uploadAttempt(runId, 1, artifactName({ ...mine, attempt: 1 }), 'mine\n', undefined, mine),
    ).toBe(true);
    expect(
      await uploadAttempt(runId, 2, artifactName({ ...other, attempt: 2 }), 'other\n', undefined, other),
    ).toBe(true);

    const log = recordingLog();
    const { result, destDir } = await downloadAt(runId, 3, artifactPrefix(mine), log, mine);
    expect(result?.name).toBe(artifactName({ ...mine, attempt: 1 }));
    expect(readFileSync(join(destDir, 'journal.jsonl'), 'utf8')).toBe('mine\n');
    expect(result?.files).toContain(join(destDir, IDENTITY_FILE));
    expect(log.warnings).toEqual([
      expect.stringMatching(
        /attempt-2 was uploaded for \{"workflow":"pr-review","job":"review-linux","suffix":""\}.*ignoring it/,
      ),
    ]);

    // The other job finds nothing of its own: its only candidate is not its journal.
    const theirs = await downloadAt(runId, 2, artifactPrefix(other), recordingLog(), other);
    expect(theirs.result).toBeUndefined();
    // An artifact without an identity is not taken when one is asked for.
    const bare = freshRun();
    expect(await uploadAttempt(bare, 1, artifactName({ ...mine, attempt: 1 }), 'bare\n')).toBe(true);
    expect((await downloadAt(bare, 2, artifactPrefix(mine), recordingLog(), mine)).result).toBeUndefined();
  });

  it('does not see artifacts of another run', async () => {
    const first = freshRun();
    expect(await uploadAttempt(first, 1, artifactName({ ...WHO, attempt: 1 }), 'x\n')).toBe(true);
    const { result } = await downloadAt(freshRun(), 2, artifactPrefix(WHO));
    expect(result).toBeUndefined();
  });

  it('warns and returns false when the name is already taken in the run', async () => {
    const runId = freshRun();
    const name = artifactName({ ...WHO, attempt: 1 });
    expect(await uploadAttempt(runId, 1, name, 'first\n')).toBe(true);
    const log = recordingLog();
    expect(await uploadAttempt(runId, 1, name, 'again\n', log)).toBe(false);
    expect(log.warnings).toHaveLength(1);
    expect(log.warnings[0]).toMatch(/Could not upload.*409.*already exists/);
  });

  it('warns and returns false when there is nothing to upload', async () => {
    const step = steps.enter({ runId: freshRun() });
    const log = recordingLog();
    const uploaded = await uploadRunArtifact({
      name: artifactName({ ...WHO, attempt: 1 }),
      files: [join(step.workspace, 'missing.jsonl')],
      rootDir: step.workspace,
      log,
    });
    expect(uploaded).toBe(false);
    expect(log.warnings[0]).toMatch(/Could not upload/);
  });

  it('turns an artifact service outage (500) into a warning, without throwing', async () => {
    const runId = freshRun();
    expect(await uploadAttempt(runId, 1, artifactName({ ...WHO, attempt: 1 }), 'x\n')).toBe(true);
    emulator.failArtifacts('status500');
    const restoreTimers = shortenRetrySleeps();
    try {
      const log = recordingLog();
      const { result } = await downloadAt(runId, 2, artifactPrefix(WHO), log);
      expect(result).toBeUndefined();
      expect(log.warnings).toHaveLength(1);
      expect(log.warnings[0]).toMatch(/Could not download.*500/);

      const uploadLog = recordingLog();
      expect(await uploadAttempt(runId, 2, artifactName({ ...WHO, attempt: 2 }), 'y\n', uploadLog)).toBe(
        false,
      );
      expect(uploadLog.warnings[0]).toMatch(/Could not upload.*500/);
    } finally {
      restoreTimers();
      emulator.failArtifacts('none');
    }
  });
});
