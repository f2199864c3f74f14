// The CLI's standard output and error. Node builds `process.stdout` on first use: for a pipe (a CI log, a
// `| tee`), a net.Socket, which loads net and the streams, some 15 ms of CPU at every start, more than
// reading a journal of a thousand calls. When the descriptor is a pipe, a socket (what Node and libuv
// give a child for `stdio: 'pipe'`) or a file, never a terminal, this writes to it directly with write(2),
// as Node's own writes to them on Linux are synchronous too; a terminal, or anything else, gets Node's stream.
import { EventEmitter } from 'node:events';
import { fstatSync, writeSync } from 'node:fs';
import type { Output } from './io.js';

/** Node's `process.stdout` or `process.stderr`. */
type NodeOutput = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

export class FdStream extends EventEmitter implements Output {
  /** Node's stream, once this writes through it (a terminal, or a pipe that would have blocked). */
  private stream: NodeOutput | undefined;
  /** The reader is gone (EPIPE): what is written now goes nowhere, as with Node's stream. */
  private closed = false;

  private readonly fd: number;
  private readonly nodeStream: () => NodeOutput;

  constructor(fd: number, nodeStream: () => NodeOutput) {
    super();
    this.fd = fd;
    this.nodeStream = nodeStream;
    if (!pipeSocketOrFile(fd)) this.useStream();
  }

  /** True only for a terminal (what is written directly never is one). */
  get isTTY(): boolean | undefined {
    return this.stream?.isTTY;
  }

  get columns(): number | undefined {
    return this.stream?.columns;
  }

  write(text: string): boolean {
    if (this.stream) return this.stream.write(text);
    if (this.closed) return false;
    const bytes = Buffer.from(text, 'utf8');
    let offset = 0;
    while (offset < bytes.length) {
      try {
        offset += writeSync(this.fd, bytes, offset, bytes.length - offset);
      } catch (caught) {
        const error = caught as NodeJS.ErrnoException;
        if (error.code === 'EAGAIN') {
          // A non-blocking pipe that is full: Node's stream waits for it to drain.
          return this.useStream().write(bytes.subarray(offset));
        }
        if (error.code === 'EPIPE') this.closed = true;
        // As a stream reports a failed write: after this call returns, to the 'error' listeners.
        process.nextTick(() => this.emit('error', error));
        return false;
      }
    }
    return true;
  }

  /**
   * Resolves once everything written has gone to the file descriptor: at once, unless Node's stream holds
   * some (a terminal on some platforms, a pipe that would have blocked), then when that stream has drained
   * or failed.
   */
  flushed(): Promise<void> {
    const stream = this.stream as (NodeOutput & { writableLength?: number }) | undefined;
    if (!stream?.writableLength) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        stream.off('drain', done);
        stream.off('error', done);
        stream.off('close', done);
        resolve();
      };
      stream.on('drain', done);
      stream.on('error', done);
      stream.on('close', done);
    });
  }

  private useStream(): NodeOutput {
    const stream = this.nodeStream();
    stream.on('error', (error: Error) => this.emit('error', error));
    this.stream = stream;
    return stream;
  }
}

function pipeSocketOrFile(fd: number): boolean {
  try {
    const stat = fstatSync(fd);
    return stat.isFIFO() || stat.isSocket() || stat.isFile();
  } catch {
    return false;
  }
}
