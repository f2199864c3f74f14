// Numbers as a person reads them, shared by the terminal report and the job summary.
import { totalTokens, type BudgetReport, type UsageTotals } from '../engine/budget.js';
import type { Usage } from '../agents/types.js';
import type { ReuseReport } from '../engine/reuse.js';

export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes}m${Math.round((ms % 60_000) / 1000)}s`;
}

/** A cost as far as it is known; `~` when it rests on estimated tokens. Never a plain `$0` for unpriced calls. */
export function formatCost(costUsd: number | null | undefined, unpricedCalls = 0, estimated = false): string {
  if (costUsd === null || costUsd === undefined) return 'unknown (unpriced)';
  if (costUsd === 0 && unpricedCalls > 0) {
    return `unknown (${unpricedCalls} unpriced call${unpricedCalls === 1 ? '' : 's'})`;
  }
  const text =
    (estimated ? '~' : '') +
    (costUsd === 0 ? '$0' : costUsd < 0.01 ? `$${costUsd.toFixed(4)}` : `$${costUsd.toFixed(2)}`);
  return unpricedCalls > 0 ? `${text} + unknown (${unpricedCalls} unpriced)` : text;
}

/** `~` marks counts that include estimates (the provider reported no usage). */
export function formatTokens(
  usage:
    (Pick<Usage, 'inputTokens' | 'outputTokens' | 'estimated'> & { estimatedCalls?: number }) | undefined,
): string {
  if (!usage) return '';
  const approx = usage.estimated === true || (usage.estimatedCalls ?? 0) > 0 ? '~' : '';
  return `${approx}${usage.inputTokens} in / ${approx}${usage.outputTokens} out`;
}

export function formatUsageCost(usage: Usage): string {
  return formatCost(usage.costUsd, 0, usage.estimated === true);
}

export function formatTotalsCost(totals: UsageTotals): string {
  return formatCost(totals.costUsd, totals.unpricedCalls, totals.estimatedCalls > 0);
}

/**
 * Spent against each limit, over every attempt of the run, and what earlier attempts spent: `tokens ~48 / 40
 * (30 in attempt 1)`. Undefined when the run has no limits and no earlier spending to tell about.
 */
export function formatBudget(report: BudgetReport): string | undefined {
  const { limits, spent, earlier } = report;
  const fromEarlier = earlier.attempts.length > 0;
  const words =
    earlier.attempts.length === 1
      ? `attempt ${earlier.attempts[0]}`
      : `attempts ${numberRanges(earlier.attempts)}`;
  const approx = spent.estimatedCalls > 0 ? '~' : '';
  const parts: string[] = [];
  if (limits.tokens !== undefined) {
    parts.push(
      `tokens ${approx}${totalTokens(spent)} / ${limits.tokens}` +
        (fromEarlier ? ` (${totalTokens(earlier.usage)} in ${words})` : ''),
    );
  }
  if (limits.usd !== undefined) {
    parts.push(
      `usd ${formatTotalsCost(spent)} / ${formatCost(limits.usd)}` +
        (fromEarlier ? ` (${formatTotalsCost(earlier.usage)} in ${words})` : ''),
    );
  }
  if (limits.maxCalls !== undefined) {
    parts.push(
      `calls ${report.calls} / ${limits.maxCalls}` + (fromEarlier ? ` (${earlier.calls} in ${words})` : ''),
    );
  }
  if (parts.length === 0 && !fromEarlier) return undefined;
  if (parts.length === 0) {
    return `earlier attempts (${words}) spent ${earlier.calls} live calls, ${formatTokens(earlier.usage)}, ${formatTotalsCost(earlier.usage)}`;
  }
  return parts.join('; ');
}

/** `1-3, 5, 7-9`: a sorted list of whole numbers, runs of consecutive ones as ranges (a run resumed 177 times). */
export function numberRanges(numbers: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < numbers.length; i++) {
    const first = numbers[i]!;
    let last = first;
    while (i + 1 < numbers.length && numbers[i + 1] === last + 1) last = numbers[++i]!;
    parts.push(last === first ? `${first}` : last === first + 1 ? `${first}, ${last}` : `${first}-${last}`);
  }
  return parts.join(', ');
}

/** Whether calls spent anything worth a cost column: tokens, or a call whose price is unknown. */
export function hasUsage(totals: UsageTotals): boolean {
  return totals.inputTokens + totals.outputTokens > 0 || totals.unpricedCalls > 0;
}

export function formatTotals(totals: UsageTotals): string {
  return `${formatTokens(totals)}, ${formatTotalsCost(totals)}`;
}

/** Lays rows out in aligned columns (plain text, for terminals and logs). */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

/**
 * What cross-run reuse did, in one line for the terminal and the job summary: calls reused from earlier
 * runs, calls that ran again because they act on or read the world, calls too old, and journaled keys no
 * call asked for any more.
 */
export function formatReuse(report: ReuseReport): string {
  const calls = (n: number) => `${n} call${n === 1 ? '' : 's'}`;
  return [
    `${calls(report.reused)} reused from earlier runs`,
    `${report.rerun} ran again (run steps, tools, command agents, asks: side effects or the world)`,
    `${report.expired} too old (reuse-max-age ${formatAge(report.maxAgeMs)})`,
    `${report.unmatched} journaled no longer matched`,
  ].join(', ');
}

/** A reuse-max-age as written in a workflow: `7d`, `36h`, `90m`, `0`. */
export function formatAge(ms: number): string {
  const units: Array<[string, number]> = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ];
  if (ms === 0) return '0';
  for (const [unit, size] of units) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}
