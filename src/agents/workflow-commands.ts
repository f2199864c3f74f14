// GitHub Actions workflow commands (`::warning file=a.ts::text`) a script prints. They are messages to
// the runner, not data: reprise passes them on and keeps them out of the step's outputs.
// https://docs.github.com/actions/reference/workflows-and-actions/workflow-commands

export interface WorkflowCommand {
  /** notice, warning, error, group, endgroup, add-mask or debug. */
  name: string;
  /** `file=a.ts,line=3` → { file: 'a.ts', line: '3' } (unescaped). */
  properties: Record<string, string>;
  /** The message after the second `::`, unescaped. */
  message: string;
  /** The line as the script printed it. */
  raw: string;
}

const COMMANDS = new Set(['notice', 'warning', 'error', 'group', 'endgroup', 'add-mask', 'debug']);
const LINE = /^::([a-z-]+)(?: ([^:]*))?::(.*)$/;

export function parseWorkflowCommand(line: string): WorkflowCommand | undefined {
  const match = LINE.exec(line.replace(/\r$/, ''));
  if (!match || !COMMANDS.has(match[1]!)) return undefined;
  const properties: Record<string, string> = {};
  for (const pair of (match[2] ?? '').split(',')) {
    const at = pair.indexOf('=');
    if (at > 0) properties[pair.slice(0, at).trim()] = unescape(pair.slice(at + 1));
  }
  return { name: match[1]!, properties, message: unescape(match[3]!), raw: line.replace(/\r$/, '') };
}

/** The text without its workflow-command lines (everything else byte for byte). */
export function withoutCommands(text: string): string {
  if (!text.includes('::')) return text;
  return text
    .split(/(?<=\n)/)
    .filter((line) => parseWorkflowCommand(line.replace(/\n$/, '')) === undefined)
    .join('');
}

/** Cuts a stream's chunks into lines; `flush` gives the unterminated rest. */
/** A line longer than this is passed on in pieces (a script printing megabytes without a newline). */
const MAX_LINE_CHARS = 64 * 1024;

export class LineSplitter {
  private rest = '';
  constructor(private readonly emit: (line: string) => void) {}

  push(chunk: string): void {
    const lines = (this.rest + chunk).split('\n');
    this.rest = lines.pop() ?? '';
    for (const line of lines) this.emit(line.replace(/\r$/, ''));
    while (this.rest.length > MAX_LINE_CHARS) {
      this.emit(this.rest.slice(0, MAX_LINE_CHARS));
      this.rest = this.rest.slice(MAX_LINE_CHARS);
    }
  }

  flush(): void {
    if (this.rest !== '') this.emit(this.rest);
    this.rest = '';
  }
}

function unescape(text: string): string {
  return text
    .replaceAll('%0D', '\r')
    .replaceAll('%0A', '\n')
    .replaceAll('%3A', ':')
    .replaceAll('%2C', ',')
    .replaceAll('%25', '%');
}
