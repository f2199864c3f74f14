// Stack traces through the bundle name src/ lines, as with `--enable-source-maps`, but a chunk's source map
// is read only when a stack through that chunk is formatted. Node's own support
// (`process.setSourceMapsEnabled`) reads and parses the map of every chunk as it loads (about 15 ms of
// every start of the action) and cannot map a chunk loaded before it was turned on.
import { createRequire, SourceMap } from 'node:module';

/** The parsed map of each file a stack went through (null: the file has none). */
const maps = new Map<string, { map: SourceMap; url: string } | null>();

/**
 * Formats every stack with the frames of files that carry a source map (a `sourceMappingURL` comment)
 * mapped to the original source, line and column. Nothing is read until a stack is formatted. Leaves
 * Node's own support alone when it is on (`--enable-source-maps`).
 */
export function mapStackTraces(): void {
  if (process.sourceMapsEnabled) return;
  Error.prepareStackTrace = formatStack;
}

/** What V8 and Node print for a stack (`Name: message` and one `at` line per frame), frames mapped. */
export function formatStack(error: unknown, frames: NodeJS.CallSite[]): string {
  let head: string;
  try {
    head = Error.prototype.toString.call(error);
  } catch {
    head = '<error>';
  }
  return frames.length === 0 ? head : `${head}\n    at ${frames.map(mappedFrame).join('\n    at ')}`;
}

function mappedFrame(frame: NodeJS.CallSite): string {
  const text = String(frame);
  try {
    const file = frame.getFileName();
    const line = frame.getLineNumber();
    const column = frame.getColumnNumber();
    if (!file || line === null || column === null) return text;
    const found = sourceMapOf(file);
    if (!found) return text;
    const origin = found.map.findOrigin(line, column);
    if (!('fileName' in origin)) return text;
    const generated = `${file}:${line}:${column}`;
    const at = text.lastIndexOf(generated);
    if (at < 0) return text;
    const source = new URL(origin.fileName, found.url);
    const where = source.protocol === 'file:' ? builtins().url.fileURLToPath(source) : source.href;
    return `${text.slice(0, at)}${where}:${origin.lineNumber}:${origin.columnNumber}${text.slice(at + generated.length)}`;
  } catch {
    // A missing or broken map leaves the frame as V8 printed it: a stack trace must never fail.
    return text;
  }
}

function sourceMapOf(file: string): { map: SourceMap; url: string } | null {
  let found = maps.get(file);
  if (found !== undefined) return found;
  found = null;
  try {
    const { fs, url, path } = builtins();
    const fileUrl = file.startsWith('file:')
      ? file
      : path.isAbsolute(file)
        ? url.pathToFileURL(file).href
        : '';
    if (fileUrl) {
      const code = fs.readFileSync(new URL(fileUrl), 'utf8');
      const comment = /\/\/# sourceMappingURL=([^\s'"]+)\s*$/.exec(code);
      if (comment && !comment[1]!.startsWith('data:')) {
        const mapUrl = new URL(comment[1]!, fileUrl).href;
        found = { map: new SourceMap(JSON.parse(fs.readFileSync(new URL(mapUrl), 'utf8'))), url: mapUrl };
      }
    }
  } catch {
    found = null;
  }
  maps.set(file, found);
  return found;
}

/** The builtins the mapping reads with, required when a stack is first formatted, not at start-up. */
function builtins(): {
  fs: typeof import('node:fs');
  url: typeof import('node:url');
  path: typeof import('node:path');
} {
  const require = createRequire(import.meta.url);
  return {
    fs: require('node:fs') as typeof import('node:fs'),
    url: require('node:url') as typeof import('node:url'),
    path: require('node:path') as typeof import('node:path'),
  };
}
