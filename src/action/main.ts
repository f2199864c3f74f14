// The action's main step: restore the journal (cache, then artifacts), run the workflow, report, save.
import { copyFile, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { InputsError, runAttempt } from '../attempt.js';
import type { RunObserver, StepStatus } from '../engine/types.js';
import { githubContext } from '../github-context.js';
import { emptyJournalRead, journalBelongsTo, readJournalFile } from '../journal/reader.js';
import type { JournalRead } from '../journal/reader.js';
import { ProgressReporter } from '../report/progress.js';
import { renderJobSummary } from '../report/summary.js';
import { cacheKeys, restoreJournal, slug } from '../stores/actions-cache.js';
import type { ResumeScope } from '../stores/actions-cache.js';
import {
  artifactName,
  artifactPrefix,
  downloadNewestEarlierAttempt,
  type ArtifactNameParts,
} from '../stores/artifacts.js';
import { LocalStore } from '../stores/local.js';
import { parseInputsMap } from '../workflow/inputs.js';
import { formatProblem, loadWorkflowFile } from '../workflow/loader.js';
import type { WorkflowDef } from '../workflow/types.js';
import type { ActionHost } from './host.js';
import { STATE, saveJournalElsewhere } from './persist.js';

export interface ActionSettings {
  workflowFile: string;
  inputs: Record<string, unknown>;
  scope: ResumeScope;
  cache: 'true' | 'read-only' | 'false';
  artifacts: boolean;
  suffix: string;
  concurrency?: number;
  workspace: string;
  failOn: 'failure' | 'never';
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
  return {
    workflowFile,
    inputs,
    scope: oneOf('resume-scope', ['run', 'workflow', 'off'] as const),
    cache: oneOf('cache', ['true', 'read-only', 'false'] as const),
    artifacts: oneOf('artifacts', ['true', 'false'] as const) === 'true',
    suffix: host.getInput('key-suffix'),
    concurrency,
    workspace,
    failOn: oneOf('fail-on', ['failure', 'never'] as const),
  };
}

export async function runMain(host: ActionHost): Promise<void> {
  let settings: ActionSettings;
  try {
    settings = readSettings(host);
  } catch (caught) {
    host.setFailed(caught instanceof Error ? caught.message : String(caught));
    return;
  }
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
    host.setFailed(
      `${settings.workflowFile} has ${loaded.problems.length} problem(s):\n` +
        loaded.problems.map(formatProblem).join('\n'),
    );
    return;
  }
  const workflow = loaded.workflow;
  const env = host.env;
  const job = env.GITHUB_JOB ?? 'job';
  const ghRunId = env.GITHUB_RUN_ID ?? String(Date.now());
  const ghAttempt = Number(env.GITHUB_RUN_ATTEMPT ?? '1') || 1;
  const runId = [ghRunId, slug(job), settings.suffix ? slug(settings.suffix) : ''].filter(Boolean).join('-');
  const store = new LocalStore(join(env.RUNNER_TEMP ?? tmpdir(), 'reprise', 'runs'));
  const journalPath = store.journalPath(runId);
  const keys = cacheKeys({
    name: workflow.name,
    job,
    suffix: settings.suffix || undefined,
    scriptHash: workflow.scriptHash,
    runId: ghRunId,
    attempt: ghAttempt,
    scope: settings.scope,
  });
  const identity: ArtifactNameParts = { name: workflow.name, job, suffix: settings.suffix || undefined };
  const artifact = artifactName({ ...identity, attempt: ghAttempt });
  const runDir = store.runDir(runId);
  await mkdir(runDir, { recursive: true });
  // Everything post needs if main never gets to save (crash, cancellation, timeout).
  host.saveState(STATE.journal, journalPath);
  host.saveState(STATE.cacheKey, settings.cache === 'true' ? keys.key : '');
  host.saveState(STATE.artifact, settings.artifacts ? artifact : '');
  host.saveState(STATE.identity, JSON.stringify(identity));
  host.saveState(STATE.saved, 'false');
  host.setOutput('run-id', runId);
  host.setOutput('journal', journalPath);

  const log = { info: (m: string) => host.info(m), warning: (m: string) => host.warning(m) };
  const restored = await restore(host, settings, workflow, {
    journalPath,
    keys,
    identity,
    runDir,
    ghAttempt,
    log,
  });
  host.setOutput('restored-from', restored.source ?? '');

  const controller = new AbortController();
  const onSignal = (signal: string) => {
    host.warning(`received ${signal}: stopping the run, then saving the journal`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let outcome;
  try {
    outcome = await runAttempt({
      workflow,
      runId,
      journalPath,
      previous: restored.read,
      given: { values: settings.inputs, fromStrings: true },
      workspace: settings.workspace,
      env,
      github: await githubContext(env),
      concurrency: settings.concurrency,
      signal: controller.signal,
      observer: new ActionObserver(host),
      onSecret: (value) => host.setSecret(value),
    });
  } catch (caught) {
    if (caught instanceof InputsError) {
      host.setFailed(`invalid inputs for ${settings.workflowFile}:\n${caught.message}`);
      return;
    }
    throw caught;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const { result } = outcome;

  const summary = renderJobSummary({
    workflow,
    runId,
    attempt: ghAttempt,
    result,
    restoredFrom: restored.source,
    restoredCalls: restored.read.calls.size,
  });
  await store.writeResult(runId, { runId, workflow: workflow.name, attempt: ghAttempt, ...result });
  await writeFile(join(runDir, 'summary.md'), summary, 'utf8');
  try {
    await host.writeSummary(summary);
  } catch (caught) {
    host.warning(`could not write the job summary: ${(caught as Error).message}`);
  }

  await saveJournalElsewhere(host, {
    journalPath,
    cacheKey: settings.cache === 'true' ? keys.key : '',
    artifact: settings.artifacts ? artifact : '',
    identity,
  });
  host.saveState(STATE.saved, 'true');

  host.setOutput('status', result.status);
  host.setOutput('outputs', JSON.stringify(result.outputs));
  host.setOutput('calls-live', result.calls.live);
  host.setOutput('calls-replayed', result.calls.replayed);
  host.setOutput('calls-failed', result.calls.failed);
  host.setOutput('input-tokens', result.usage.inputTokens);
  host.setOutput('output-tokens', result.usage.outputTokens);
  host.setOutput('cost-usd', result.usage.costUsd.toFixed(6));
  host.setOutput('saved-cost-usd', result.saved.costUsd.toFixed(6));

  host.info(
    `reprise: ${result.status}: ${result.calls.live} live, ${result.calls.replayed} replayed, ` +
      `${result.calls.failed} failed calls`,
  );
  if (result.status !== 'succeeded' && settings.failOn === 'failure') {
    host.setFailed(`workflow ${workflow.name} ${result.status}: ${result.error ?? 'see the job summary'}`);
  }
}

interface RestoreContext {
  journalPath: string;
  keys: { key: string; restoreKeys: string[] };
  identity: ArtifactNameParts;
  runDir: string;
  ghAttempt: number;
  log: { info(message: string): void; warning(message: string): void };
}

/**
 * The journal of the newest earlier attempt: the cache's, unless an artifact of a later attempt than the
 * cache entry's exists (that attempt could not save to the cache; its journal holds more calls). Untrusted.
 */
async function restore(
  host: ActionHost,
  settings: ActionSettings,
  workflow: WorkflowDef,
  context: RestoreContext,
): Promise<{ read: JournalRead; source?: string }> {
  const empty = emptyJournalRead(context.journalPath);
  if (settings.scope === 'off') return { read: empty };
  await rm(context.journalPath, { force: true });

  /** Reads a restored journal at `path`; undefined (and the file removed) when it is not ours to replay. */
  const check = async (source: string, path: string): Promise<JournalRead | undefined> => {
    const read = await readJournalFile(path);
    for (const problem of read.problems) {
      // The reader's messages name their line already.
      const message = `journal from ${source}: ${problem.message}`;
      if (problem.severity === 'warning') host.warning(message);
      else host.info(message);
    }
    const foreign = journalBelongsTo(read, workflow.name);
    if (foreign || read.runs.length === 0) {
      if (foreign) host.warning(`ignoring the journal from ${source}: ${foreign}`);
      await rm(path, { force: true });
      return undefined;
    }
    return read;
  };
  const use = async (read: JournalRead, source: string, from: string, path: string) => {
    if (path !== context.journalPath) await moveFile(path, context.journalPath);
    host.info(`restored ${read.calls.size} calls from ${from}`);
    return { read: { ...read, source: context.journalPath }, source };
  };

  let cached: { read: JournalRead; key: string; attempt: number } | undefined;
  if (settings.cache !== 'false') {
    const cachePath = join(context.runDir, 'restored-cache.jsonl');
    const hit = await restoreJournal({
      journalPath: cachePath,
      key: context.keys.key,
      restoreKeys: context.keys.restoreKeys,
      log: context.log,
    });
    const read = hit && (await check(`the Actions cache (${hit.matchedKey})`, cachePath));
    if (hit && read) {
      // 0: an entry of an earlier run (resume-scope: workflow), older than any attempt of this one.
      const attempt = attemptOfKey(hit.matchedKey, context.keys.restoreKeys[0]) ?? 0;
      if (attempt === context.ghAttempt - 1 || !settings.artifacts) {
        return use(read, hit.matchedKey, `the Actions cache (${hit.matchedKey})`, cachePath);
      }
      cached = { read, key: hit.matchedKey, attempt };
    }
  }
  if (settings.artifacts && context.ghAttempt > 1) {
    const downloadDir = join(context.runDir, 'restored-artifact');
    const found = await downloadNewestEarlierAttempt({
      prefix: artifactPrefix(context.identity),
      currentAttempt: context.ghAttempt,
      destDir: downloadDir,
      log: context.log,
      identity: context.identity,
      after: cached?.attempt,
    });
    const journalFile = found?.files.find((file) => file.endsWith('journal.jsonl'));
    if (found && journalFile) {
      const artifactPath = join(context.runDir, 'restored-artifact.jsonl');
      await copyFile(journalFile, artifactPath);
      await rm(downloadDir, { recursive: true, force: true });
      const read = await check(`the artifact ${found.name}`, artifactPath);
      if (read) {
        if (cached) await rm(join(context.runDir, 'restored-cache.jsonl'), { force: true });
        return use(read, found.name, `the artifact ${found.name}`, artifactPath);
      }
    }
  }
  if (cached) {
    const from = `the Actions cache (${cached.key})`;
    return use(cached.read, cached.key, from, join(context.runDir, 'restored-cache.jsonl'));
  }
  return { read: empty };
}

/** The attempt a cache key of this run names (`<restore prefix><attempt>`); undefined for another run's. */
function attemptOfKey(key: string, runPrefix: string | undefined): number | undefined {
  if (runPrefix === undefined || !key.startsWith(runPrefix)) return undefined;
  const rest = key.slice(runPrefix.length);
  return /^[0-9]+$/.test(rest) ? Number(rest) : undefined;
}

async function moveFile(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch {
    await copyFile(from, to);
    await rm(from, { force: true });
  }
}

/** Logs grouped per top-level step; one line per finished call. */
class ActionObserver implements RunObserver {
  private readonly progress: ProgressReporter;
  private openGroup?: string;

  constructor(private readonly host: ActionHost) {
    this.progress = new ProgressReporter({
      out: lineWriter((line) => host.info(line)),
      bar: false,
    });
  }

  stepStarted(step: string, info: { kind: string; items?: number; iteration?: number }): void {
    if (this.openGroup === undefined) {
      this.openGroup = step;
      const detail =
        info.items !== undefined
          ? ` (${info.items} items)`
          : info.iteration !== undefined
            ? ` (iteration ${info.iteration})`
            : '';
      this.host.startGroup(`${step}${detail}`);
    } else if (info.iteration !== undefined) {
      this.host.info(`${step}: iteration ${info.iteration}`);
    }
  }

  callFinished = (report: Parameters<ProgressReporter['callFinished']>[0]) =>
    this.progress.callFinished(report);
  callRetrying = (info: Parameters<ProgressReporter['callRetrying']>[0]) => this.progress.callRetrying(info);

  stepFinished(step: string, status: StepStatus, error?: string): void {
    if (status === 'failed' && error) this.host.error(error);
    else this.host.info(`${step}: ${status}`);
    if (this.openGroup === step) {
      this.host.endGroup();
      this.openGroup = undefined;
    }
  }

  warning(message: string): void {
    this.host.warning(message);
  }
}

function lineWriter(write: (line: string) => void): NodeJS.WritableStream {
  return {
    write(chunk: string | Uint8Array) {
      for (const line of String(chunk).replace(/\n$/, '').split('\n')) write(line);
      return true;
    },
  } as unknown as NodeJS.WritableStream;
}
