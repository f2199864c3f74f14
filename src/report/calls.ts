// Reading what a run did, call by call, from its journal: the rows of `runs show --calls` and the
// Markdown transcript of `runs read` (and the action's transcript.md). The journal is already
// redacted, so nothing here can show a secret it did not hold.
import type { JournalRead } from '../journal/reader.js';
import type { Usage } from '../agents/types.js';

export interface CallRow {
  /** 1-based, in journal order. */
  n: number;
  step: string;
  item?: number;
  kind: string;
  key: string;
  /** The attempt that ran it live (or in which it failed). */
  attempt: number;
  /** live: run live by the latest attempt; replayed: journaled earlier and replayed by it; earlier: journaled earlier, not used by it; failed. */
  status: 'live' | 'replayed' | 'earlier' | 'failed';
  request?: string;
  model?: string;
  /** The answer: an agent's text, a script's stdout, a tool's or an ask's result as JSON; a failure's message. */
  answer: string;
  usage?: Usage;
  ms?: number;
}

/**
 * Which journaled calls of earlier attempts the latest attempt replayed: these keys (the engine's list, and
 * `result.json` before 0.2), or every key but these (`result.json` since: a resume of 10,000 calls that
 * replays them all writes an empty list, not 10,000 keys).
 */
export type LatestReplays = { replayed: readonly string[] } | { notReplayed: readonly string[] };

/** What `result.json` keeps of an attempt's replays: the keys of `previous` it did not replay. */
export function notReplayedKeys(
  previous: Pick<JournalRead, 'candidates'>,
  replayedKeys: readonly string[],
): { notReplayedKeys: string[] } {
  // Keys are unique, and every replayed key is one of `previous`: as many means all of them.
  if (replayedKeys.length === previous.candidates.size) return { notReplayedKeys: [] };
  const replayed = new Set(replayedKeys);
  return { notReplayedKeys: [...previous.candidates.keys()].filter((key) => !replayed.has(key)) };
}

export function callRows(read: JournalRead, replays: LatestReplays = { replayed: [] }): CallRow[] {
  const listsReplayed = 'replayed' in replays;
  const listed = new Set(listsReplayed ? replays.replayed : replays.notReplayed);
  // The listed keys are the replayed ones, or the only ones not replayed.
  const replayedByLatest = (key: string) => listed.has(key) === listsReplayed;
  const latest = read.runs.at(-1)?.attempt ?? 1;
  const rows: CallRow[] = [];
  let attempt = 0;
  for (const event of read.events) {
    if (event.t === 'run') attempt = event.attempt;
    if (event.t === 'call') {
      rows.push({
        n: rows.length + 1,
        step: event.step,
        item: event.item,
        kind: event.kind,
        key: event.key,
        attempt,
        status: attempt === latest ? 'live' : replayedByLatest(event.key) ? 'replayed' : 'earlier',
        request: event.request,
        model: event.model,
        answer: answerOf(event.result),
        usage: event.usage,
        ms: event.ms,
      });
    } else if (event.t === 'fail') {
      rows.push({
        n: rows.length + 1,
        step: event.step,
        item: event.item,
        kind: 'fail',
        key: event.key,
        attempt,
        status: 'failed',
        answer: event.error.message,
      });
    }
  }
  return rows;
}

function answerOf(result: unknown): string {
  if (typeof result === 'object' && result !== null) {
    const r = result as Record<string, unknown>;
    if (typeof r.text === 'string') return r.text;
    if (typeof r.stdout === 'string') {
      const stderr = typeof r.stderr === 'string' && r.stderr.trim() !== '' ? `\n[stderr]\n${r.stderr}` : '';
      return r.stdout + stderr;
    }
  }
  return typeof result === 'string' ? result : (JSON.stringify(result, null, 2) ?? '');
}

export interface TranscriptOptions {
  runId: string;
  /** Only this step (and, for a sub-workflow or a group, the steps under it). */
  step?: string;
  /** Longest answer shown; the rest is cut with a note. */
  maxChars?: number;
  replays?: LatestReplays;
}

/** A Markdown transcript: for every step, its calls in order with what was asked and answered. */
export function renderTranscript(read: JournalRead, options: TranscriptOptions): string {
  const header = read.runs.at(-1);
  const end = [...read.events].reverse().find((event) => event.t === 'end');
  const rows = callRows(read, options.replays).filter(
    (row) =>
      options.step === undefined || row.step === options.step || row.step.startsWith(`${options.step}/`),
  );
  const lines = [
    `# ${header?.workflow ?? 'reprise'} · run ${options.runId}`,
    '',
    `Status: ${end?.t === 'end' ? end.status : 'not finished'}; ${read.runs.length} attempt(s); ${rows.length} call(s)` +
      (options.step !== undefined ? ` of step \`${options.step}\`` : '') +
      '.',
  ];
  let step: string | undefined;
  for (const row of rows) {
    if (row.step !== step) {
      step = row.step;
      lines.push('', `## ${row.step}`);
    }
    const facts = [
      row.item !== undefined ? `item ${row.item}` : undefined,
      row.kind,
      row.model,
      `attempt ${row.attempt}`,
      row.status,
      row.usage ? `${row.usage.inputTokens} in / ${row.usage.outputTokens} out` : undefined,
    ].filter(Boolean);
    lines.push('', `### ${row.n}. ${facts.join(' · ')}`, '');
    if (row.request) lines.push(`> ${row.request}`, '');
    lines.push(fence(cut(row.answer, options.maxChars)));
  }
  if (end?.t === 'end' && end.outputs && Object.keys(end.outputs).length > 0) {
    lines.push(
      '',
      '## Outputs',
      '',
      fence(cut(JSON.stringify(end.outputs, null, 2), options.maxChars), 'json'),
    );
  }
  return lines.join('\n') + '\n';
}

function cut(text: string, maxChars: number | undefined): string {
  if (maxChars === undefined || text.length <= maxChars) return text;
  return `${text.slice(0, maxChars)}\n… (${text.length - maxChars} more characters; --max-chars to see more)`;
}

/** A fenced block that the text itself cannot close. */
function fence(text: string, language = 'text'): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const marks = '`'.repeat(longest + 1);
  return `${marks}${language}\n${text}\n${marks}`;
}
