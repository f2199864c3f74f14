// Numbers as a person reads them, shared by the terminal report and the job summary.
import type { UsageTotals } from '../engine/budget.js';
import type { Usage } from '../agents/types.js';

export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes}m${Math.round((ms % 60_000) / 1000)}s`;
}

export function formatCost(costUsd: number | null | undefined, unpricedCalls = 0): string {
  if (costUsd === null || costUsd === undefined || (costUsd === 0 && unpricedCalls > 0)) return 'unknown';
  const text = costUsd === 0 ? '$0' : costUsd < 0.01 ? `$${costUsd.toFixed(4)}` : `$${costUsd.toFixed(2)}`;
  return unpricedCalls > 0 ? `${text} + unknown (${unpricedCalls} unpriced)` : text;
}

export function formatTokens(usage: Pick<Usage, 'inputTokens' | 'outputTokens'> | undefined): string {
  if (!usage) return '';
  return `${usage.inputTokens} in / ${usage.outputTokens} out`;
}

/** Whether calls spent anything worth a cost column: tokens, or a call whose price is unknown. */
export function hasUsage(totals: UsageTotals): boolean {
  return totals.inputTokens + totals.outputTokens > 0 || totals.unpricedCalls > 0;
}

export function formatTotals(totals: UsageTotals): string {
  return `${formatTokens(totals)}, ${formatCost(totals.costUsd, totals.unpricedCalls)}`;
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
