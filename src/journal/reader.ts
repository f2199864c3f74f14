// Reads a journal. A journal may come from a cache restored from an earlier attempt, so it is
// untrusted input: every line is validated, and a line that is not a well-formed event is reported
// (with its line number) and never replayed.
import { readFileSync } from 'node:fs';
import { checkLine } from './checksum.js';
import {
  CHECKSUM_VERSION,
  JOURNAL_VERSION,
  isReadableVersion,
  type CallEvent,
  type EndEvent,
  type FailEvent,
  type JournalEvent,
  type RunEvent,
  type StepEvent,
} from './types.js';

export interface JournalProblem {
  /** 1-based line number in the journal the problem was found in. */
  line: number;
  message: string;
  severity: 'info' | 'warning';
}

/** How many of a journal's problems are named one by one before the rest are counted. */
export const PROBLEMS_SHOWN = 5;

/**
 * The problems worth printing: the first few, then one line counting the rest, so a journal of a million
 * damaged lines gives six warnings, not a million.
 */
export function summariseProblems(
  problems: readonly JournalProblem[],
  shown = PROBLEMS_SHOWN,
): JournalProblem[] {
  if (problems.length <= shown + 1) return [...problems];
  const rest = problems.slice(shown);
  const first = rest[0]!.line;
  const last = rest[rest.length - 1]!.line;
  return [
    ...problems.slice(0, shown),
    {
      line: first,
      severity: rest.some((problem) => problem.severity === 'warning') ? 'warning' : 'info',
      message: `and ${rest.length} more problems like these (lines ${first} to ${last})`,
    },
  ];
}

export interface JournalRead {
  /** Where the journal came from (a path, or a name given by the caller). */
  source: string;
  /** The first attempt's run event. Absent when the journal is empty or was rejected. */
  header?: RunEvent;
  /** One run event per attempt, in order. */
  runs: RunEvent[];
  /** Every well-formed event, in order. */
  events: JournalEvent[];
  /** The completed calls by key; the first event for a key wins. */
  calls: Map<string, CallEvent>;
  /**
   * Every call event for a key, in journal order: what the engine replays from. The first one that a
   * live call could have produced wins, so a forged or damaged line cannot hide a later valid one.
   */
  candidates: Map<string, CallEvent[]>;
  problems: JournalProblem[];
}

export function emptyJournalRead(source: string): JournalRead {
  return { source, runs: [], events: [], calls: new Map(), candidates: new Map(), problems: [] };
}

/** Reads and validates a journal file. A missing file is an empty journal. */
export async function readJournalFile(path: string): Promise<JournalRead> {
  let text: string;
  try {
    // Deliberately synchronous: a journal is read once, as an attempt starts. With
    // fs.promises.readFile (512 KB chunks through the thread pool) replaying a 10 MB journal cost
    // 1.6-1.8x a bare readFileSync + JSON.parse loop; with readFileSync it is within a few percent.
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ENOENT') return emptyJournalRead(path);
    throw error;
  }
  return parseJournal(text, path);
}

export function parseJournal(text: string, source: string): JournalRead {
  const read = emptyJournalRead(source);
  const lines = text.split('\n');
  // Text ending with a newline splits into a final empty string; anything else there is a line
  // the writer did not finish.
  const last = lines.length - 1;
  const unterminated = lines[last] !== '';
  let previousTorn = 0;
  let lastEnd: EndEvent | undefined;
  // Whether the current attempt's lines carry checksums (set by its run event): lines of a version 1
  // attempt were written without them and are read unchecked, as before.
  let checked = false;

  for (let index = 0; index <= last; index++) {
    const line = lines[index] as string;
    const number = index + 1;
    if (line === '' || (line.length < 8 && line.trim() === '')) continue;

    // Verified before parsing: a changed line is never read, whatever it parses to.
    const check = checkLine(line);
    if (check.status === 'mismatch') {
      if (read.header === undefined)
        return rejected(read, number, `line ${number} ${FAILS_CHECKSUM}; ignoring the journal`);
      read.problems.push({
        line: number,
        severity: 'warning',
        message: `line ${number} ${FAILS_CHECKSUM}; ignored`,
      });
      previousTorn = 0;
      continue;
    }

    let value: unknown;
    try {
      value = JSON.parse(check.status === 'ok' ? check.json : line);
    } catch {
      if (index === last && unterminated) {
        read.problems.push({
          line: number,
          severity: 'info',
          message: `line ${number} is incomplete (the run was interrupted while writing it); ignored`,
        });
        break;
      }
      if (read.header === undefined) return rejected(read, number, notAJournal(number));
      // The start of an event cut short, as opposed to a line that was never one.
      previousTorn = line.startsWith('{"') ? number : 0;
      read.problems.push({
        line: number,
        severity: 'warning',
        message: `line ${number} is not valid JSON; ignored`,
      });
      continue;
    }

    const event = validateEvent(value);
    if (typeof event === 'string') {
      if (read.header === undefined) return rejected(read, number, notAJournal(number, event));
      read.problems.push({ line: number, severity: 'warning', message: `line ${number} ${event}; ignored` });
      previousTorn = 0;
      continue;
    }

    if (check.status === 'absent' && needsChecksum(event, checked)) {
      if (read.header === undefined)
        return rejected(read, number, `line ${number} ${NO_CHECKSUM}; ignoring the journal`);
      read.problems.push({
        line: number,
        severity: 'warning',
        message: `line ${number} ${NO_CHECKSUM}; ignored`,
      });
      previousTorn = 0;
      continue;
    }

    if (event.t === 'run') {
      if (!isReadableVersion(event.v)) {
        if (read.header === undefined) return rejected(read, number, unsupportedVersion(event.v));
        read.problems.push({
          line: number,
          severity: 'warning',
          message: `line ${number} starts an attempt written in journal version ${event.v}, which this reprise (versions ${READABLE}) cannot read; ignoring it and everything after it`,
        });
        break;
      }
      // An attempt killed mid-write leaves a torn line, which the next attempt's writer ends
      // with a newline before appending its own run event: expected, not damage.
      if (previousTorn === number - 1 && previousTorn > 0) {
        const problem = read.problems[read.problems.length - 1];
        if (problem !== undefined && problem.line === previousTorn) {
          problem.severity = 'info';
          problem.message = `line ${previousTorn} is incomplete (an earlier attempt was interrupted while writing it); ignored`;
        }
      }
      // Since 0.2 an attempt with the inputs of the one before does not repeat them.
      event.inputs ??= read.runs.at(-1)?.inputs ?? {};
      checked = event.v >= CHECKSUM_VERSION;
      read.header ??= event;
      read.runs.push(event);
    } else if (read.header === undefined) {
      return rejected(read, number, notAJournal(number));
    } else if (event.t === 'end' && event.outputs === undefined) {
      // Likewise its outputs, when they are those of the attempt before.
      event.outputs = lastEnd?.outputs;
    } else if (event.t === 'call') {
      withModelAndUsage(event);
      if (!read.calls.has(event.key)) read.calls.set(event.key, event);
      const list = read.candidates.get(event.key);
      if (list) list.push(event);
      else read.candidates.set(event.key, [event]);
    }
    if (event.t === 'end') lastEnd = event;
    previousTorn = 0;
    read.events.push(event);
  }
  return read;
}

const READABLE = `1 to ${JOURNAL_VERSION}`;
const FAILS_CHECKSUM = 'fails its checksum (it was changed after it was written)';
const NO_CHECKSUM = `has no checksum (every line since journal version ${CHECKSUM_VERSION} has one)`;

/**
 * Whether a line without a checksum is damage: it is in an attempt of version 2 or later (or starts
 * one), where every line was written with one. Lines of a version 1 attempt are read unchecked.
 */
function needsChecksum(event: JournalEvent, checked: boolean): boolean {
  if (event.t !== 'run') return checked;
  // An unknown version is reported as such (its lines may not look like ours at all).
  return isReadableVersion(event.v) && event.v >= CHECKSUM_VERSION;
}

/**
 * A call's model and usage. Journals since 0.2 keep them once, in an agent's result; earlier ones also
 * copied them onto the line, and where both exist the line's copy is the one read (as before).
 */
function withModelAndUsage(event: CallEvent): void {
  if (event.usage !== undefined && event.model !== undefined) return;
  const result = event.result;
  if (!isObject(result)) return;
  if (event.usage === undefined && isUsage(result.usage)) event.usage = result.usage;
  if (event.model === undefined && typeof result.model === 'string') event.model = result.model;
}

/** A message when the journal was written by another workflow (the caller then ignores it), else undefined. */
export function journalBelongsTo(read: JournalRead, workflowName: string): string | undefined {
  const other = read.runs.find((run) => run.workflow !== workflowName);
  if (other === undefined) return undefined;
  return `${read.source} was written by workflow "${other.workflow}", not "${workflowName}"; ignoring it`;
}

function rejected(read: JournalRead, line: number, message: string): JournalRead {
  const empty = emptyJournalRead(read.source);
  empty.problems.push({ line, severity: 'warning', message });
  return empty;
}

function notAJournal(line: number, detail?: string): string {
  const why = detail === undefined ? '' : `: it ${detail}`;
  return line === 1
    ? `not a reprise journal (its first line is not a run header${why}); ignoring it`
    : `not a reprise journal (line ${line} comes before any run header${why}); ignoring it`;
}

function unsupportedVersion(version: number): string {
  return `journal version ${version} is not supported by this reprise, which reads versions ${READABLE}; ignoring it`;
}

// Validation. Returns the event, or what is wrong with it (completing "line N ...").

type Fields = Record<string, unknown>;

function validateEvent(value: unknown): JournalEvent | string {
  if (!isObject(value)) return 'is not a JSON object';
  const problem = eventProblem(value);
  // Checked field by field just above.
  return problem ?? (value as unknown as JournalEvent);
}

function eventProblem(o: Fields): string | undefined {
  switch (o.t) {
    case 'call':
      return callProblem(o);
    case 'run':
      return runProblem(o);
    case 'fail':
      return failProblem(o);
    case 'step':
      return stepProblem(o);
    case 'answer':
      return answerProblem(o);
    case 'end':
      return endProblem(o);
    case undefined:
      return 'has no event type `t`';
    default:
      return `has an unknown event type ${JSON.stringify(o.t)}`;
  }
}

function runProblem(o: Fields): string | undefined {
  // The version is checked first: a future version may change every other field.
  if (typeof o.v !== 'number' || !Number.isInteger(o.v))
    return 'is a run event without an integer version `v`';
  if (!isReadableVersion(o.v)) return undefined;
  return (
    need(o, 'run', 'workflow', isString) ??
    need(o, 'run', 'script', isString) ??
    need(o, 'run', 'runId', isString) ??
    need(o, 'run', 'attempt', isPositiveInteger) ??
    optional(o, 'run', 'inputs', isObject) ??
    optional(o, 'run', 'shard', isShardId) ??
    optional(o, 'run', 'reuses', isRunIds) ??
    need(o, 'run', 'at', isString)
  );
}

function callProblem(o: Fields): string | undefined {
  return (
    need(o, 'call', 'key', isNonEmptyString) ??
    need(o, 'call', 'step', isString) ??
    optional(o, 'call', 'item', isIndex) ??
    need(o, 'call', 'kind', isCallKind) ??
    optional(o, 'call', 'model', isString) ??
    ('result' in o ? undefined : 'is a call event without a `result`') ??
    optional(o, 'call', 'usage', isUsage) ??
    need(o, 'call', 'ms', isDuration) ??
    need(o, 'call', 'at', isString)
  );
}

function failProblem(o: Fields): string | undefined {
  return (
    need(o, 'fail', 'key', isNonEmptyString) ??
    need(o, 'fail', 'step', isString) ??
    optional(o, 'fail', 'item', isIndex) ??
    need(o, 'fail', 'error', isFailError) ??
    optional(o, 'fail', 'usage', isUsage) ??
    need(o, 'fail', 'at', isString)
  );
}

function stepProblem(o: Fields): string | undefined {
  return (
    need(o, 'step', 'step', isString) ??
    need(o, 'step', 'status', isStepStatus) ??
    need(o, 'step', 'at', isString)
  );
}

function answerProblem(o: Fields): string | undefined {
  return (
    need(o, 'answer', 'key', isNonEmptyString) ??
    need(o, 'answer', 'step', isString) ??
    optional(o, 'answer', 'item', isIndex) ??
    ('value' in o ? undefined : 'is an answer event without a `value`') ??
    optional(o, 'answer', 'by', isString) ??
    need(o, 'answer', 'at', isString)
  );
}

function endProblem(o: Fields): string | undefined {
  return (
    need(o, 'end', 'status', isRunStatus) ??
    optional(o, 'end', 'error', isString) ??
    optional(o, 'end', 'outputs', isObject) ??
    optional(o, 'end', 'questions', isQuestions) ??
    need(o, 'end', 'at', isString)
  );
}

const expected = new Map<(value: unknown) => boolean, string>();

function need(
  o: Fields,
  type: string,
  field: string,
  check: (value: unknown) => boolean,
): string | undefined {
  const value = o[field];
  if (check(value)) return undefined;
  if (value === undefined) return `is a ${type} event without \`${field}\``;
  return `is a ${type} event whose \`${field}\` is not ${expected.get(check) ?? 'valid'}`;
}

function optional(
  o: Fields,
  type: string,
  field: string,
  check: (value: unknown) => boolean,
): string | undefined {
  return o[field] === undefined ? undefined : need(o, type, field, check);
}

function describe<T extends (value: unknown) => boolean>(what: string, check: T): T {
  expected.set(check, what);
  return check;
}

const isString = describe('a string', (v: unknown): v is string => typeof v === 'string');
const isNonEmptyString = describe('a non-empty string', (v: unknown): v is string =>
  typeof v === 'string' && v !== '');
const isPositiveInteger = describe('a positive integer', (v: unknown) =>
  Number.isInteger(v) && (v as number) >= 1);
const isIndex = describe('a non-negative integer', (v: unknown) => Number.isInteger(v) && (v as number) >= 0);
const isDuration = describe('a non-negative number', (v: unknown) =>
  typeof v === 'number' && v >= 0 && Number.isFinite(v));
const isObject = describe('an object', (v: unknown): v is Fields =>
  typeof v === 'object' && v !== null && !Array.isArray(v));
const isRunIds = describe('a list of run ids', (v: unknown) =>
  Array.isArray(v) && v.every((id) => typeof id === 'string' && id !== ''));
const isCallKind = describe('"agent", "run", "tool" or "ask"', (v: unknown) =>
  v === 'agent' || v === 'run' || v === 'tool' || v === 'ask');
const isRunStatus =
  describe('"succeeded", "failed", "cancelled", "waiting", "sharded" or "paused"', (v: unknown): v is EndEvent['status'] =>
    v === 'succeeded' ||
    v === 'failed' ||
    v === 'cancelled' ||
    v === 'waiting' ||
    v === 'sharded' ||
    v === 'paused');
const isShardId = describe('an object of an integer `index` from 0 below an integer `total`', (v: unknown) =>
  isObject(v) &&
  Number.isInteger(v.total) &&
  (v.total as number) >= 1 &&
  Number.isInteger(v.index) &&
  (v.index as number) >= 0 &&
  (v.index as number) < (v.total as number));
const isStepStatus =
  describe('"succeeded", "failed", "skipped", "cancelled" or "waiting"', (v: unknown): v is StepEvent['status'] =>
    v === 'succeeded' || v === 'failed' || v === 'skipped' || v === 'cancelled' || v === 'waiting');
const isQuestions =
  describe('a list of questions (`step`, `key`, `question`, `answerSchema`)', (v: unknown) =>
    Array.isArray(v) &&
    v.every(
      (q) =>
        isObject(q) &&
        typeof q.step === 'string' &&
        isNonEmptyString(q.key) &&
        typeof q.question === 'string' &&
        isObject(q.answerSchema) &&
        (q.item === undefined || isIndex(q.item)),
    ));
const isFailError =
  describe('an object with `class` ("recoverable" or "fatal") and a string `message`', (v: unknown): v is FailEvent['error'] =>
    isObject(v) && (v.class === 'recoverable' || v.class === 'fatal') && typeof v.message === 'string');
const isCount = (v: unknown): boolean => typeof v === 'number' && v >= 0 && Number.isFinite(v);
const isUsage =
  describe('an object of non-negative `inputTokens`, `outputTokens`, `cachedInputTokens` and a `costUsd` (number or null)', (v: unknown): v is NonNullable<
    CallEvent['usage']
  > =>
    isObject(v) &&
    isCount(v.inputTokens) &&
    isCount(v.outputTokens) &&
    isCount(v.cachedInputTokens) &&
    (v.costUsd === null || isCount(v.costUsd)) &&
    (v.estimated === undefined || typeof v.estimated === 'boolean'));

function isErrnoException(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && 'code' in error;
}
