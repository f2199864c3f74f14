// The embedded default store: one directory per run under a runs directory (default .reprise/runs),
// holding the run's journal, its result and, while a process works on it, a lock.
// Its files are small and local, so it reads and writes them with synchronous calls: no thread-pool round
// trip for each (a resume takes the lock and writes its result with about ten of them), and no
// `node:fs/promises`, which loads Node's streams and readline with it (some 5 ms of every start).
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  linkSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ownPart, startOfRun } from '../journal/lineage.js';
import { writeFileAtomic } from '../journal/merge.js';
import { readJournalFile } from '../journal/reader.js';
import { redactedJson, type Secrets } from '../journal/secrets.js';
import { pendingQuestions } from '../journal/questions.js';
import { isReadableVersion, type Question, type RunStatus } from '../journal/types.js';
import { StoreError } from './errors.js';

export { StoreError } from './errors.js';

export const DEFAULT_RUNS_DIR = '.reprise/runs';
const JOURNAL_FILE = 'journal.jsonl';
const RESULT_FILE = 'result.json';
const RUN_STATUSES: readonly unknown[] = [
  'succeeded',
  'failed',
  'cancelled',
  'waiting',
  'sharded',
  'paused',
] satisfies RunStatus[];
const LOCK_FILE = 'lock';

/** Who holds a run's lock. */
export interface LockInfo {
  pid: number;
  startedAt: string;
  hostname: string;
}

export interface RunLock {
  readonly id: string;
  readonly path: string;
  readonly info: LockInfo;
  /** Set when a stale lock (its process gone, or unreadable) was taken over: says whose. */
  readonly tookOver?: string;
  /** Removes the lock, if it is still ours. Safe to call twice. */
  release(): Promise<void>;
}

export type RunState = RunStatus | 'running' | 'interrupted';

export interface RunInfo {
  id: string;
  /** From the journal's header; absent when the run has no readable journal. */
  workflow?: string;
  status: RunState;
  /** When the first attempt started (journal header), else when the run directory was created. */
  startedAt: string;
  /** Last time anything in the run was written. */
  updatedAt: string;
  attempts: number;
  /** Completed (journaled) calls. */
  calls: number;
  /** The live process working on the run, when status is 'running'. */
  lockedBy?: LockInfo;
  /** When status is 'waiting': the questions nobody has answered yet. */
  questions?: Question[];
}

type LockState = { held: false; stale?: string } | { held: true; info: LockInfo };

export class LocalStore {
  private readonly now: () => Date;

  constructor(
    readonly runsDir: string = DEFAULT_RUNS_DIR,
    options: { now?: () => Date } = {},
  ) {
    this.now = options.now ?? (() => new Date());
  }

  /** A new run id that sorts by creation time: `20261121-061503-a1f3` (UTC). */
  newRunId(): string {
    const stamp = this.now()
      .toISOString()
      .replace(/[-:]/g, '')
      .replace('T', '-')
      .replace(/\.\d+Z$/, '');
    for (;;) {
      const id = `${stamp}-${randomBytes(2).toString('hex')}`;
      if (!existsSync(join(this.runsDir, id))) return id;
    }
  }

  runDir(id: string): string {
    if (!isRunId(id)) {
      throw new StoreError(
        `"${id}" is not a run id (run ids are names like 20261121-061503-a1f3, without slashes)`,
      );
    }
    return join(this.runsDir, id);
  }

  journalPath(id: string): string {
    return join(this.runDir(id), JOURNAL_FILE);
  }

  resultPath(id: string): string {
    return join(this.runDir(id), RESULT_FILE);
  }

  /**
   * The id of an existing run: `latest` (the newest by start time that has a journal: a directory
   * left without one by an older version holds nothing to resume), an id, or an unambiguous prefix
   * of one. Throws a StoreError naming the nearest ids when there is no such run.
   */
  async resolve(idOrLatest: string): Promise<string> {
    const ids = this.ids();
    if (idOrLatest === 'latest') {
      if (ids.length === 0) throw new StoreError(`there are no runs in ${this.runsDir} yet`);
      const started = await Promise.all(ids.map(async (id) => ({ id, at: await this.journalStartedAt(id) })));
      const journaled = started.filter((run): run is { id: string; at: string } => run.at !== undefined);
      if (journaled.length === 0) {
        throw new StoreError(`no run in ${this.runsDir} has a journal yet: there is nothing to resume`);
      }
      journaled.sort((a, b) => compare(b.at, a.at) || compare(b.id, a.id));
      return (journaled[0] as { id: string }).id;
    }
    if (ids.includes(idOrLatest)) return idOrLatest;
    const prefixed = ids.filter((id) => id.startsWith(idOrLatest));
    if (prefixed.length === 1) return prefixed[0] as string;
    if (prefixed.length > 1) {
      throw new StoreError(
        `"${idOrLatest}" matches ${prefixed.length} runs (${listed(prefixed)}); give more of the id`,
      );
    }
    throw this.unknownRun(idOrLatest, ids);
  }

  /** Every run, newest first. */
  async list(): Promise<RunInfo[]> {
    const runs = await Promise.all(this.ids().map((id) => this.info(id)));
    return runs.sort((a, b) => compare(b.startedAt, a.startedAt) || compare(b.id, a.id));
  }

  /** Deletes a run. Refuses while a live process holds its lock. */
  async remove(id: string): Promise<void> {
    const dir = this.runDir(id);
    if (!isDirectory(dir)) throw this.unknownRun(id, this.ids());
    const lock = this.lockState(id);
    if (lock.held) throw new StoreError(`${inUse(id, lock.info)}; not removing it`);
    rmSync(dir, { recursive: true, force: true });
  }

  /** Deletes runs not written to for longer than `olderThanMs`, except runs in use. Returns their ids. */
  async gc(olderThanMs: number, now: Date = this.now()): Promise<string[]> {
    const removed: string[] = [];
    for (const id of this.ids()) {
      const updated = this.updatedAt(id);
      if (now.getTime() - updated.getTime() <= olderThanMs) continue;
      if (this.lockState(id).held) continue;
      rmSync(this.runDir(id), { recursive: true, force: true });
      removed.push(id);
    }
    return removed.sort();
  }

  /**
   * Takes the run's lock: exclusive creation of `<runDir>/lock`. Throws a StoreError if a live
   * process on this host (or any process on another host, which cannot be checked) holds it; takes
   * over a stale one (its process gone, or the file unreadable), saying so in `tookOver`.
   */
  async lock(id: string): Promise<RunLock> {
    const dir = this.runDir(id);
    mkdirSync(dir, { recursive: true });
    const path = join(dir, LOCK_FILE);
    const info: LockInfo = { pid: process.pid, startedAt: this.now().toISOString(), hostname: hostname() };
    const content = JSON.stringify(info) + '\n';
    // Written whole to a private file and linked into place, so a lock is never seen half-written
    // (which a concurrent lock() would take for a stale, unreadable one).
    const temp = join(dir, `${LOCK_FILE}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    writeFileSync(temp, content);
    let tookOver: string | undefined;
    try {
      for (let attempt = 0; attempt < 10; attempt++) {
        try {
          linkSync(temp, path);
          return new LocalRunLock(id, path, info, content, tookOver);
        } catch (error) {
          if (errorCode(error) !== 'EEXIST') throw error;
        }
        const existing = readText(path);
        if (existing === undefined) continue; // released meanwhile
        const state = lockStateOf(existing, id);
        if (state.held) throw new StoreError(inUse(id, state.info));
        // Move the stale lock aside, then check it is the one judged stale: another process may
        // have taken it over in between, and its fresh lock must be put back.
        const aside = join(dir, `${LOCK_FILE}.stale.${process.pid}.${randomBytes(4).toString('hex')}`);
        try {
          renameSync(path, aside);
        } catch (error) {
          if (errorCode(error) === 'ENOENT') continue;
          throw error;
        }
        if (readText(aside) !== existing) {
          try {
            linkSync(aside, path);
          } catch {
            // taken again meanwhile: theirs stands
          }
        } else tookOver = state.stale;
        rmSync(aside, { force: true });
      }
      throw new StoreError(`could not take the lock of run ${id} (${path}): it keeps changing hands`);
    } finally {
      rmSync(temp, { force: true });
    }
  }

  /** Writes the run's result.json atomically (a temporary file renamed into place), secrets redacted. */
  async writeResult(id: string, result: unknown, options: { secrets?: Secrets } = {}): Promise<void> {
    writeFileAtomic(this.resultPath(id), redactedJson(result, options.secrets) + '\n');
  }

  /** The run's result.json, or undefined when it has none. */
  async readResult(id: string): Promise<unknown> {
    return this.result(id);
  }

  private result(id: string): unknown {
    const path = this.resultPath(id);
    const text = readText(path);
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new StoreError(
        `the result of run ${id} (${path}) is not valid JSON: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  }

  private unknownRun(id: string, ids: string[]): StoreError {
    if (ids.length === 0) return new StoreError(`no run "${id}": there are no runs in ${this.runsDir} yet`);
    const nearest = ids
      .map((candidate) => ({ id: candidate, distance: editDistance(id, candidate) }))
      .sort((a, b) => a.distance - b.distance || compare(b.id, a.id))
      .slice(0, 3)
      .map((entry) => entry.id);
    return new StoreError(`no run "${id}" in ${this.runsDir}; nearest: ${nearest.join(', ')}`);
  }

  private ids(): string[] {
    let entries;
    try {
      entries = readdirSync(this.runsDir, { withFileTypes: true });
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return [];
      throw error;
    }
    return entries
      .filter((entry) => entry.isDirectory() && isRunId(entry.name))
      .map((entry) => entry.name)
      .sort();
  }

  private async info(id: string): Promise<RunInfo> {
    const read = await readJournalFile(this.journalPath(id));
    const lock = this.lockState(id);
    const updated = this.updatedAt(id);
    const result = this.resultStatus(id);
    // A run seeded from earlier runs (`--reuse`) holds their lines too; its row counts its own.
    const own = ownPart(read.events);
    const info: RunInfo = {
      id,
      workflow: read.header?.workflow,
      status: 'interrupted',
      startedAt: startOfRun(read.runs, id) ?? this.createdAt(id),
      updatedAt: updated.toISOString(),
      attempts: own.runs.length,
      calls: own.callKeys.size,
    };
    if (lock.held) {
      info.status = 'running';
      info.lockedBy = lock.info;
      return info;
    }
    // The journal is the source of truth: the last attempt's end event, if it got that far.
    let lastRunAt: string | undefined;
    for (let index = read.events.length - 1; index >= 0; index--) {
      const event = read.events[index];
      if (event?.t === 'end') {
        info.status = event.status;
        if (event.status === 'waiting') info.questions = pendingQuestions(read);
        return info;
      }
      if (event?.t === 'run') {
        lastRunAt = event.at;
        break;
      }
    }
    // A result written after the last attempt started (an engine may write it before the end event).
    if (result !== undefined && (lastRunAt === undefined || result.writtenAt >= Date.parse(lastRunAt))) {
      info.status = result.status;
    }
    return info;
  }

  private resultStatus(id: string): { status: RunStatus; writtenAt: number } | undefined {
    try {
      const value = this.result(id);
      const stats = statSync(this.resultPath(id));
      if (typeof value !== 'object' || value === null || !('status' in value)) return undefined;
      const status = value.status;
      if (!RUN_STATUSES.includes(status as RunStatus)) return undefined;
      return { status: status as RunStatus, writtenAt: stats.mtimeMs };
    } catch {
      return undefined; // no result, or an unreadable one: the status falls back to the journal
    }
  }

  private lockState(id: string): LockState {
    const text = readText(join(this.runDir(id), LOCK_FILE));
    return text === undefined ? { held: false } : lockStateOf(text, id);
  }

  /**
   * When the run's first attempt started, from its journal; undefined without a journal. Its first line
   * usually says; a journal that begins with another run's header (seeded by `--reuse`, forked, merged) is
   * read whole to find the run's own.
   */
  private async journalStartedAt(id: string): Promise<string | undefined> {
    const line = readFirstLine(this.journalPath(id));
    if (line === undefined) return undefined;
    let header: unknown;
    try {
      header = JSON.parse(line);
    } catch {
      return undefined; // not a journal header
    }
    if (
      !isRecord(header) ||
      typeof header.v !== 'number' ||
      !isReadableVersion(header.v) ||
      typeof header.at !== 'string'
    )
      return undefined;
    if (header.runId === id) return header.at;
    const read = await readJournalFile(this.journalPath(id));
    return startOfRun(read.runs, id) ?? header.at;
  }

  private createdAt(id: string): string {
    const stats = statSync(this.runDir(id));
    return new Date(stats.birthtimeMs || stats.mtimeMs).toISOString();
  }

  private updatedAt(id: string): Date {
    const dir = this.runDir(id);
    const times = [dir, join(dir, JOURNAL_FILE), join(dir, RESULT_FILE)].map(
      (path) => statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0,
    );
    return new Date(Math.max(...times));
  }
}

class LocalRunLock implements RunLock {
  private released = false;

  constructor(
    readonly id: string,
    readonly path: string,
    readonly info: LockInfo,
    private readonly content: string,
    readonly tookOver: string | undefined,
  ) {}

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    // Only our own lock: if it was taken over (we were presumed dead), it is no longer ours to remove.
    if (readText(this.path) !== this.content) return;
    try {
      unlinkSync(this.path);
    } catch {
      // gone already
    }
  }
}

/** Milliseconds in an age like `30m`, `12h`, `7d` or `2w` (for `runs gc --older-than`). */
export function parseAge(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$/i.exec(text);
  if (match === null) {
    throw new StoreError(`"${text}" is not an age: use a number and a unit, like 30m, 12h or 7d`);
  }
  const unit = (match[2] as string).toLowerCase() as keyof typeof UNIT_MS;
  return Number(match[1]) * UNIT_MS[unit];
}

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

function lockStateOf(text: string, id: string): LockState {
  const info = parseLock(text);
  if (info === undefined)
    return { held: false, stale: `run ${id} had an unreadable lock file; took it over` };
  if (info.hostname !== hostname()) return { held: true, info };
  if (isAlive(info.pid)) return { held: true, info };
  return {
    held: false,
    stale: `run ${id} was locked by pid ${info.pid} since ${info.startedAt}, which is no longer running; took the lock over`,
  };
}

function parseLock(text: string): LockInfo | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (
      isRecord(value) &&
      Number.isInteger(value.pid) &&
      (value.pid as number) > 0 &&
      typeof value.startedAt === 'string' &&
      typeof value.hostname === 'string'
    ) {
      return { pid: value.pid as number, startedAt: value.startedAt, hostname: value.hostname };
    }
  } catch {
    // unreadable: stale
  }
  return undefined;
}

function inUse(id: string, info: LockInfo): string {
  const where = info.hostname === hostname() ? '' : ` on host ${info.hostname}`;
  return `run ${id} is in use by pid ${info.pid}${where} since ${info.startedAt}`;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return errorCode(error) === 'EPERM';
  }
}

function isRunId(id: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(id) && !id.includes('..');
}

function isDirectory(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}

/** The first line of a file, read without reading the rest (journals can be large). */
function readFirstLine(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const chunks: Buffer[] = [];
    for (let position = 0; ;) {
      const buffer = Buffer.alloc(64 * 1024);
      const bytesRead = readSync(fd, buffer, 0, buffer.length, position);
      if (bytesRead === 0) break;
      const chunk = buffer.subarray(0, bytesRead);
      const newline = chunk.indexOf(0x0a);
      if (newline >= 0) {
        chunks.push(chunk.subarray(0, newline));
        break;
      }
      chunks.push(chunk);
      position += bytesRead;
    }
    return Buffer.concat(chunks).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function listed(ids: string[]): string {
  return ids.length <= 5 ? ids.join(', ') : `${ids.slice(0, 5).join(', ')}, …`;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(substitution, (previous[j] as number) + 1, (current[j - 1] as number) + 1));
    }
    previous = current;
  }
  return previous[b.length] as number;
}
