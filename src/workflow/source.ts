// The parsed YAML document with its positions, so every problem can point at a line and column.
import {
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  visit,
  type Document,
  type Node,
} from 'yaml';
import type { Problem, SourceLocation } from './types.js';

/** A path into the document: map keys and list indexes, from the root. */
export type Path = readonly (string | number)[];

export class YamlSource {
  readonly doc: Document;
  private readonly lines = new LineCounter();

  constructor(
    readonly text: string,
    readonly file: string,
  ) {
    this.doc = parseDocument(text, {
      lineCounter: this.lines,
      prettyErrors: false,
      // The parser's own check compares every key with every other (40k keys took 11 s); duplicates
      // are found below with one set per mapping instead.
      uniqueKeys: false,
      keepSourceTokens: false,
    });
  }

  /** YAML syntax errors and duplicate keys, as problems. */
  syntaxProblems(): Problem[] {
    return [...this.parseProblems(), ...this.duplicateKeys()];
  }

  private duplicateKeys(): Problem[] {
    const problems: Problem[] = [];
    visit(this.doc, {
      Map: (_, map) => {
        const seen = new Set<unknown>();
        for (const pair of map.items) {
          if (!isScalar(pair.key)) continue;
          const key = pair.key.value;
          if (!seen.has(key)) seen.add(key);
          else
            problems.push(this.problemAtOffset(pair.key.range?.[0] ?? 0, `duplicate key "${String(key)}"`));
        }
      },
    });
    return problems;
  }

  private parseProblems(): Problem[] {
    return this.doc.errors.map((error) => {
      let message = error.message.split('\n')[0] ?? error.message;
      if (error.code === 'DUPLICATE_KEY') {
        const key = /^\s*("[^"]*"|'[^']*'|[^:\s]+)/.exec(this.text.slice(error.pos[0]))?.[1];
        message = key === undefined ? 'duplicate key' : `duplicate key "${key.replace(/^["']|["']$/g, '')}"`;
      } else if (/^Missing closing (["'])quote/.test(message)) {
        // Reported at the end of the file; the opening quote is where the reader should look.
        const quote = message.includes('"quote') ? '"' : "'";
        const open = this.text.lastIndexOf(quote, error.pos[0]);
        return this.problemAtOffset(
          open >= 0 ? open : error.pos[0],
          `YAML syntax: a ${quote}quoted${quote} string is never closed`,
        );
      } else {
        message = `YAML syntax: ${message.charAt(0).toLowerCase()}${message.slice(1)}`;
      }
      return this.problemAtOffset(error.pos[0], message);
    });
  }

  problemAtOffset(offset: number, message: string): Problem {
    return { ...this.locationOfOffset(offset), message };
  }

  locationOfOffset(offset: number): SourceLocation {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    const { line, col } = this.lines.linePos(clamped);
    return { file: this.file, line: Math.max(1, line), column: Math.max(1, col) };
  }

  /** Where the value at `path` starts (for a mapping: its first key), or the nearest ancestor that exists. */
  valueAt(path: Path): SourceLocation {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = this.node(path.slice(0, depth));
      const start = node?.range?.[0];
      // An empty value (`key:`) has no text of its own: point at its key instead.
      if (
        node &&
        start !== undefined &&
        !(isScalar(node) && node.value === null && node.range?.[0] === node.range?.[1])
      ) {
        return this.locationOfOffset(start);
      }
      if (depth > 0) {
        const key = this.keyNode(path.slice(0, depth));
        if (key?.range) return this.locationOfOffset(key.range[0]);
      }
    }
    return { file: this.file, line: 1, column: 1 };
  }

  /** Where the key naming the last element of `path` is written (the value if it is a list item). */
  keyAt(path: Path): SourceLocation {
    const key = this.keyNode(path);
    return key?.range ? this.locationOfOffset(key.range[0]) : this.valueAt(path);
  }

  /** Where the `n`-th (0-based) `${{` inside the value at `path` is written, or the value's start. */
  expressionAt(path: Path, n: number): SourceLocation {
    const range = this.node(path)?.range;
    if (range) {
      let at = range[0] - 1;
      for (let i = 0; i <= n; i++) {
        at = this.text.indexOf('${{', at + 1);
        if (at < 0 || at >= range[1]) return this.valueAt(path);
      }
      return this.locationOfOffset(at);
    }
    return this.valueAt(path);
  }

  problem(path: Path, message: string, where: 'key' | 'value' = 'value'): Problem {
    return { ...(where === 'key' ? this.keyAt(path) : this.valueAt(path)), message };
  }

  node(path: Path): Node | undefined {
    let node: unknown = this.doc.contents;
    for (const segment of path) {
      if (isMap(node)) {
        const pair = node.items.find(
          (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment),
        );
        node = pair?.value ?? undefined;
      } else if (isSeq(node) && typeof segment === 'number') {
        node = node.items[segment];
      } else {
        return undefined;
      }
      if (node === undefined || node === null) return undefined;
    }
    return node as Node | undefined;
  }

  private keyNode(path: Path): Node | undefined {
    const last = path[path.length - 1];
    if (typeof last !== 'string') return undefined;
    const parent = this.node(path.slice(0, -1));
    if (!isMap(parent)) return undefined;
    const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === last);
    return isScalar(pair?.key) ? pair.key : undefined;
  }
}
