// Per-line checksums (journal version 2). A byte changed inside a string value (a digit of a run's
// stdout, a word of an answer) still leaves a valid event of the right shape, which would replay a wrong
// result; a CRC-32 of the line detects it. Each line ends with `,"crc":"<8 hex digits>"}`: the CRC-32
// of the line's exact text before that field, so a reader verifies the bytes it has without
// re-serialising the event, and the line stays one JSON object that any JSONL tool reads.
// A checksum detects damage (a torn disk block, a flipped bit, an edited cache entry); it is no
// signature: whoever can write a journal can compute one (replay-check.ts still checks every result).
import { crc32 } from 'node:zlib';

const FIELD = ',"crc":"';
/** `,"crc":"` + 8 hex digits + `"}`. */
const SUFFIX_LENGTH = FIELD.length + 8 + 2;

/** The journal line (without its newline) for an event's JSON text `{...}`. */
export function withChecksum(json: string): string {
  const body = json.slice(0, -1);
  return body + FIELD + hex(crc32(body)) + '"}';
}

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
  if (hex(crc32(body)) !== line.slice(end - 10, end - 2)) return MISMATCH;
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
  // A plain Uint8Array view (the builtin constructor), not Buffer#subarray's, which runs Node's JavaScript
  // for every line of a resume, most of them before the JIT has optimised it.
  const body = new Uint8Array(buffer.buffer, buffer.byteOffset + start, field - start);
  return crc32(body) === written ? field : 'mismatch';
}

const FIELD_BYTES = Buffer.from(FIELD, 'latin1');

function hex(value: number): string {
  return value.toString(16).padStart(8, '0');
}
