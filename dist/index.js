import { s as slug, c as cacheKeys, b as artifactName, S as STATE, a as actionStore, r as runnerHost } from './chunks/persist-DZtxSsYA.js';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { resolve, relative, join } from 'node:path';
import { f as formatMs, h as hasUsage, a as formatCost, r as renderMermaid, l as loadWorkflowFile, b as formatProblem, L as LocalStore, c as runAttempt, g as githubContext, I as InputsError, p as parseInputsMap, P as ProgressReporter, d as callName } from './chunks/progress-YNUlIBPW.js';
import 'node:fs';
import './chunks/reader-B7nJbNtp.js';
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
        if (step.kind === 'parallel' || step.kind === 'repeat' || step.kind === 'uses') {
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

// The action's main step: restore the journal (the store's policy), run the workflow, report, save.
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
    const local = new LocalStore(join(env.RUNNER_TEMP ?? tmpdir(), 'reprise', 'runs'));
    const journalPath = local.journalPath(runId);
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
    const store = actionStore(host);
    const restored = await store.restore({
        journalPath,
        workDir: runDir,
        workflowName: workflow.name,
        scope: settings.scope,
        cache: settings.cache !== 'false',
        artifacts: settings.artifacts,
        keys,
        identity,
        attempt: ghAttempt,
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
    await local.writeResult(runId, { runId, workflow: workflow.name, attempt: ghAttempt, ...result });
    await writeFile(join(runDir, 'summary.md'), summary, 'utf8');
    try {
        await host.writeSummary(summary);
    }
    catch (caught) {
        host.warning(`could not write the job summary: ${caught.message}`);
    }
    await store.save({
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
    stepOutput(info) {
        this.host.info(`${callName(info)} | ${info.line}`);
    }
    /** Passed on as printed, so the runner makes its annotation, group or debug line. */
    workflowCommand(info) {
        this.host.info(info.command.raw);
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
