// `${{ }}` templates, evaluated with GitHub's own implementation (`@actions/expressions`) so operators,
// functions, coercions and truthiness match GitHub Actions exactly.
import { Evaluator, Lexer, Parser, data, wellKnownFunctions, type Expr } from '@actions/expressions';
import { ContextAccess, FunctionCall, IndexAccess, Literal, Star } from '@actions/expressions/ast';
import type { FunctionDefinition, FunctionInfo } from '@actions/expressions/funcs/info';
import { truthy } from '@actions/expressions/result';
import type { ExpressionContext, Template } from './types.js';
import { didYouMean } from './suggest.js';

export { parseDuration } from './duration.js';

/** A `${{ }}` expression that does not parse or cannot be evaluated; the message quotes the expression. */
export class ExpressionError extends Error {
  constructor(
    message: string,
    readonly expression: string,
  ) {
    super(message);
    this.name = 'ExpressionError';
  }
}

export const CONTEXT_NAMES = ['inputs', 'steps', 'env', 'github', 'item', 'index', 'loop'] as const;
export type ContextName = (typeof CONTEXT_NAMES)[number];

type RunStatus = NonNullable<ExpressionContext['status']>;
const STATUS_FUNCTIONS: Record<string, (status: RunStatus) => boolean> = {
  success: (status) => status === 'success',
  failure: (status) => status === 'failure',
  cancelled: (status) => status === 'cancelled',
  always: () => true,
};
const STATUS_FUNCTION_INFO: FunctionInfo[] = Object.keys(STATUS_FUNCTIONS).map((name) => ({
  name,
  minArgs: 0,
  maxArgs: 0,
}));
const FUNCTION_NAMES = [
  ...Object.values(wellKnownFunctions).map((f) =>
    f.name === 'toJson' ? 'toJSON' : f.name === 'fromJson' ? 'fromJSON' : f.name,
  ),
  ...Object.keys(STATUS_FUNCTIONS),
];

/** A reference to a context in an expression, e.g. `steps.review.outputs` → `{ context: 'steps', path: ['review', 'outputs'] }`. */
export interface ContextRef {
  context: string;
  /** Member names after the context; `null` where the index is computed (`steps[inputs.name]`). */
  path: (string | null)[];
}

export interface ParsedExpression {
  /** The text between `${{` and `}}`, trimmed. */
  source: string;
  ast: Expr;
  refs: ContextRef[];
  usesStatusFunction: boolean;
  /**
   * Set when the expression only reads a value by name (`item`, `inputs.title`, `steps.a.outputs.text`):
   * the context (lowercase) and the member names, which `lookup` follows without the evaluator.
   */
  path?: { context: ContextName; members: string[] };
}

type TemplatePart = string | ParsedExpression;

interface ParsedTemplate {
  parts: TemplatePart[];
  /** The string is exactly one `${{ }}`: its value keeps its type. */
  single: ParsedExpression | undefined;
}

const MAX_CACHE = 10_000;
const templateCache = new Map<string, ParsedTemplate | ExpressionError>();
const expressionCache = new Map<string, ParsedExpression | ExpressionError>();

function remember<T>(cache: Map<string, T>, key: string, value: T): T {
  if (cache.size >= MAX_CACHE) cache.clear();
  cache.set(key, value);
  return value;
}

/** Parses one bare expression (no `${{ }}`), once per distinct text. Throws `ExpressionError`. */
export function parseExpression(source: string): ParsedExpression {
  const key = source.trim();
  const cached = expressionCache.get(key) ?? remember(expressionCache, key, parseUncached(key));
  if (cached instanceof ExpressionError) throw cached;
  return cached;
}

function parseUncached(source: string): ParsedExpression | ExpressionError {
  const shown = source === '' ? '${{ }}' : `\${{ ${source} }}`;
  if (source === '') return new ExpressionError(`empty expression ${shown}`, source);
  let ast: Expr | undefined;
  try {
    const { tokens } = new Lexer(source).lex();
    ast = new Parser(tokens, [...CONTEXT_NAMES], STATUS_FUNCTION_INFO).parse();
  } catch (error) {
    return new ExpressionError(describeParseError(error, shown), source);
  }
  if (ast === undefined) return new ExpressionError(`empty expression ${shown}`, source);
  const refs: ContextRef[] = [];
  const calls: string[] = [];
  collect(ast, refs, calls);
  const chain = chainOf(ast);
  const context = chain?.context.toLowerCase();
  const path =
    chain && chain.path.every((member) => member !== null && member !== '*')
      ? CONTEXT_NAMES.find((name) => name === context)
      : undefined;
  return {
    source,
    ast,
    refs,
    usesStatusFunction: calls.some((name) => name in STATUS_FUNCTIONS),
    ...(path !== undefined ? { path: { context: path, members: chain!.path as string[] } } : {}),
  };
}

function describeParseError(error: unknown, shown: string): string {
  const text = error instanceof Error ? error.message : String(error);
  const named = /^Unrecognized named-value: '(.*)'$/.exec(text);
  if (named?.[1] !== undefined) {
    const name = named[1];
    const hint =
      name.toLowerCase() === 'secrets'
        ? ' (secrets are not a context here: pass them as environment variables and read them in the step)'
        : didYouMean(name, CONTEXT_NAMES) || ` (available: ${CONTEXT_NAMES.join(', ')})`;
    return `unknown context "${name}" in ${shown}${hint}`;
  }
  const fn = /^Unrecognized function: '(.*)'$/.exec(text);
  if (fn?.[1] !== undefined)
    return `unknown function "${fn[1]}" in ${shown}${didYouMean(fn[1], FUNCTION_NAMES)}`;
  const detail = text.replace(/^Unexpected end of expression: .*/, 'it ends too early');
  return `invalid expression ${shown}: ${detail.charAt(0).toLowerCase()}${detail.slice(1)}`;
}

function chainOf(expr: Expr): ContextRef | undefined {
  if (expr instanceof ContextAccess) return { context: expr.name.lexeme, path: [] };
  if (expr instanceof IndexAccess) {
    const base = chainOf(expr.expr);
    if (!base) return undefined;
    const index = expr.index;
    const member =
      index instanceof Literal && index.literal.kind === data.Kind.String
        ? index.literal.coerceString()
        : index instanceof Star
          ? '*'
          : null;
    return { context: base.context, path: [...base.path, member] };
  }
  return undefined;
}

function collect(expr: Expr, refs: ContextRef[], calls: string[]): void {
  const chain = chainOf(expr);
  if (chain) {
    refs.push(chain);
    for (let e: Expr = expr; e instanceof IndexAccess; e = e.expr) collect(e.index, refs, calls);
    return;
  }
  if (expr instanceof FunctionCall) calls.push(expr.functionName.lexeme.toLowerCase());
  for (const child of children(expr)) collect(child, refs, calls);
}

function children(expr: Expr): Expr[] {
  const out: Expr[] = [];
  for (const value of Object.values(expr)) {
    if (Array.isArray(value)) {
      for (const v of value) if (isExpr(v)) out.push(v);
    } else if (isExpr(value)) out.push(value);
  }
  return out;
}

function isExpr(value: unknown): value is Expr {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { accept?: unknown }).accept === 'function'
  );
}

/** Splits a string into literal text and `${{ }}` expressions, parsed once per distinct string. */
export function parseTemplate(text: string): ParsedTemplate {
  const cached = templateCache.get(text) ?? remember(templateCache, text, parseTemplateUncached(text));
  if (cached instanceof ExpressionError) throw cached;
  return cached;
}

function parseTemplateUncached(text: string): ParsedTemplate | ExpressionError {
  const parts: TemplatePart[] = [];
  let literal = '';
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf('${{', i);
    if (open < 0) {
      literal += text.slice(i);
      break;
    }
    literal += text.slice(i, open);
    const close = findClose(text, open + 3);
    if (close < 0) {
      const snippet = text.slice(open, open + 40);
      return new ExpressionError(`expression "${snippet}" is not closed with "}}"`, snippet);
    }
    if (literal !== '') parts.push(literal);
    literal = '';
    try {
      parts.push(parseExpression(text.slice(open + 3, close)));
    } catch (error) {
      return error instanceof ExpressionError ? error : new ExpressionError(String(error), text);
    }
    i = close + 2;
  }
  if (literal !== '') parts.push(literal);
  const only = parts.length === 1 ? parts[0] : undefined;
  const single = typeof only === 'object' && text.startsWith('${{') && text.endsWith('}}') ? only : undefined;
  return { parts, single };
}

/** Index of the `}}` closing an expression, skipping `'string literals'` (where `''` is a quote). */
function findClose(text: string, from: number): number {
  let inString = false;
  for (let i = from; i < text.length; i++) {
    const ch = text[i];
    if (ch === "'") inString = !inString;
    else if (!inString && ch === '}' && text[i + 1] === '}') return i;
  }
  return -1;
}

/** Whether a value holds `${{` anywhere (strings, nested in arrays and objects). */
export function hasExpression(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('${{');
  if (Array.isArray(value)) return value.some(hasExpression);
  if (isPlainObject(value)) return Object.values(value).some(hasExpression);
  return false;
}

/**
 * Resolves every `${{ }}` in a value (deep over arrays and objects). A string that is exactly one
 * expression keeps the expression's type; text around expressions makes a string, formatted as GitHub does.
 */
export function evaluateTemplate(value: Template, ctx: ExpressionContext): unknown {
  if (typeof value === 'string') {
    if (!value.includes('${{')) return value;
    const template = parseTemplate(value);
    let root: data.Dictionary | undefined;
    const valueOf = (part: ParsedExpression) =>
      (part.path && lookup(part.path, ctx)) ?? evaluate(part, (root ??= contextData(ctx)), ctx);
    if (template.single) return fromData(valueOf(template.single));
    let out = '';
    for (const part of template.parts) out += typeof part === 'string' ? part : interpolate(valueOf(part));
    return out;
  }
  if (Array.isArray(value)) return value.map((v) => evaluateTemplate(v, ctx));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = evaluateTemplate(v, ctx);
    return out;
  }
  return value;
}

/**
 * Evaluates an `if:` (or `until:`) condition: a bare expression or `${{ }}`, with GitHub's truthiness.
 * As in GitHub Actions, a condition without a status function (`success()`, `failure()`, `always()`,
 * `cancelled()`) only holds while the run is succeeding.
 */
export function evaluateCondition(expr: string, ctx: ExpressionContext): boolean {
  const status = ctx.status ?? 'success';
  const text = expr.trim();
  let parsed: ParsedExpression | undefined;
  if (text.includes('${{')) {
    const template = parseTemplate(text);
    if (!template.single) {
      // Text around `${{ }}` makes a string, and a non-empty string is true.
      return status === 'success' && (evaluateTemplate(text, ctx) as string) !== '';
    }
    parsed = template.single;
  } else {
    parsed = parseExpression(text);
  }
  const result = truthy(evaluate(parsed, contextData(ctx), ctx));
  return parsed.usesStatusFunction ? result : status === 'success' && result;
}

function evaluate(
  parsed: ParsedExpression,
  root: data.Dictionary,
  ctx: ExpressionContext,
): data.ExpressionData {
  try {
    const result = new Evaluator(parsed.ast, root, statusFunctions(ctx.status ?? 'success')).evaluate();
    return result ?? new data.Null();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ExpressionError(`could not evaluate \${{ ${parsed.source} }}: ${reason}`, parsed.source);
  }
}

const statusFunctionsByStatus = new Map<RunStatus, Map<string, FunctionDefinition>>();
function statusFunctions(status: RunStatus): Map<string, FunctionDefinition> {
  let map = statusFunctionsByStatus.get(status);
  if (!map) {
    map = new Map(
      Object.entries(STATUS_FUNCTIONS).map(([name, test]) => [
        name,
        { name, minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(test(status)) },
      ]),
    );
    statusFunctionsByStatus.set(status, map);
  }
  return map;
}

/**
 * What the evaluator gives for a value read by name, without it (a resume evaluates `${{ item }}` once per
 * journaled call of a fan-out): each member is looked up as a context dictionary looks it up (its own key,
 * else a key equal ignoring case), a string, number, boolean, null or date has no members (null). Undefined
 * when the path goes through a list, whose members the evaluator reads by position: it decides.
 */
function lookup(
  path: NonNullable<ParsedExpression['path']>,
  ctx: ExpressionContext,
): data.ExpressionData | undefined {
  let value: unknown = ctx[path.context] ?? null;
  for (const member of path.members) {
    if (Array.isArray(value)) return undefined;
    if (value === null || typeof value !== 'object' || value instanceof Date) return new data.Null();
    const record = value as Record<string, unknown>;
    const key = Object.hasOwn(record, member) ? member : keyIgnoringCase(record, member);
    if (key === undefined) return new data.Null();
    value = record[key];
  }
  return toData(value);
}

/** As `LazyDictionary` finds a key written in another case (the last of several that match). */
function keyIgnoringCase(record: Record<string, unknown>, key: string): string | undefined {
  const found = new Map<string, string>();
  for (const name of Object.keys(record)) found.set(name.toLowerCase(), name);
  return found.get(key.toLowerCase());
}

function contextData(ctx: ExpressionContext): data.Dictionary {
  return new LazyDictionary({
    inputs: ctx.inputs,
    steps: ctx.steps,
    env: ctx.env,
    github: ctx.github,
    item: ctx.item ?? null,
    index: ctx.index ?? null,
    loop: ctx.loop ?? null,
  });
}

/** Formats a value placed inside text, as GitHub does (null → '', 3.0 → '3', objects → their toJSON). */
function interpolate(value: data.ExpressionData): string {
  switch (value.kind) {
    case data.Kind.Array:
    case data.Kind.Dictionary:
      return JSON.stringify(value, data.replacer, '  ');
    default:
      return value.coerceString();
  }
}

// Contexts are wrapped lazily: only the members an expression reads are converted, so large step
// outputs cost nothing unless used.
class LazyDictionary extends data.Dictionary {
  private readonly converted = new Map<string, data.ExpressionData>();
  private lowerKeys: Map<string, string> | undefined;

  constructor(readonly source: Record<string, unknown>) {
    super();
  }

  override get(key: string): data.ExpressionData | undefined {
    const actual = Object.hasOwn(this.source, key) ? key : this.findKey(key);
    if (actual === undefined) return undefined;
    let value = this.converted.get(actual);
    if (value === undefined) {
      value = toData(this.source[actual]);
      this.converted.set(actual, value);
    }
    return value;
  }

  override values(): data.ExpressionData[] {
    return Object.keys(this.source).map((k) => this.get(k) ?? new data.Null());
  }

  override pairs(): { key: string; value: data.ExpressionData }[] {
    return Object.keys(this.source).map((key) => ({ key, value: this.get(key) ?? new data.Null() }));
  }

  private findKey(key: string): string | undefined {
    this.lowerKeys ??= new Map(Object.keys(this.source).map((k) => [k.toLowerCase(), k]));
    return this.lowerKeys.get(key.toLowerCase());
  }
}

class LazyArray extends data.Array {
  private readonly converted: (data.ExpressionData | undefined)[] = [];

  constructor(readonly source: readonly unknown[]) {
    super();
  }

  override get(index: number): data.ExpressionData {
    let value = this.converted[index];
    if (value === undefined) {
      value = toData(this.source[index]);
      this.converted[index] = value;
    }
    return value;
  }

  override values(): data.ExpressionData[] {
    return this.source.map((_, i) => this.get(i));
  }
}

function toData(value: unknown): data.ExpressionData {
  switch (typeof value) {
    case 'string':
      return new data.StringData(value);
    case 'number':
      return new data.NumberData(value);
    case 'bigint':
      return new data.NumberData(Number(value));
    case 'boolean':
      return new data.BooleanData(value);
    case 'object':
      if (value === null) return new data.Null();
      if (Array.isArray(value)) return new LazyArray(value);
      if (value instanceof Date) return new data.StringData(value.toISOString());
      return new LazyDictionary(value as Record<string, unknown>);
    default:
      return new data.Null();
  }
}

function fromData(value: data.ExpressionData): unknown {
  switch (value.kind) {
    case data.Kind.Null:
      return null;
    case data.Kind.Boolean:
    case data.Kind.Number:
    case data.Kind.String:
      return value.value;
    case data.Kind.Array:
      return value instanceof LazyArray ? value.source : value.values().map(fromData);
    default:
      if (value instanceof LazyDictionary) return value.source;
      return Object.fromEntries(value.pairs().map((p) => [p.key, fromData(p.value)]));
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
