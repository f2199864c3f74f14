// The job summary (GitHub-flavored Markdown): status, a table per step, totals with what replay saved,
// and the steps as a Mermaid diagram colored by status.
import { basename } from 'node:path';
import type { RunResult } from '../engine/types.js';
import { renderMermaid } from '../workflow/graph.js';
import type { WorkflowDef } from '../workflow/types.js';
import {
  formatBudget,
  formatMs,
  formatReuse,
  formatTokens,
  formatTotals,
  formatTotalsCost,
  hasUsage,
} from './format.js';

const STATUS_ICON: Record<string, string> = {
  succeeded: '✅',
  failed: '❌',
  cancelled: '⏹️',
  waiting: '⏸️',
  skipped: '⏭️',
  'not-run': '▫️',
};

export interface SummaryContext {
  workflow: WorkflowDef;
  runId: string;
  attempt: number;
  result: RunResult;
  restoredFrom?: string;
  restoredCalls?: number;
  /** Distinct calls in the journal after this attempt: what a re-run replays. */
  journaledCalls?: number;
  /** Restored journals found damaged and set aside (stores/journal-store.ts DamagedJournal). */
  damagedJournals?: readonly {
    from: string;
    aside: string;
    kept: number;
    problems: readonly { message: string }[];
  }[];
}

function damagedSection(damaged: NonNullable<SummaryContext['damagedJournals']>[number]): string[] {
  const kept =
    damaged.kept > 0
      ? `Its ${damaged.kept} valid call${damaged.kept === 1 ? ' was' : 's were'} kept and replayed; the damaged lines were not replayed.`
      : 'Nothing in it could be replayed.';
  return [
    `> [!WARNING]`,
    `> The journal restored from ${escapeCell(damaged.from)} was damaged. ${kept} ` +
      `The original is kept as \`${basename(damaged.aside)}\` in this attempt's artifact.`,
    ...damaged.problems.map((problem) => `> - ${escapeCell(problem.message)}`),
    '',
  ];
}

/** Outputs longer than this go in a collapsed block. */
const OUTPUTS_INLINE_CHARS = 600;

export function renderJobSummary(context: SummaryContext): string {
  const { workflow, result } = context;
  const icon = STATUS_ICON[result.status] ?? '';
  const lines: string[] = [
    `## ${icon} reprise: ${escapeCell(workflow.name)} ${result.status}`,
    '',
    `Run \`${context.runId}\`, attempt ${context.attempt}, ${formatMs(result.ms)}. ` +
      (context.restoredFrom
        ? `Restored ${context.restoredCalls ?? 0} journaled calls from \`${context.restoredFrom}\`.`
        : 'No earlier journal was restored.'),
    '',
  ];
  for (const damaged of context.damagedJournals ?? []) lines.push(...damagedSection(damaged));
  if (result.error) lines.push('```text', result.error, '```', '');
  if (result.status !== 'succeeded' && context.journaledCalls !== undefined) {
    lines.push(
      `Re-running this job replays ${context.journaledCalls} journaled call${context.journaledCalls === 1 ? '' : 's'} for free and runs only the rest.`,
      '',
    );
  }
  lines.push(...outputsSection(result.outputs));
  lines.push(
    '| step | status | live | replayed | failed | tokens (in / out) | cost | saved | time |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const step of result.steps) {
    if (step.kind === 'parallel' || step.kind === 'repeat' || step.kind === 'uses') {
      lines.push(
        `| **${escapeCell(step.id)}** (${step.kind}) | ${STATUS_ICON[step.status] ?? ''} ${step.status} | | | | | | | ${formatMs(step.ms)} |`,
      );
      continue;
    }
    const spent = hasUsage(step.usage);
    const saved = hasUsage(step.saved);
    lines.push(
      `| ${escapeCell(step.id)} | ${STATUS_ICON[step.status] ?? ''} ${step.status} | ${step.calls.live} | ${step.calls.replayed} | ${step.calls.failed} | ` +
        `${spent ? formatTokens(step.usage).replace(' in', '').replace(' out', '') : ''} | ` +
        `${spent ? formatTotalsCost(step.usage) : ''} | ` +
        `${saved ? formatTotalsCost(step.saved) : ''} | ${formatMs(step.ms)} |`,
    );
  }
  lines.push(
    '',
    `**Calls:** ${result.calls.live} live, ${result.calls.replayed} replayed, ${result.calls.failed} failed, ${result.calls.skipped} skipped.  `,
    `**Spent:** ${formatTotals(result.usage)}.  `,
    `**Saved by replay:** ${formatTotals(result.saved)}.`,
  );
  const budget = formatBudget(result.budget);
  if (budget) lines.push('', `**Limits (all attempts of this run):** ${budget}.`);
  // A run reusing earlier runs says it in its reuse line (journaled no longer matched), not twice.
  if (result.unmatchedJournalCalls > 0 && !result.reuse) {
    lines.push(
      '',
      `${result.unmatchedJournalCalls} journaled calls no longer matched the workflow (edited or removed steps).`,
    );
  }
  if (result.reuse) lines.push('', `**Reuse across runs:** ${formatReuse(result.reuse)}.`);
  const status = Object.fromEntries(
    result.steps.map((step) => [step.id, step.status === 'not-run' ? 'pending' : step.status] as const),
  );
  lines.push('', '```mermaid', renderMermaid(workflow, status), '```', '');
  return lines.join('\n');
}

function outputsSection(outputs: Record<string, unknown>): string[] {
  if (Object.keys(outputs).length === 0) return [];
  const json = JSON.stringify(outputs, null, 2);
  const longest = Math.max(2, ...[...json.matchAll(/`+/g)].map((m) => m[0].length));
  const block = ['`'.repeat(longest + 1) + 'json', json, '`'.repeat(longest + 1)];
  if (json.length <= OUTPUTS_INLINE_CHARS) return ['**Outputs:**', '', ...block, ''];
  const names = Object.keys(outputs).join(', ');
  return [
    '<details><summary><b>Outputs</b>: ' + escapeHtml(names) + '</summary>',
    '',
    ...block,
    '',
    '</details>',
    '',
  ];
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/**
 * The job summary of an attempt that stopped before (or outside) the run: what went wrong, in a fenced
 * block longer than any backtick run of the message, so no text of it renders as Markdown.
 */
export function renderFailureSummary(context: { title: string; message: string; ran: boolean }): string {
  const longest = Math.max(0, ...(context.message.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return [
    `## ${STATUS_ICON.failed} reprise: ${escapeCell(context.title)} failed`,
    '',
    context.ran ? 'The run stopped on an error:' : 'Nothing was run:',
    '',
    fence,
    context.message,
    fence,
    '',
  ].join('\n');
}
