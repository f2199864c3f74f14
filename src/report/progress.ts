// Live progress for a person at a terminal: one line per finished call, a bar when on a TTY. Replayed
// calls are counted and told once per step (a resume of 10,000 calls is not 10,000 lines), unless verbose.
// The bar is a cli-progress MultiBar: its log() writes lines above the bar, which moves down with them, so
// nothing printed is ever overwritten and the bar alone is cleared at the end.
import type CliProgress from 'cli-progress';
import type { WorkflowCommand } from '../agents/workflow-commands.js';
import { addUsage, emptyTotals } from '../engine/budget.js';
import type { UsageTotals } from '../engine/budget.js';
import type { CallReport, RunObserver, RunResult } from '../engine/types.js';
import type { Output } from '../cli/io.js';
import type { ShardReport } from '../engine/shard.js';
import {
  formatBudget,
  formatMs,
  formatTokens,
  formatReuse,
  formatTotals,
  formatTotalsCost,
  formatUsageCost,
  hasUsage,
  table,
} from './format.js';

export interface ProgressOptions {
  out: Output;
  /** Draw a progress bar (stdout is a TTY and not --json). */
  bar: boolean;
  /** A line for every replayed call too (`--verbose`), instead of one per step. */
  verbose?: boolean;
  /**
   * Write the lines of one turn of the event loop together, once it ends (`stop` writes what is left).
   * Calls finishing together (a fan-out) then cost one write(2), not one each: a line a call cost about
   * as much as the rest of reprise's own work per call. Only for an `out` nothing else writes to during
   * the run (the CLI's), as later writes of others would overtake the waiting lines.
   */
  batch?: boolean;
}

/** cli-progress draws the bar; it (and the readline it loads) is imported only for a terminal. */
type BarLibrary = typeof CliProgress;

export class ProgressReporter implements RunObserver {
  private bars?: CliProgress.MultiBar;
  private bar?: CliProgress.SingleBar;
  private planned = 0;
  private finished = 0;
  /** Replayed calls not yet told, by step. */
  private readonly replayed = new Map<string, { calls: number; usage: UsageTotals }>();
  /** With `batch`: the lines of this turn of the event loop, and the write that ends it. */
  private waiting = '';
  private writing?: NodeJS.Immediate;

  /** A reporter; with `bar`, its bar library is loaded first. */
  static async create(options: ProgressOptions): Promise<ProgressReporter> {
    const library = options.bar ? (await import('cli-progress')).default : undefined;
    return new ProgressReporter(options, library);
  }

  /** `bar` draws a bar only given the bar library (`create` loads it). */
  constructor(
    private readonly options: ProgressOptions,
    cliProgress?: BarLibrary,
  ) {
    if (options.bar && cliProgress) {
      this.bars = new cliProgress.MultiBar(
        {
          format: '  {bar} {value}/{total} calls | {step}',
          hideCursor: true,
          clearOnComplete: true,
          // cli-progress writes, and reads `isTTY` and `columns`: all an Output has (a terminal's).
          stream: options.out as unknown as NodeJS.WritableStream,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar = this.bars.create(0, 0, { step: '' });
    }
  }

  stepStarted(step: string, info: { items?: number; iteration?: number; kind: string }): void {
    if (info.kind === 'agent' || info.kind === 'run') this.planned += info.items ?? 1;
    this.bar?.setTotal(this.planned);
    this.bar?.update(this.finished, { step });
  }

  callFinished(report: CallReport): void {
    this.finished += 1;
    if (report.status === 'replayed' && !this.options.verbose) {
      let told = this.replayed.get(report.step);
      if (!told) this.replayed.set(report.step, (told = { calls: 0, usage: emptyTotals() }));
      told.calls += 1;
      addUsage(told.usage, report.usage);
      if (this.finished > this.planned) this.bar?.setTotal(this.finished);
      this.bar?.update(this.finished);
      return;
    }
    const name =
      (report.item === undefined ? report.step : `${report.step}[${report.item}]`) +
      (report.iteration === undefined ? '' : ` #${report.iteration}`);
    // A tool-using step makes several calls: its tool calls are marked as such.
    const parts = [report.status.padEnd(8), report.kind === 'tool' ? `${name} tool` : name];
    if (report.status === 'failed') parts.push(headline(report.error ?? ''));
    else {
      if (report.status === 'live') parts.push(formatMs(report.ms));
      if (report.usage) parts.push(formatTokens(report.usage), formatUsageCost(report.usage));
    }
    this.print(`  ${parts.filter(Boolean).join('  ')}`);
    // A tool-using step makes more calls than planned: the bar grows with them.
    if (this.finished > this.planned) this.bar?.setTotal(this.finished);
    this.bar?.update(this.finished);
  }

  callRetrying(info: {
    step: string;
    item?: number;
    attempt: number;
    delayMs: number;
    message: string;
  }): void {
    const name = info.item === undefined ? info.step : `${info.step}[${info.item}]`;
    this.print(
      `  retry     ${name}  attempt ${info.attempt} in ${formatMs(info.delayMs)}: ${info.message.split('\n')[0]}`,
    );
  }

  /** Tells the step's replayed calls in one line. */
  stepFinished(step: string): void {
    const told = this.replayed.get(step);
    if (!told) return;
    this.replayed.delete(step);
    const parts = ['replayed'.padEnd(8), step, `${told.calls} call${told.calls === 1 ? '' : 's'}`];
    if (hasUsage(told.usage)) parts.push(formatTokens(told.usage), formatTotalsCost(told.usage));
    this.print(`  ${parts.join('  ')}`);
  }

  warning(message: string): void {
    this.print(`warning: ${message}`);
  }

  stepOutput(info: { step: string; item?: number; line: string }): void {
    this.print(`  ${callName(info)} | ${info.line}`);
  }

  workflowCommand(info: { step: string; item?: number; command: WorkflowCommand }): void {
    const { name, message, properties } = info.command;
    if (name === 'notice' || name === 'warning' || name === 'error') {
      const where = properties.file
        ? ` (${[properties.file, properties.line, properties.col].filter(Boolean).join(':')})`
        : '';
      const title = properties.title ? `${properties.title}: ` : '';
      this.print(`  ${callName(info)} | ${name}${where}: ${title}${message}`);
    } else if (name === 'group') {
      this.print(`  ${callName(info)} | ▸ ${message}`);
    }
  }

  stop(): void {
    for (const step of [...this.replayed.keys()]) this.stepFinished(step);
    this.writeWaiting();
    if (this.bars) {
      this.bars.update(); // prints the lines still waiting above the bar
      this.bars.stop();
    }
    this.bars = undefined;
    this.bar = undefined;
  }

  private print(line: string): void {
    if (this.bars) this.bars.log(`${line}\n`);
    else if (!this.options.batch) this.options.out.write(`${line}\n`);
    else {
      this.waiting += `${line}\n`;
      this.writing ??= setImmediate(() => this.writeWaiting());
    }
  }

  private writeWaiting(): void {
    if (this.writing !== undefined) clearImmediate(this.writing);
    this.writing = undefined;
    const text = this.waiting;
    this.waiting = '';
    if (text !== '') this.options.out.write(text);
  }
}

/** `step` or `step[item]`, as progress lines name a call. */
export function callName(info: { step: string; item?: number }): string {
  return info.item === undefined ? info.step : `${info.step}[${info.item}]`;
}

/** `shard 2/8: 125 of 1000 items of research; stopped before summary`. */
export function describeShardReport(shard: ShardReport): string {
  const items = shard.steps.map((step) => `${step.owned} of ${step.items} items of ${step.id}`).join(', ');
  return (
    `shard ${shard.index}/${shard.total}: ${items || 'no sharded step ran'}` +
    (shard.stoppedBefore ? `; stopped before "${shard.stoppedBefore}", which the merge run runs` : '')
  );
}

/** The closing report: a table per step and the totals, with what replay saved. */
export function renderSummary(runId: string, result: RunResult): string {
  const rows = result.steps
    .filter(
      (step) =>
        step.kind === 'agent' || step.kind === 'run' || step.kind === 'ask' || step.status === 'failed',
    )
    .map((step) => [
      step.id,
      step.status,
      String(step.calls.live),
      String(step.calls.replayed),
      String(step.calls.failed),
      step.kind === 'agent' ? formatTokens(step.usage) : '',
      hasUsage(step.usage) ? formatTotalsCost(step.usage) : '',
      formatMs(step.ms),
    ]);
  const lines = [
    '',
    table(['step', 'status', 'live', 'replayed', 'failed', 'tokens', 'cost', 'time'], rows),
    '',
    `run ${runId}: ${result.status} in ${formatMs(result.ms)}`,
    `  calls: ${result.calls.live} live, ${result.calls.replayed} replayed, ${result.calls.failed} failed, ${result.calls.skipped} skipped`,
    `  spent: ${formatTotals(result.usage)}`,
    `  saved by replay: ${formatTotals(result.saved)}`,
  ];
  const budget = formatBudget(result.budget);
  if (budget) lines.push(`  limits: ${budget}`);
  // A run reusing earlier runs says it in its reuse line (journaled no longer matched), not twice.
  if (result.unmatchedJournalCalls > 0 && !result.reuse) {
    lines.push(
      `  ${result.unmatchedJournalCalls} journaled calls no longer matched the workflow (edited or removed steps)`,
    );
  }
  if (result.reuse) lines.push(`  reuse: ${formatReuse(result.reuse)}`);
  if (result.shard) lines.push(`  ${describeShardReport(result.shard)}`);
  if (result.error) lines.push('', `error: ${result.error}`);
  return lines.join('\n') + '\n';
}

/** The first line of an error; when it only introduces what follows (`...exited with code 1:`), the next too. */
export function headline(error: string): string {
  const lines = error.split('\n').map((line) => line.trim());
  const first = lines[0] ?? '';
  if (!first.endsWith(':')) return first;
  const next = lines.slice(1).find((line) => line !== '');
  return next === undefined ? first.slice(0, -1) : `${first} ${next}`;
}
