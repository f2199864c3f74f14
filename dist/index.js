import { a as slug, c as cacheKeys, b as artifactName, S as STATE, s as saveJournalElsewhere, d as restoreJournal, e as downloadNewestEarlierAttempt, f as artifactPrefix, r as runnerHost } from './chunks/persist-CwlMOKvL.js';
import { mkdir, writeFile, rm, copyFile, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { resolve, relative, join } from 'node:path';
import { f as formatMs, h as hasUsage, a as formatCost, r as renderMermaid, l as loadWorkflowFile, b as formatProblem, L as LocalStore, c as runAttempt, g as githubContext, I as InputsError, p as parseInputsMap, P as ProgressReporter, e as emptyJournalRead, d as readJournalFile, j as journalBelongsTo } from './chunks/progress-BlMHOfcr.js';
import 'node:fs';
import 'os';
import 'crypto';
import 'fs';
import 'path';
import 'http';
import 'https';
import 'net';
import 'tls';
import 'events';
import 'assert';
import 'util';
import 'node:assert';
import 'node:net';
import 'node:http';
import 'node:stream';
import 'node:buffer';
import 'node:util';
import 'node:querystring';
import 'node:events';
import 'node:diagnostics_channel';
import './chunks/_commonjsHelpers-Bgu_3bK-.js';
import 'node:tls';
import 'node:zlib';
import 'node:perf_hooks';
import 'node:util/types';
import 'node:worker_threads';
import 'node:url';
import 'node:async_hooks';
import 'node:console';
import 'node:dns';
import 'string_decoder';
import 'child_process';
import 'timers';
import 'stream';
import 'url';
import 'buffer';
import 'node:process';
import 'node:https';
import 'node:module';
import 'node:crypto';
import 'tty';
import 'fs/promises';
import 'constants';
import 'node:string_decoder';
import 'zlib';
import './chunks/promise-CEiL9zOz.js';
import 'node:child_process';
import 'process';
import 'readline';

const STATUS_ICON = {
    succeeded: '✅',
    failed: '❌',
    cancelled: '⏹️',
    skipped: '⏭️',
    'not-run': '▫️',
};
function renderJobSummary(context) {
    const { workflow, result } = context;
    const icon = STATUS_ICON[result.status] ?? '';
    const lines = [
        `## ${icon} reprise: ${escapeCell(workflow.name)} ${result.status}`,
        '',
        `Run \`${context.runId}\`, attempt ${context.attempt}, ${formatMs(result.ms)}. ` +
            (context.restoredFrom
                ? `Restored ${context.restoredCalls ?? 0} journaled calls from \`${context.restoredFrom}\`.`
                : 'No earlier journal was restored.'),
        '',
    ];
    if (result.error)
        lines.push('```text', result.error, '```', '');
    lines.push('| step | status | live | replayed | failed | tokens (in / out) | cost | saved | time |', '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const step of result.steps) {
        if (step.kind === 'parallel' || step.kind === 'repeat') {
            lines.push(`| **${escapeCell(step.id)}** (${step.kind}) | ${STATUS_ICON[step.status] ?? ''} ${step.status} | | | | | | | ${formatMs(step.ms)} |`);
            continue;
        }
        const spent = hasUsage(step.usage);
        const saved = hasUsage(step.saved);
        lines.push(`| ${escapeCell(step.id)} | ${STATUS_ICON[step.status] ?? ''} ${step.status} | ${step.calls.live} | ${step.calls.replayed} | ${step.calls.failed} | ` +
            `${spent ? `${step.usage.inputTokens} / ${step.usage.outputTokens}` : ''} | ` +
            `${spent ? formatCost(step.usage.costUsd, step.usage.unpricedCalls) : ''} | ` +
            `${saved ? formatCost(step.saved.costUsd, step.saved.unpricedCalls) : ''} | ${formatMs(step.ms)} |`);
    }
    lines.push('', `**Calls:** ${result.calls.live} live, ${result.calls.replayed} replayed, ${result.calls.failed} failed, ${result.calls.skipped} skipped.  `, `**Spent:** ${result.usage.inputTokens} input + ${result.usage.outputTokens} output tokens, ${formatCost(result.usage.costUsd, result.usage.unpricedCalls)}.  `, `**Saved by replay:** ${result.saved.inputTokens} input + ${result.saved.outputTokens} output tokens, ${formatCost(result.saved.costUsd, result.saved.unpricedCalls)}.`);
    if (result.unmatchedJournalCalls > 0) {
        lines.push('', `${result.unmatchedJournalCalls} journaled calls no longer matched the workflow (edited or removed steps).`);
    }
    const status = Object.fromEntries(result.steps.map((step) => [step.id, step.status === 'not-run' ? 'pending' : step.status]));
    lines.push('', '```mermaid', renderMermaid(workflow, status), '```', '');
    return lines.join('\n');
}
function escapeCell(text) {
    return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

// The action's main step: restore the journal (cache, then artifacts), run the workflow, report, save.
/** A wrong `with:` value: the step fails with this message and nothing runs. */
class SettingsError extends Error {
}
function readSettings(host) {
    const oneOf = (name, allowed) => {
        const value = host.getInput(name) || allowed[0];
        if (!allowed.includes(value)) {
            throw new SettingsError(`input "${name}" must be one of ${allowed.join(', ')}; got "${value}"`);
        }
        return value;
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
    if ('error' in parsedInputs)
        throw new SettingsError(`input "inputs": ${parsedInputs.error}`);
    const inputs = parsedInputs.values;
    return {
        workflowFile,
        inputs,
        scope: oneOf('resume-scope', ['run', 'workflow', 'off']),
        cache: oneOf('cache', ['true', 'read-only', 'false']),
        artifacts: oneOf('artifacts', ['true', 'false']) === 'true',
        suffix: host.getInput('key-suffix'),
        concurrency,
        workspace,
        failOn: oneOf('fail-on', ['failure', 'never']),
    };
}
async function runMain(host) {
    let settings;
    try {
        settings = readSettings(host);
    }
    catch (caught) {
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
        host.setFailed(`${settings.workflowFile} has ${loaded.problems.length} problem(s):\n` +
            loaded.problems.map(formatProblem).join('\n'));
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
    const identity = { name: workflow.name, job, suffix: settings.suffix || undefined };
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
    const log = { info: (m) => host.info(m), warning: (m) => host.warning(m) };
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
    const onSignal = (signal) => {
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
    }
    catch (caught) {
        if (caught instanceof InputsError) {
            host.setFailed(`invalid inputs for ${settings.workflowFile}:\n${caught.message}`);
            return;
        }
        throw caught;
    }
    finally {
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
    }
    catch (caught) {
        host.warning(`could not write the job summary: ${caught.message}`);
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
    host.info(`reprise: ${result.status}: ${result.calls.live} live, ${result.calls.replayed} replayed, ` +
        `${result.calls.failed} failed calls`);
    if (result.status !== 'succeeded' && settings.failOn === 'failure') {
        host.setFailed(`workflow ${workflow.name} ${result.status}: ${result.error ?? 'see the job summary'}`);
    }
}
/**
 * The journal of the newest earlier attempt: the cache's, unless an artifact of a later attempt than the
 * cache entry's exists (that attempt could not save to the cache; its journal holds more calls). Untrusted.
 */
async function restore(host, settings, workflow, context) {
    const empty = emptyJournalRead(context.journalPath);
    if (settings.scope === 'off')
        return { read: empty };
    await rm(context.journalPath, { force: true });
    /** Reads a restored journal at `path`; undefined (and the file removed) when it is not ours to replay. */
    const check = async (source, path) => {
        const read = await readJournalFile(path);
        for (const problem of read.problems) {
            // The reader's messages name their line already.
            const message = `journal from ${source}: ${problem.message}`;
            if (problem.severity === 'warning')
                host.warning(message);
            else
                host.info(message);
        }
        const foreign = journalBelongsTo(read, workflow.name);
        if (foreign || read.runs.length === 0) {
            if (foreign)
                host.warning(`ignoring the journal from ${source}: ${foreign}`);
            await rm(path, { force: true });
            return undefined;
        }
        return read;
    };
    const use = async (read, source, from, path) => {
        if (path !== context.journalPath)
            await moveFile(path, context.journalPath);
        host.info(`restored ${read.calls.size} calls from ${from}`);
        return { read: { ...read, source: context.journalPath }, source };
    };
    let cached;
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
                if (cached)
                    await rm(join(context.runDir, 'restored-cache.jsonl'), { force: true });
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
function attemptOfKey(key, runPrefix) {
    if (runPrefix === undefined || !key.startsWith(runPrefix))
        return undefined;
    const rest = key.slice(runPrefix.length);
    return /^[0-9]+$/.test(rest) ? Number(rest) : undefined;
}
async function moveFile(from, to) {
    try {
        await rename(from, to);
    }
    catch {
        await copyFile(from, to);
        await rm(from, { force: true });
    }
}
/** Logs grouped per top-level step; one line per finished call. */
class ActionObserver {
    host;
    progress;
    openGroup;
    constructor(host) {
        this.host = host;
        this.progress = new ProgressReporter({
            out: lineWriter((line) => host.info(line)),
            bar: false,
        });
    }
    stepStarted(step, info) {
        if (this.openGroup === undefined) {
            this.openGroup = step;
            const detail = info.items !== undefined
                ? ` (${info.items} items)`
                : info.iteration !== undefined
                    ? ` (iteration ${info.iteration})`
                    : '';
            this.host.startGroup(`${step}${detail}`);
        }
        else if (info.iteration !== undefined) {
            this.host.info(`${step}: iteration ${info.iteration}`);
        }
    }
    callFinished = (report) => this.progress.callFinished(report);
    callRetrying = (info) => this.progress.callRetrying(info);
    stepFinished(step, status, error) {
        if (status === 'failed' && error)
            this.host.error(error);
        else
            this.host.info(`${step}: ${status}`);
        if (this.openGroup === step) {
            this.host.endGroup();
            this.openGroup = undefined;
        }
    }
    warning(message) {
        this.host.warning(message);
    }
}
function lineWriter(write) {
    return {
        write(chunk) {
            for (const line of String(chunk).replace(/\n$/, '').split('\n'))
                write(line);
            return true;
        },
    };
}

// Action entry point (main). Thin: the logic is in src/action/main.ts.
const host = runnerHost();
try {
    await runMain(host);
}
catch (caught) {
    host.setFailed(caught instanceof Error ? (caught.stack ?? caught.message) : String(caught));
}
// The toolkit's HTTP clients can keep Node alive with pending retries: exit once the work is done.
process.exit();
