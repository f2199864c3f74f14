// Appends journal events. Each event is one synchronous write(2) of one complete line to a file
// opened with O_APPEND: once append() returns, the line is in the page cache, which survives a
// kill -9 of the process, and no two appends can interleave. fsync (surviving a machine crash)
// is batched: group commit at most every `fsyncIntervalMs`.
import { closeSync, fsync, fsyncSync, fstatSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { LineEncoder } from './checksum.js';
import { redactedJson, type Secrets } from './secrets.js';
import type { JournalEvent } from './types.js';

export interface JournalWriterOptions {
  /** Values redacted from every line before it is written. */
  secrets?: Secrets;
  /**
   * Longest time an appended line may stay unsynced (default 50 ms). 0 fsyncs after every
   * append: slower by orders of magnitude, and only needed when a machine crash must lose nothing.
   */
  fsyncIntervalMs?: number;
}

const DEFAULT_FSYNC_INTERVAL_MS = 50;

export class JournalWriter {
  private fd: number | undefined;
  private unsynced = false;
  private timer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> | undefined;
  private syncError: Error | undefined;
  /** A write failed part-way (disk full): the next line must not be glued to what it left. */
  private torn = false;
  private readonly lines = new LineEncoder();

  private constructor(
    readonly path: string,
    fd: number,
    private readonly secrets: Secrets | undefined,
    private readonly fsyncIntervalMs: number,
  ) {
    this.fd = fd;
  }

  static async open(path: string, options: JournalWriterOptions = {}): Promise<JournalWriter> {
    const interval = options.fsyncIntervalMs ?? DEFAULT_FSYNC_INTERVAL_MS;
    if (!Number.isFinite(interval) || interval < 0) {
      throw new RangeError(`fsyncIntervalMs must be a non-negative number, got ${interval}`);
    }
    mkdirSync(dirname(path), { recursive: true });
    const fd = openSync(path, 'a+');
    try {
      endTornLine(fd);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    return new JournalWriter(path, fd, options.secrets, interval);
  }

  /** Serializes, redacts and writes one event. Throws if the line could not be written. */
  append(event: JournalEvent): void {
    const fd = this.fd;
    if (fd === undefined) throw new Error(`the journal ${this.path} is closed; cannot append to it`);
    // A result of `undefined` would vanish from the line; store it as null so the call is replayable.
    const value = event.t === 'call' && event.result === undefined ? { ...event, result: null } : event;
    // Checksummed after redaction: the line is verified as it is on disk.
    const line = this.lines.line(redactedJson(value, this.secrets), this.torn);
    try {
      writeAll(fd, line);
      this.torn = false;
    } catch (error) {
      this.torn = true;
      throw error;
    }
    if (this.fsyncIntervalMs === 0) {
      fsyncSync(fd);
      return;
    }
    this.unsynced = true;
    this.schedule();
  }

  /** Makes every line appended so far durable (fsync) now. */
  async flush(): Promise<void> {
    // A sync already under way may have started before the latest appends.
    while (this.syncing !== undefined) await this.syncing;
    this.cancelTimer();
    if (this.unsynced) await this.sync();
    const error = this.syncError;
    this.syncError = undefined;
    if (error !== undefined) throw error;
  }

  async close(): Promise<void> {
    if (this.fd === undefined) return;
    try {
      await this.flush();
    } finally {
      this.cancelTimer();
      const fd = this.fd;
      this.fd = undefined;
      if (fd !== undefined) closeSync(fd);
    }
  }

  private sync(): Promise<void> {
    const fd = this.fd;
    if (fd === undefined || this.syncing !== undefined) return this.syncing ?? Promise.resolve();
    this.unsynced = false;
    const syncing = new Promise<void>((resolve) => {
      fsync(fd, (error) => {
        // Reported by the next flush()/close(): a background timer has no caller to throw to.
        if (error !== null) this.syncError = error;
        resolve();
      });
    }).finally(() => {
      this.syncing = undefined;
      // Lines appended while this fsync ran get their own group commit.
      this.schedule();
    });
    this.syncing = syncing;
    return syncing;
  }

  private schedule(): void {
    if (!this.unsynced || this.fd === undefined || this.timer !== undefined || this.syncing !== undefined)
      return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.sync();
    }, this.fsyncIntervalMs);
    // A pending fsync must not keep the process alive; close() or flush() syncs what is left.
    this.timer.unref();
  }

  private cancelTimer(): void {
    if (this.timer === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** A run killed mid-write can leave a line without its newline: end it, so the next event is not glued to it. */
function endTornLine(fd: number): void {
  const size = fstatSync(fd).size;
  if (size === 0) return;
  const last = Buffer.alloc(1);
  readSync(fd, last, 0, 1, size - 1);
  if (last[0] !== 0x0a) writeAll(fd, Buffer.from('\n'));
}

function writeAll(fd: number, buffer: Uint8Array): void {
  // write(2) on a regular file writes everything unless the disk is full; loop for that case
  // so the error surfaces instead of a silently shortened line.
  let offset = 0;
  while (offset < buffer.length) offset += writeSync(fd, buffer, offset, buffer.length - offset);
}
