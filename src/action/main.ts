// The action's main step: restore the journal (the store's policy), run the workflow, report, save.
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseLimitOverrides, usageJson, type LimitOverrides } from '../engine/budget.js';
import { notReplayedKeys } from '../report/calls.js';
import { renderFailureSummary, renderJobSummary } from '../report/summary.js';
import { cacheKeys, slug } from '../stores/actions-cache.js';
import type { ResumeScope } from '../stores/actions-cache.js';
import { artifactName, type ArtifactNameParts } from '../stores/artifacts.js';
import { StoreError } from '../stores/errors.js';
import { LocalStore } from '../stores/local.js';
import { describeUnready, unreadyProviders } from '../engine/preflight.js';
import { parseInputsMap } from '../workflow/inputs.js';
import { parseDuration } from '../workflow/duration.js';
import { formatProblem, loadWorkflowFile } from '../workflow/loader.js';
import type { AttemptOptions } from '../attempt.js';
import type { ShardSet } from '../journal/shard-set.js';
import { parseAnswersInput, parseResumeFrom, questionsOutput, renderQuestions } from './answers.js';
import type { ActionHost } from './host.js';
import { readShardSettings, shardSettingsProblem } from './shards.js';
import type { ShardSettings } from './shards.js';
import { STATE } from './state.js';

export interface ActionSettings {
  workflowFile: string;
  inputs: Record<string, unknown>;
  scope: ResumeScope;
  cache: 'true' | 'read-only' | 'false';
  artifacts: boolean;
  suffix: string;
  concurrency?: number;
  workspace: string;
  /** `failure`: fail on failed/cancelled (a waiting run passes, with a warning); `waiting`: also on waiting. */
  failOn: 'failure' | 'waiting' | 'never';
  /** The `answers` input (parsed once the workflow is known). */
  answers: string;
  /** Who gave `answers` (the answered-by output), e.g. the commenter's login. */
  answeredBy: string;
  resumeFrom: string;
  token: string;
  /** false: unanswered asks take their default instead of waiting. */
  wait: boolean;
  shards: ShardSettings;
  /** Limits over the workflow's for this attempt: the explicit way to let a re-run spend more. */
  limits: LimitOverrides;
  /** `reuse-max-age` over the workflow's: how old an earlier run's call may be and still be reused. */
  reuseMaxAgeMs?: number;
}

/** A wrong `with:` value: the step fails with this message and nothing runs. */
class SettingsError extends Error {}

export function readSettings(host: ActionHost): ActionSettings {
  const oneOf = <T extends string>(name: string, allowed: readonly T[]): T => {
    const value = host.getInput(name) || allowed[0]!;
    if (!(allowed as readonly string[]).includes(value)) {
      throw new SettingsError(`input "${name}" must be one of ${allowed.join(', ')}; got "${value}"`);
    }
    return value as T;
  };
  const workflowFile = host.getInput('workflow', true);
  const githubWorkspace = host.env.GITHUB_WORKSPACE ?? process.cwd();
  const workspace = resolve(githubWorkspace, host.getInput('working-directory') || '.');
  const concurrencyText = host.getInput('concurrency');
  const concurrency = concurrencyText ? Number(concurrencyText) : undefined;
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1)) {
    throw new SettingsError(`input "concurrency" must be a whole number >= 1; got "${concurrencyText}"`);
  }
  const parsedInputs = parseInputsMap(host.getInput('inputs'));
  if ('error' in parsedInputs) throw new SettingsError(`input "inputs": ${parsedInputs.error}`);
  const inputs = parsedInputs.values;
  const parsedLimits = parseInputsMap(host.getInput('limits'));
  if ('error' in parsedLimits) throw new SettingsError(`input "limits": ${parsedLimits.error}`);
  const limits = parseLimitOverrides(parsedLimits.values);
  if ('error' in limits) throw new SettingsError(`input "limits": ${limits.error}`);
  const maxAgeText = host.getInput('reuse-max-age');
  const reuseMaxAgeMs = maxAgeText ? parseDuration(maxAgeText) : undefined;
  if (maxAgeText && reuseMaxAgeMs === undefined) {
    throw new SettingsError(
      `input "reuse-max-age" must be a duration such as 10d, 36h or 0; got "${maxAgeText}"`,
    );
  }
  return {
    ...(reuseMaxAgeMs !== undefined ? { reuseMaxAgeMs } : {}),
    limits: limits.limits,
    workflowFile,
    inputs,
    scope: oneOf('resume-scope', ['run', 'workflow', 'off'] as const),
    cache: oneOf('cache', ['true', 'read-only', 'false'] as const),
    artifacts: oneOf('artifacts', ['true', 'false'] as const) === 'true',
    suffix: host.getInput('key-suffix'),
    concurrency,
    workspace,
    failOn: oneOf('fail-on', ['failure', 'waiting', 'never'] as const),
    answers: host.getInput('answers'),
    answeredBy: host.getInput('answered-by'),
    resumeFrom: host.getInput('resume-from'),
    token: host.getInput('github-token'),
    wait: oneOf('wait', ['true', 'false'] as const) === 'true',
    shards: readShardSettings((name) => host.getInput(name)),
  };
}

/** How an attempt that stops early says so: the job summary, `status=failed`, and one `::error`. */
interface Failing {
  /** What the summary's heading names: the workflow file, then the workflow's name once loaded. */
  title: string;
  /** Whether the run started (calls may have run) when it stopped. */
  ran: boolean;
  /** Set once the run's own summary and `status` are written: a later crash only fails the step. */
  reported: boolean;
}

/**
 * Fails the step with `message`: the summary says what went wrong, `status` is `failed`, and exactly one
 * `::error` stands for it (none more when `annotated`: the problems were annotated one by one).
 */
async function fail(
  host: ActionHost,
  failing: Failing,
  message: string,
  options: { annotated?: boolean; log?: string } = {},
): Promise<void> {
  if (!failing.reported) {
    failing.reported = true;
    await writeJobSummary(host, renderFailureSummary({ title: failing.title, message, ran: failing.ran }));
    host.setOutput('status', 'failed');
  }
  if (options.annotated) {
    host.info(options.log ?? message);
    host.markFailed();
  } else host.setFailed(options.log ?? message);
}

async function writeJobSummary(host: ActionHost, markdown: string): Promise<void> {
  try {
    await host.writeSummary(markdown);
  } catch (caught) {
    host.warning(`could not write the job summary: ${(caught as Error).message}`);
  }
}

export async function runMain(host: ActionHost): Promise<void> {
  const failing: Failing = { title: 'action step', ran: false, reported: false };
  try {
    await attempt(host, failing);
  } catch (caught) {
    const message = caught instanceof Error ? caught.message : String(caught);
    const log = caught instanceof Error ? (caught.stack ?? caught.message) : undefined;
    await fail(host, failing, message, { log });
  }
}

async function attempt(host: ActionHost, failing: Failing): Promise<void> {
  let settings: ActionSettings;
  try {
    settings = readSettings(host);
  } catch (caught) {
    await fail(host, failing, caught instanceof Error ? caught.message : String(caught));
    return;
  }
  failing.title = settings.workflowFile;
  const workflowPath = resolve(settings.workspace, settings.workflowFile);
  const repoRoot = host.env.GITHUB_WORKSPACE ?? settings.workspace;
  const loaded = await loadWorkflowFile(workflowPath);
  if (!loaded.workflow) {
    for (const problem of loaded.problems) {
      host.error(problem.message, {
        file: relative(repoRoot, problem.file),
        startLine: problem.line,
        startColumn: problem.column,
        title: 'reprise workflow',
      });
    }
    const message =
      `${settings.workflowFile} has ${loaded.problems.length} problem(s):\n` +
      loaded.problems.map(formatProblem).join('\n');
    await fail(host, failing, message, { annotated: loaded.problems.length > 0 });
    return;
  }
  const workflow = loaded.workflow;
  failing.title = workflow.name;
  const shardProblem = shardSettingsProblem(settings.shards, workflow);
  if (shardProblem) {
    await fail(host, failing, shardProblem);
    return;
  }
  const { shard } = settings.shards;
  const env = host.env;
  const job = env.GITHUB_JOB ?? 'job';
  const ghRunId = env.GITHUB_RUN_ID ?? String(Date.now());
  const answers = parseAnswersInput(workflow, settings.answers, settings.answeredBy || undefined);
  const resumeFrom = parseResumeFrom(settings.resumeFrom, env.GITHUB_REPOSITORY, settings.token);
  if ('problems' in answers || (resumeFrom && 'problem' in resumeFrom)) {
    const problems = 'problems' in answers ? answers.problems : [];
    if (resumeFrom && 'problem' in resumeFrom) problems.push(resumeFrom.problem);
    await fail(host, failing, `${problems.join('\n')}\nnothing was run or written`);
    return;
  }
  // The CLI's preflight: every provider the workflow can reach is usable here, or nothing runs. A re-run whose
  // journal replays every call needs none (a secret rotated or not passed to a re-run): decided once the
  // journal is restored, below.
  const unready = unreadyProviders(workflow, {
    env: host.env,
    workspace: settings.workspace,
    inActions: true,
  });
  if (settings.token) host.setSecret(settings.token);
  const ghAttempt = Number(env.GITHUB_RUN_ATTEMPT ?? '1') || 1;
  const runId = [
    ghRunId,
    slug(job),
    settings.suffix ? slug(settings.suffix) : '',
    shard ? `shard-${shard.index}-of-${shard.total}` : '',
  ]
    .filter(Boolean)
    .join('-');
  const local = new LocalStore(join(env.RUNNER_TEMP ?? tmpdir(), 'reprise', 'runs'));
  const journalPath = local.journalPath(runId);
  const keys = cacheKeys({
    name: workflow.name,
    job,
    suffix: settings.suffix || undefined,
    ...(shard ? { shard } : {}),
    runId: ghRunId,
    attempt: ghAttempt,
    scope: settings.scope,
  });
  const identity: ArtifactNameParts = {
    name: workflow.name,
    job,
    suffix: settings.suffix || undefined,
    ...(shard ? { shard } : {}),
  };
  const artifact = artifactName({ ...identity, attempt: ghAttempt });
  const runDir = local.runDir(runId);
  await mkdir(runDir, { recursive: true });
  // Everything post needs if main never gets to save (crash, cancellation, timeout).
  host.saveState(STATE.journal, journalPath);
  host.saveState(STATE.cacheKey, settings.cache === 'true' ? keys.key : '');
  host.saveState(STATE.artifact, settings.artifacts ? artifact : '');
  host.saveState(STATE.identity, JSON.stringify(identity));
  host.saveState(STATE.saved, 'false');
  host.setOutput('run-id', runId);
  host.setOutput('journal', journalPath);
  // The first line the job log shows: the engine, and the toolkit for the cache and artifacts, load after it.
  host.info(`reprise: run ${runId} of ${workflow.name}, attempt ${ghAttempt} (journal: ${journalPath})`);
  // The stores load first; the engine loads while the journal is restored (a restore mostly waits on the
  // network and tar).
  const { actionStore } = await import('./persist.js');
  const engine = Promise.all([
    import('../attempt.js'),
    import('./observer.js'),
    import('../report/progress.js'),
    import('../github-context.js'),
    import('../engine/reuse.js'),
  ]);
  engine.catch(() => undefined); // awaited below; an early return must not leave it unhandled

  const store = actionStore(host);
  let restored;
  try {
    restored = await store.restore({
      journalPath,
      workDir: runDir,
      workflowName: workflow.name,
      scope: settings.scope,
      cache: settings.cache !== 'false',
      artifacts: settings.artifacts,
      keys,
      identity,
      attempt: ghAttempt,
      ...(resumeFrom ? { resumeFrom } : {}),
    });
  } catch (caught) {
    if (!(caught instanceof StoreError)) throw caught;
    await fail(host, failing, caught.message);
    return;
  }
  host.setOutput('restored-from', restored.source ?? '');
  let shardSet: ShardSet | undefined;
  let previous = restored.read;
  const shardMerge = settings.shards.merge ? await import('./shard-merge.js') : undefined;
  if (shardMerge) {
    const { mergeShards, ShardSetError } = shardMerge;
    try {
      const merged = await mergeShards({
        store,
        workflow,
        settings: settings.shards,
        suffix: settings.suffix || undefined,
        attempt: ghAttempt,
        workDir: runDir,
        journalPath,
        own: restored.read,
        warn: (message) => host.warning(message),
      });
      shardSet = merged.set;
      previous = merged.previous;
      host.info(
        `merging ${merged.set.shards.length} of ${merged.set.total} shards: ${merged.previous.candidates.size} journaled calls`,
      );
    } catch (caught) {
      if (!(caught instanceof ShardSetError)) throw caught;
      await fail(host, failing, caught.message);
      return;
    }
  }

  const controller = new AbortController();
  const onSignal = (signal: string) => {
    host.warning(`received ${signal}: stopping the run, then saving the journal`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const [
    { InputsError, replaysWhole, runAttempt },
    { ActionObserver },
    { describeShardReport },
    { githubContext },
    { reuseMaxAge },
  ] = await engine;
  // How post compacts the journal for later runs if main is killed from here on. Saved before the run
  // journals anything: until then the journal holds only what this step restored, and post saves it as it is.
  const maxAgeMs = reuseMaxAge(workflow, settings.reuseMaxAgeMs);
  host.saveState(STATE.scope, settings.scope);
  host.saveState(STATE.reuseMaxAge, String(maxAgeMs));
  const observer = new ActionObserver(host);
  const attemptOptions: AttemptOptions = {
    workflow,
    runId,
    journalPath,
    previous,
    // No `inputs:` given: a continued run (resume-from, a re-run) keeps the inputs it recorded.
    given:
      Object.keys(settings.inputs).length > 0 ? { values: settings.inputs, fromStrings: true } : undefined,
    limits: settings.limits,
    // An earlier run's journal (resume-scope: workflow): a new run that reuses only what the cross-run rule
    // allows (model calls; run steps and tools run again), not a resume of that run.
    reuseEarlierRuns: restored.fromEarlierRun === true,
    ...(settings.reuseMaxAgeMs !== undefined ? { reuseMaxAgeMs: settings.reuseMaxAgeMs } : {}),
    workspace: settings.workspace,
    // A stream past the output cap is written whole, redacted, into the run directory: it travels with
    // this attempt's artifact (the warning names the file).
    runOutput: { dir: runDir },
    env,
    github: await githubContext(env),
    concurrency: settings.concurrency,
    signal: controller.signal,
    observer,
    onSecret: (value) => host.setSecret(value),
    shard,
    mergeOf: shardSet?.total,
    answers: { given: answers.answers, wait: settings.wait },
  };
  if (unready.length > 0) {
    // Only a replay to the end proves that no call would run live (the CLI decides the same way).
    if (!(previous.candidates.size > 0 && (await replaysWhole(attemptOptions)))) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      // Nothing ran and the restored journal is unchanged: post has nothing to save.
      host.saveState(STATE.journal, '');
      await fail(host, failing, describeUnready(unready, { inActions: true }));
      return;
    }
    host.info(
      `reprise: ${unready.map((entry) => `provider "${entry.provider}"`).join(', ')} cannot be used here, ` +
        'but every call replays from the journal: none is needed',
    );
  }
  let outcome;
  failing.ran = true;
  try {
    outcome = await runAttempt(attemptOptions);
  } catch (caught) {
    if (caught instanceof InputsError) {
      failing.ran = false;
      await fail(host, failing, `invalid inputs for ${settings.workflowFile}:\n${caught.message}`);
      return;
    }
    throw caught;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const { result } = outcome;

  // Saved for later runs: thinned first, so that it does not grow with every scheduled run.
  const compacted = await store.compactForLaterRuns({
    journalPath,
    scope: settings.scope,
    saveToCache: settings.cache === 'true',
    maxAgeMs,
    keep: new Set(result.replayedKeys),
  });
  const summary =
    renderJobSummary({
      workflow,
      runId,
      attempt: ghAttempt,
      result,
      restoredFrom: restored.source,
      restoredCalls: restored.read.candidates.size,
      damagedJournals: restored.damaged,
      journaledCalls: previous.candidates.size + result.calls.live,
    }) +
    (shardSet && shardMerge ? `\n${shardMerge.renderShardTable(shardSet)}` : '') +
    (result.shard ? `\n${describeShardReport(result.shard)}\n` : '') +
    (result.status === 'waiting' ? `\n${renderQuestions(result.questions, ghRunId)}` : '') +
    (compacted ? `\n**Saved for later runs:** ${compacted}.\n` : '');
  // A re-run that replayed every call from this run's own cache entry and journaled none adds nothing an
  // artifact would keep: the earlier attempts' artifacts hold the same calls, and the summary is in the job
  // summary. Its upload (the artifact toolkit is the largest part of dist/) is skipped; the cache still
  // gets the journal under this attempt's key, so the next attempt restores it without listing artifacts.
  const nothingNew =
    result.status === 'succeeded' &&
    result.calls.live === 0 &&
    result.calls.failed === 0 &&
    (result.reuse?.reused ?? 0) === 0 &&
    restored.damaged.length === 0 &&
    !restored.fromEarlierRun &&
    !shardSet &&
    !shard &&
    restored.source !== undefined &&
    keys.restoreKeys[0] !== undefined &&
    restored.source.startsWith(keys.restoreKeys[0]);
  const upload = settings.artifacts && !nothingNew;
  const { replayedKeys, ...written } = result;
  await local.writeResult(runId, {
    runId,
    workflow: workflow.name,
    attempt: ghAttempt,
    ...written,
    ...notReplayedKeys(previous, replayedKeys),
  });
  await writeFile(join(runDir, 'summary.md'), summary, 'utf8');
  if (upload) {
    // For the artifact only: the whole journal, read back with this attempt's calls.
    const [{ renderTranscript }, { readJournalFile }] = await Promise.all([
      import('../report/calls.js'),
      import('../journal/reader.js'),
    ]);
    const transcript = renderTranscript(await readJournalFile(journalPath), {
      runId,
      replays: { replayed: result.replayedKeys },
    });
    await writeFile(join(runDir, 'transcript.md'), transcript, 'utf8');
  } else if (settings.artifacts) {
    host.info(
      `reprise: every call was replayed from ${restored.source} and none was added: no artifact for this ` +
        "attempt (the earlier attempts' artifacts hold the same calls)",
    );
  }
  await writeJobSummary(host, summary);

  await store.save({
    journalPath,
    cacheKey: settings.cache === 'true' ? keys.key : '',
    artifact: upload ? artifact : '',
    identity,
  });
  host.saveState(STATE.saved, 'true');

  host.setOutput('status', result.status);
  failing.reported = true;
  host.setOutput('outputs', JSON.stringify(result.outputs));
  host.setOutput('questions', questionsOutput(result.status === 'waiting' ? result.questions : []));
  host.setOutput('calls-live', result.calls.live);
  host.setOutput('calls-replayed', result.calls.replayed);
  host.setOutput('calls-failed', result.calls.failed);
  host.setOutput('calls-reused', result.reuse?.reused ?? 0);
  host.setOutput('input-tokens', result.usage.inputTokens);
  host.setOutput('output-tokens', result.usage.outputTokens);
  // An unknown cost is never written as 0: `cost-usd` is "unknown" when a call was unpriced.
  const cost = usageJson(result.usage);
  const saved = usageJson(result.saved);
  host.setOutput('cost-usd', cost.costUsd === null ? 'unknown' : cost.costUsd.toFixed(6));
  host.setOutput('known-cost-usd', cost.knownCostUsd.toFixed(6));
  host.setOutput('unpriced-calls', cost.unpricedCalls);
  host.setOutput('estimated-calls', cost.estimatedCalls);
  host.setOutput('saved-cost-usd', saved.costUsd === null ? 'unknown' : saved.costUsd.toFixed(6));
  host.setOutput('run-tokens', result.budget.spent.inputTokens + result.budget.spent.outputTokens);

  host.info(
    `reprise: ${result.status}: ${result.calls.live} live, ${result.calls.replayed} replayed, ` +
      `${result.calls.failed} failed calls`,
  );
  if (result.status === 'waiting') {
    const what = result.questions
      .map((q) => `${q.step}${q.item !== undefined ? `[${q.item}]` : ''}`)
      .join(', ');
    if (settings.failOn === 'waiting')
      host.setFailed(`workflow ${workflow.name} is waiting for input: ${what}`);
    else host.warning(`reprise: waiting for input (${what}); the job summary says how to answer`);
    return;
  }
  if (result.status !== 'succeeded' && result.status !== 'sharded' && settings.failOn !== 'never') {
    const message = `workflow ${workflow.name} ${result.status}: ${result.error ?? 'see the job summary'}`;
    // A failed step has its own ::error already: one failure, one annotation.
    if (observer.errors > 0) {
      host.info(message);
      host.markFailed();
    } else host.setFailed(message);
  }
}
