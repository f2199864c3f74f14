// Per-line checksums (journal version 2). A byte changed inside a string value (a digit of a run's
// stdout, a word of an answer) still leaves a valid event of the right shape, which would replay a wrong
// result; a CRC-32 of the line detects it. Each line ends with `,"crc":"<8 hex digits>"}`: the CRC-32
// of the line's exact text before that field, so a reader verifies the bytes it has without
// re-serialising the event, and the line stays one JSON object that any JSONL tool reads.
// A checksum detects damage (a torn disk block, a flipped bit, an edited cache entry); it is no
// signature: whoever can write a journal can compute one (replay-check.ts still checks every result).

const FIELD = ',"crc":"';
/** `,"crc":"` + 8 hex digits + `"}`. */
const SUFFIX_LENGTH = FIELD.length + 8 + 2;

/** The journal line (without its newline) for an event's JSON text `{...}`. */
export function withChecksum(json: string): string {
  const body = json.slice(0, -1);
  return body + FIELD + hex(crc32(Buffer.from(body, 'utf8'))) + '"}';
}

/**
 * Journal lines made in one reused buffer: an event's JSON text is encoded once, its checksum taken of those
 * bytes, and the line (`withChecksum` of the text, and a newline) is the bytes `line` returns, ready for one
 * write(2). The same line as `withChecksum(json) + '\n'` without making it as a string first, then again as
 * bytes, at every call of a run.
 */
export class LineEncoder {
  private buffer = Buffer.allocUnsafe(INITIAL_LINE_BUFFER);

  /**
   * The bytes of the line for the JSON text `json` (an object, `{...}`), after a newline when `newlineFirst`.
   * Valid until the next call.
   */
  line(json: string, newlineFirst = false): Uint8Array {
    // UTF-8 takes at most 3 bytes per UTF-16 unit: a buffer that large holds any text.
    const needed = json.length * 3 + SUFFIX_LENGTH + 2;
    if (this.buffer.length < needed)
      this.buffer = Buffer.allocUnsafe(Math.max(needed, this.buffer.length * 2));
    const buffer = this.buffer;
    const start = newlineFirst ? 1 : 0;
    if (newlineFirst) buffer[0] = NEWLINE;
    // The text without its closing `}`, which the checksum field's `"}` replaces.
    const body = start + buffer.write(json, start, 'utf8') - 1;
    const end = body + buffer.write(`${FIELD}${hex(crc32(buffer, start, body))}"}\n`, body, 'latin1');
    const line = new Uint8Array(buffer.buffer, buffer.byteOffset, end);
    // A huge line (an output at its cap) does not keep its buffer for the rest of the run.
    if (buffer.length > MAX_KEPT_LINE_BUFFER) this.buffer = Buffer.allocUnsafe(INITIAL_LINE_BUFFER);
    return line;
  }
}

const INITIAL_LINE_BUFFER = 64 * 1024;
const MAX_KEPT_LINE_BUFFER = 4 * 1024 * 1024;
const NEWLINE = 10;

/**
 * What a line's checksum says: `ok` with the JSON text to parse (the field removed from the end),
 * `absent` (a line without the field: written before version 2, or cut where the field was),
 * or `mismatch` (the line changed after it was written).
 */
export type LineCheck = { status: 'ok'; json: string } | { status: 'absent' } | { status: 'mismatch' };

const ABSENT: LineCheck = { status: 'absent' };
const MISMATCH: LineCheck = { status: 'mismatch' };

export function checkLine(line: string): LineCheck {
  // A journal whose line ends were converted to CRLF (a checkout, an editor) is still the same lines.
  const end = line.charCodeAt(line.length - 1) === 13 ? line.length - 1 : line.length;
  const start = end - SUFFIX_LENGTH;
  if (
    start < 1 ||
    line.charCodeAt(end - 1) !== 125 || // }
    line.charCodeAt(end - 2) !== 34 || // "
    !line.startsWith(FIELD, start)
  )
    return ABSENT;
  const body = line.slice(0, start);
  // Compared as text, so that only the exact lowercase digits the writer wrote pass.
  if (hex(crc32(Buffer.from(body, 'utf8'))) !== line.slice(end - 10, end - 2)) return MISMATCH;
  return { status: 'ok', json: body + '}' };
}

/**
 * `checkLine` on the bytes of a line (from `start` to `end`, without its line end): `absent`, `mismatch`,
 * or, when the checksum holds, where the field starts (the line's JSON text is the bytes before it, and `}`).
 * The CRC is taken of the bytes themselves, which are what the writer hashed (UTF-8 of its text).
 */
export function checkBytes(buffer: Buffer, start: number, end: number): number | 'absent' | 'mismatch' {
  const field = end - SUFFIX_LENGTH;
  if (field < start + 1 || buffer[end - 1] !== 125 || buffer[end - 2] !== 34) return 'absent'; // `"}`
  for (let i = 0; i < FIELD_BYTES.length; i++) if (buffer[field + i] !== FIELD_BYTES[i]) return 'absent';
  // The 8 digits as a number, lowercase only (as the writer writes them), compared with the CRC: no strings.
  let written = 0;
  for (let at = end - 10; at < end - 2; at++) {
    const c = buffer[at]!;
    const digit = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
    if (digit < 0) return 'mismatch';
    written = written * 16 + digit;
  }
  return crc32(buffer, start, field) === written ? field : 'mismatch';
}

const FIELD_BYTES = Buffer.from(FIELD, 'latin1');

function hex(value: number): string {
  return value.toString(16).padStart(8, '0');
}

/**
 * The CRC-32 of `bytes` from `start` to `end`: the one of zlib, gzip and PNG (IEEE 802.3, reflected), the
 * value `zlib.crc32` gives (test/journal/checksum.test.ts compares them), eight bytes at a time ("slicing by
 * 8"). Here rather than zlib's own: loading `node:zlib` loads Node's streams with it, about 5 ms of every
 * start, and a resume of a journal of 10,000 calls checks its 14 MB as fast this way (a 137 MB one takes
 * about 50 ms more).
 */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  const table = CRC_TABLE;
  let crc = -1;
  let i = start;
  for (const last = end - ((end - start) & 7); i < last; i += 8) {
    const word = (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)) ^ crc;
    crc =
      table[1792 + (word & 0xff)]! ^
      table[1536 + ((word >>> 8) & 0xff)]! ^
      table[1280 + ((word >>> 16) & 0xff)]! ^
      table[1024 + (word >>> 24)]! ^
      table[768 + bytes[i + 4]!]! ^
      table[512 + bytes[i + 5]!]! ^
      table[256 + bytes[i + 6]!]! ^
      table[bytes[i + 7]!]!;
  }
  for (; i < end; i++) crc = table[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

/** Eight tables of 256: the CRC of a byte, then of a byte followed by 1 to 7 zero bytes. */
const CRC_TABLE = (() => {
  const table = new Int32Array(256 * 8);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = table[n]!;
    for (let k = 1; k < 8; k++) {
      c = table[c & 0xff]! ^ (c >>> 8);
      table[k * 256 + n] = c;
    }
  }
  return table;
})();
