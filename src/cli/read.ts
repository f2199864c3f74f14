// `reprise runs show ID --calls` and `reprise runs read ID [STEP]`: what every call of a run asked and
// answered, from its (redacted) journal.
import { resolve } from 'node:path';
import { readJournalFile, summariseProblems, type JournalRead } from '../journal/reader.js';
import { callRows, renderTranscript, type LatestReplays } from '../report/calls.js';
import { formatCost, formatMs, table } from '../report/format.js';
import { LocalStore } from '../stores/local.js';
import { EXIT, UsageError, asUsageError } from './io.js';
import type { CliIO } from './io.js';

interface ReadOptions {
  runsDir: string;
  json?: boolean;
  maxChars?: number;
}

const ANSWER_CELL_CHARS = 60;

export async function runsCallsCommand(id: string, options: ReadOptions, io: CliIO): Promise<number> {
  const { runId, read, replays } = await open(id, options, io);
  const rows = callRows(read, replays);
  if (options.json) {
    io.out.write(JSON.stringify({ runId, calls: rows }) + '\n');
    return EXIT.ok;
  }
  if (rows.length === 0) {
    io.out.write(`run ${runId} has no journaled calls\n`);
    return EXIT.ok;
  }
  io.out.write(
    table(
      ['#', 'step', 'kind', 'attempt', 'status', 'request', 'answer', 'tokens', 'cost', 'time'],
      rows.map((row) => [
        String(row.n),
        row.item === undefined ? row.step : `${row.step}[${row.item}]`,
        row.kind,
        String(row.attempt),
        row.status,
        oneLine(row.request ?? '', ANSWER_CELL_CHARS),
        oneLine(row.answer, ANSWER_CELL_CHARS),
        row.usage ? `${row.usage.inputTokens} / ${row.usage.outputTokens}` : '',
        row.usage ? formatCost(row.usage.costUsd) : '',
        row.ms !== undefined ? formatMs(row.ms) : '',
      ]),
    ) + '\n',
  );
  return EXIT.ok;
}

export async function runsReadCommand(
  id: string,
  step: string | undefined,
  options: ReadOptions,
  io: CliIO,
): Promise<number> {
  const { runId, read, replays } = await open(id, options, io);
  if (
    step !== undefined &&
    !read.events.some((e) => 'step' in e && (e.step === step || e.step.startsWith(`${step}/`)))
  ) {
    throw new UsageError(`run ${runId} has no calls of step "${step}"`);
  }
  io.out.write(renderTranscript(read, { runId, step, maxChars: options.maxChars, replays }));
  return EXIT.ok;
}

async function open(id: string, options: ReadOptions, io: CliIO) {
  const store = new LocalStore(resolve(io.cwd, options.runsDir));
  const runId = await asUsageError(() => store.resolve(id));
  const read = await readJournalFile(store.journalPath(runId));
  for (const problem of summariseProblems(read.problems))
    io.err.write(`${problem.severity}: ${problem.message}\n`);
  return { runId, read, replays: replaysOf(await store.readResult(runId), read) };
}

function oneLine(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/**
 * What the run's result says its latest attempt replayed: the keys it did not replay (since 0.2), or the
 * keys it did (before). A result of another attempt than the journal's latest (one killed before it wrote
 * its own) says nothing about it: every earlier call then shows as earlier.
 */
function replaysOf(result: unknown, read: JournalRead): LatestReplays {
  const strings = (value: unknown) =>
    Array.isArray(value) ? value.filter((key): key is string => typeof key === 'string') : undefined;
  if (typeof result !== 'object' || result === null) return { replayed: [] };
  const fields = result as Record<string, unknown>;
  const notReplayed = strings(fields['notReplayedKeys']);
  if (notReplayed !== undefined) {
    return fields['attempt'] === read.runs.at(-1)?.attempt ? { notReplayed } : { replayed: [] };
  }
  return { replayed: strings(fields['replayedKeys']) ?? [] };
}
