// Redaction of secret values from everything reprise writes (journal lines, results, summaries).

/** Shorter values would redact ordinary text ("on", "yes", "1"). */
const MIN_SECRET_LENGTH = 4;
const SECRET_ENV_NAME = /TOKEN|KEY|SECRET|PASSWORD/i;
export const REDACTED = '***';

/** Whether an environment variable is named like a credential (its value is redacted everywhere). */
export function isSecretEnvName(name: string): boolean {
  return SECRET_ENV_NAME.test(name);
}

/** Redaction of a text given in pieces: what `push` returns is final; `end` gives what was held back. */
export interface TextRedactor {
  push(text: string): string;
  end(): string;
}

export class Secrets {
  private readonly values = new Set<string>();
  /** Every form searched for: the values plus their JSON-escaped spellings. */
  private readonly forms = new Set<string>();
  private pattern: RegExp | undefined;
  private dirty = false;

  add(value: string): void {
    this.addOne(value);
    // A multi-line secret (a PEM key) may be printed one line at a time, and a secret read from a
    // file often carries a trailing newline the printed form lacks.
    if (/[\r\n]/.test(value)) {
      for (const line of value.split(/\r?\n/)) this.addOne(line.trim());
    }
    const trimmed = value.trim();
    if (trimmed !== value) this.addOne(trimmed);
  }

  /** Adds the values of variables named like credentials: TOKEN, KEY, SECRET or PASSWORD. */
  addFromEnv(env: Record<string, string | undefined>): void {
    for (const [name, value] of Object.entries(env)) {
      if (value !== undefined && SECRET_ENV_NAME.test(name)) this.add(value);
    }
  }

  /** Replaces every occurrence of every secret (longest first) with `***`. */
  redact(text: string): string {
    const pattern = this.regex();
    if (pattern === undefined) return text;
    pattern.lastIndex = 0;
    return text.replace(pattern, REDACTED);
  }

  /** Whether `text` contains any secret. */
  test(text: string): boolean {
    const pattern = this.regex();
    if (pattern === undefined) return false;
    pattern.lastIndex = 0;
    return pattern.test(text);
  }

  /**
   * Removes the end of a text that was cut short when that end begins a secret (in any form redaction
   * knows): the cut split the secret, so the whole-occurrence redaction would let its first characters
   * through. Any such prefix goes, even one character: the text is already cut, and a shorter cut costs
   * nothing a reader needs, while a 3-character prefix of a 4-character secret would give most of it away.
   */
  cutEnd(text: string): string {
    let drop = 0;
    for (const form of this.forms) {
      for (let length = Math.min(form.length - 1, text.length); length > drop; length--) {
        if (text.endsWith(form.slice(0, length))) {
          drop = length;
          break;
        }
      }
    }
    return drop === 0 ? text : text.slice(0, text.length - drop);
  }

  get size(): number {
    return this.values.size;
  }

  /**
   * Redacts a text that arrives in pieces (a spilled output stream): an occurrence split across two pieces
   * is still found, because the end of each piece that could begin one is held back until the next.
   */
  streamRedactor(): TextRedactor {
    const pattern = this.regex();
    if (pattern === undefined) return { push: (text) => text, end: () => '' };
    const longest = Math.max(...[...this.forms].map((form) => form.length));
    let held = '';
    return {
      push(text) {
        const buffer = held + text;
        // Every occurrence that starts before `cut` lies wholly in the buffer.
        let cut = Math.max(0, buffer.length - (longest - 1));
        let out = '';
        let at = 0;
        pattern.lastIndex = 0;
        for (let match = pattern.exec(buffer); match && match.index < cut; match = pattern.exec(buffer)) {
          out += buffer.slice(at, match.index) + REDACTED;
          at = match.index + match[0].length;
          cut = Math.max(cut, at);
        }
        out += buffer.slice(at, cut);
        held = buffer.slice(cut);
        return out;
      },
      end() {
        const rest = held;
        held = '';
        pattern.lastIndex = 0;
        return rest.replace(pattern, REDACTED);
      },
    };
  }

  private addOne(value: string): void {
    if (value.length < MIN_SECRET_LENGTH || this.values.has(value)) return;
    this.values.add(value);
    this.forms.add(value);
    // Inside a JSON line a secret containing `"`, `\` or a control character appears escaped.
    const escaped = JSON.stringify(value).slice(1, -1);
    if (escaped !== value) this.forms.add(escaped);
    // Encoded spellings a script or an answer may print (a Basic auth header, a URL, a hex dump):
    // journals and artifacts are downloadable, so these are secrets too.
    for (const form of encodedForms(value)) if (form !== value) this.forms.add(form);
    this.dirty = true;
  }

  private regex(): RegExp | undefined {
    if (this.dirty) {
      const alternatives = [...this.forms].sort((a, b) => b.length - a.length).map(escapeRegExp);
      this.pattern = new RegExp(alternatives.join('|'), 'g');
      this.dirty = false;
    }
    return this.pattern;
  }
}

function encodedForms(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const base64 = bytes.toString('base64');
  const hex = bytes.toString('hex');
  const url = encodeURIComponent(value);
  return [
    base64,
    base64.replace(/=+$/, ''),
    bytes.toString('base64url'),
    hex,
    hex.toUpperCase(),
    url,
    url.replace(/%20/g, '+'),
    // Percent-encoding with lower-case hex digits, as some clients write it.
    url.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()),
  ];
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}

/**
 * Serializes `value` as one line of JSON with every secret redacted. The common case redacts the
 * serialized text; when that would break the JSON (a secret that is a number, or that overlaps an
 * escape sequence) the value's strings are redacted one by one instead, so the line stays readable.
 * The result never contains a secret, even if it then is not valid JSON.
 */
export function redactedJson(value: unknown, secrets: Secrets | undefined): string {
  const line = JSON.stringify(value);
  if (secrets === undefined || secrets.size === 0) return line;
  const redacted = secrets.redact(line);
  if (redacted === line) return line;
  try {
    JSON.parse(redacted);
    return redacted;
  } catch {
    return secrets.redact(JSON.stringify(redactValue(value, secrets)));
  }
}

function redactValue(value: unknown, secrets: Secrets): unknown {
  if (typeof value === 'string') return secrets.redact(value);
  if (typeof value === 'number' || typeof value === 'boolean') {
    return secrets.test(String(value)) ? REDACTED : value;
  }
  if (Array.isArray(value)) return value.map((item: unknown) => redactValue(item, secrets));
  if (value !== null && typeof value === 'object') {
    if ('toJSON' in value && typeof value.toJSON === 'function') {
      return redactValue((value.toJSON as () => unknown)(), secrets);
    }
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[secrets.redact(key)] = redactValue(item, secrets);
    return out;
  }
  return value;
}
