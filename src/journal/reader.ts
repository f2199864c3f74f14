// Reads a journal. A journal may come from a cache restored from an earlier attempt, so it is
// untrusted input: every line is validated, and a line that is not a well-formed event is reported
// (with its line number) and never replayed.
import { closeSync, openSync, readSync } from 'node:fs';
import { checkBytes, checkLine, type LineCheck } from './checksum.js';
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
  /**
   * The completed calls by key, in journal order: what the engine replays from. A key's entry is its call
   * event, or the list of them when it was journaled more than once (merged copies, a damaged or forged
   * line beside a valid one); the first that a live call could have produced wins, so a bad line cannot
   * hide a later valid one. One map, and a list only for a repeated key: a resume of 10,000 calls keeps
   * no second map and no list per call, which its garbage collector would trace all through the replay.
   */
  candidates: Map<string, CallEvent | CallEvent[]>;
  /** The first completed call of each key, built from `candidates` when first asked for. */
  readonly calls: ReadonlyMap<string, CallEvent>;
  problems: JournalProblem[];
}

export function emptyJournalRead(source: string): JournalRead {
  return withCalls({ source, runs: [], events: [], candidates: new Map(), problems: [] });
}

/**
 * `read` with its `calls` view, built once, the first time it is read: whoever fills `candidates` (the
 * reader, a merge) does so before handing the read out.
 */
export function withCalls(read: Omit<JournalRead, 'calls'>): JournalRead {
  let calls: Map<string, CallEvent> | undefined;
  const first = () => {
    calls = new Map();
    for (const [key, entry] of read.candidates) calls.set(key, Array.isArray(entry) ? entry[0]! : entry);
    return calls;
  };
  return Object.defineProperty(read, 'calls', {
    enumerable: true,
    get: () => calls ?? first(),
  }) as JournalRead;
}

/**
 * Reads and validates a journal file. A missing file is an empty journal.
 *
 * Read in chunks, line by line: a line's checksum is verified on its bytes and only its JSON text is
 * decoded, so a journal is never held twice more (as one buffer and one string of the whole file) before it
 * is split. For a 137 MB journal of 100,000 calls that took a second of page faults and copies by itself,
 * more than parsing every line. Deliberately synchronous: a journal is read once, as an attempt starts.
 */
export async function readJournalFile(path: string): Promise<JournalRead> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ENOENT') return emptyJournalRead(path);
    throw error;
  }
  try {
    const parser = new JournalParser(path);
    let buffer = Buffer.allocUnsafe(CHUNK);
    let length = 0;
    let number = 0;
    for (;;) {
      // A line longer than the buffer: grow it until the line fits.
      if (length === buffer.length) buffer = Buffer.concat([buffer.subarray(0, length)], length * 2);
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      const end = length + read;
      let start = 0;
      if (read === 0) {
        // The end of the file: what is left is a line the writer did not finish with a newline.
        if (end > 0) parser.bytes(buffer, 0, end, ++number, true);
        break;
      }
      // Searched only up to what was read, not through the stale rest of the buffer.
      const data = buffer.subarray(0, end);
      for (;;) {
        const newline = byteIndexOf.call(data, NEWLINE, start);
        if (newline < 0) break;
        if (parser.bytes(buffer, start, newline, ++number, false) === 'stop') return parser.finish();
        start = newline + 1;
      }
      buffer.copy(buffer, 0, start, end);
      length = end - start;
    }
    return parser.finish();
  } finally {
    closeSync(fd);
  }
}

const CHUNK = 1 << 20;
const NEWLINE = 10;
/**
 * Uint8Array's own indexOf (a V8 builtin), not Buffer's: Buffer's goes through argument handling in
 * JavaScript and a call into C++ that is fast only once the JIT has optimised its caller, and a resume
 * searches each line once, mostly before that: about 3 µs a line against half a microsecond (10,000 lines: 30
 * against 5 ms).
 */
const byteIndexOf = Uint8Array.prototype.indexOf;

export function parseJournal(text: string, source: string): JournalRead {
  const parser = new JournalParser(source);
  const lines = text.split('\n');
  // Text ending with a newline splits into a final empty string; anything else there is a line
  // the writer did not finish.
  const last = lines.length - 1;
  const unterminated = lines[last] !== '';
  for (let index = 0; index <= last; index++) {
    const line = lines[index] as string;
    if (parser.text(line, index + 1, index === last && unterminated) === 'stop') break;
  }
  return parser.finish();
}

/** Reads a journal one line at a time, from text or from the bytes of a file. */
class JournalParser {
  private read: JournalRead;
  private previousTorn = 0;
  private lastEnd: EndEvent | undefined;
  // Whether the current attempt's lines carry checksums (set by its run event): lines of a version 1
  // attempt were written without them and are read unchecked, as before.
  private checked = false;

  constructor(source: string) {
    this.read = emptyJournalRead(source);
  }

  finish(): JournalRead {
    return this.read;
  }

  /** Line `number` of a file, the bytes from `start` to `end` of `buffer` (which it may overwrite). */
  bytes(buffer: Buffer, start: number, end: number, number: number, unterminated: boolean): Step {
    const lineEnd = buffer[end - 1] === CR ? end - 1 : end;
    if (lineEnd - start < 8 && buffer.toString('utf8', start, end).trim() === '') return 'next';
    const check = checkBytes(buffer, start, lineEnd);
    if (check === 'absent')
      return this.line(check, buffer.toString('utf8', start, end), number, unterminated);
    if (check === 'mismatch') return this.line(check, '', number, unterminated);
    // The JSON text is the line without its checksum field: the `,` before the field becomes the `}`.
    buffer[check] = CLOSE;
    return this.line('ok', buffer.toString('utf8', start, check + 1), number, unterminated);
  }

  /** Line `number` of a journal's text. */
  text(line: string, number: number, unterminated: boolean): Step {
    if (line === '' || (line.length < 8 && line.trim() === '')) return 'next';
    const check = checkLine(line);
    return this.line(check.status, check.status === 'ok' ? check.json : line, number, unterminated);
  }

  private line(status: LineCheck['status'], json: string, number: number, unterminated: boolean): Step {
    const read = this.read;
    // Verified before parsing: a changed line is never read, whatever it parses to.
    if (status === 'mismatch') {
      if (read.header === undefined)
        return this.reject(number, `line ${number} ${FAILS_CHECKSUM}; ignoring the journal`);
      read.problems.push({
        line: number,
        severity: 'warning',
        message: `line ${number} ${FAILS_CHECKSUM}; ignored`,
      });
      this.previousTorn = 0;
      return 'next';
    }

    let value: unknown;
    try {
      value = JSON.parse(json);
    } catch {
      if (unterminated) {
        read.problems.push({
          line: number,
          severity: 'info',
          message: `line ${number} is incomplete (the run was interrupted while writing it); ignored`,
        });
        return 'stop';
      }
      if (read.header === undefined) return this.reject(number, notAJournal(number));
      // The start of an event cut short, as opposed to a line that was never one.
      this.previousTorn = json.startsWith('{"') ? number : 0;
      read.problems.push({
        line: number,
        severity: 'warning',
        message: `line ${number} is not valid JSON; ignored`,
      });
      return 'next';
    }

    const event = validateEvent(value);
    if (typeof event === 'string') {
      if (read.header === undefined) return this.reject(number, notAJournal(number, event));
      read.problems.push({ line: number, severity: 'warning', message: `line ${number} ${event}; ignored` });
      this.previousTorn = 0;
      return 'next';
    }

    if (status === 'absent' && needsChecksum(event, this.checked)) {
      if (read.header === undefined)
        return this.reject(number, `line ${number} ${NO_CHECKSUM}; ignoring the journal`);
      read.problems.push({
        line: number,
        severity: 'warning',
        message: `line ${number} ${NO_CHECKSUM}; ignored`,
      });
      this.previousTorn = 0;
      return 'next';
    }

    if (event.t === 'run') {
      if (!isReadableVersion(event.v)) {
        if (read.header === undefined) return this.reject(number, unsupportedVersion(event.v));
        read.problems.push({
          line: number,
          severity: 'warning',
          message: `line ${number} starts an attempt written in journal version ${event.v}, which this reprise (versions ${READABLE}) cannot read; ignoring it and everything after it`,
        });
        return 'stop';
      }
      // An attempt killed mid-write leaves a torn line, which the next attempt's writer ends
      // with a newline before appending its own run event: expected, not damage.
      if (this.previousTorn === number - 1 && this.previousTorn > 0) {
        const problem = read.problems[read.problems.length - 1];
        if (problem !== undefined && problem.line === this.previousTorn) {
          problem.severity = 'info';
          problem.message = `line ${this.previousTorn} is incomplete (an earlier attempt was interrupted while writing it); ignored`;
        }
      }
      // Since 0.2 an attempt with the inputs of the one before does not repeat them.
      event.inputs ??= read.runs.at(-1)?.inputs ?? {};
      this.checked = event.v >= CHECKSUM_VERSION;
      read.header ??= event;
      read.runs.push(event);
    } else if (read.header === undefined) {
      return this.reject(number, notAJournal(number));
    } else if (event.t === 'end' && event.outputs === undefined) {
      // Likewise its outputs, when they are those of the attempt before.
      event.outputs = this.lastEnd?.outputs;
    } else if (event.t === 'call') {
      withModelAndUsage(event);
      const earlier = read.candidates.get(event.key);
      if (earlier === undefined) read.candidates.set(event.key, event);
      else if (Array.isArray(earlier)) earlier.push(event);
      else read.candidates.set(event.key, [earlier, event]);
    }
    if (event.t === 'end') this.lastEnd = event;
    this.previousTorn = 0;
    read.events.push(event);
    return 'next';
  }

  /** The journal is not one this reprise can read: nothing in it is used. */
  private reject(line: number, message: string): Step {
    this.read = emptyJournalRead(this.read.source);
    this.read.problems.push({ line, severity: 'warning', message });
    return 'stop';
  }
}

/** Whether to read on after a line. */
type Step = 'next' | 'stop';

const CR = 13;
const CLOSE = 125; // }

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
  // A resume reads every call line: a well-formed one passes these checks written out, with no message built
  // and no field looked up by name; anything else goes through the checks below, which say what is wrong.
  if (
    isNonEmptyString(o.key) &&
    typeof o.step === 'string' &&
    (o.item === undefined || isIndex(o.item)) &&
    isCallKind(o.kind) &&
    (o.model === undefined || typeof o.model === 'string') &&
    'result' in o &&
    (o.usage === undefined || isUsage(o.usage)) &&
    isDuration(o.ms) &&
    typeof o.at === 'string'
  )
    return undefined;
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
