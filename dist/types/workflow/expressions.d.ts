import { type Expr } from '@actions/expressions';
import type { ExpressionContext, Template } from './types.js';
export { parseDuration } from './duration.js';
/** A `${{ }}` expression that does not parse or cannot be evaluated; the message quotes the expression. */
export declare class ExpressionError extends Error {
    readonly expression: string;
    constructor(message: string, expression: string);
}
export declare const CONTEXT_NAMES: readonly ["inputs", "steps", "env", "github", "item", "index", "loop"];
export type ContextName = (typeof CONTEXT_NAMES)[number];
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
    path?: {
        context: ContextName;
        members: string[];
    };
}
type TemplatePart = string | ParsedExpression;
interface ParsedTemplate {
    parts: TemplatePart[];
    /** The string is exactly one `${{ }}`: its value keeps its type. */
    single: ParsedExpression | undefined;
}
/** Parses one bare expression (no `${{ }}`), once per distinct text. Throws `ExpressionError`. */
export declare function parseExpression(source: string): ParsedExpression;
/** Splits a string into literal text and `${{ }}` expressions, parsed once per distinct string. */
export declare function parseTemplate(text: string): ParsedTemplate;
/** Whether a value holds `${{` anywhere (strings, nested in arrays and objects). */
export declare function hasExpression(value: unknown): boolean;
/**
 * Resolves every `${{ }}` in a value (deep over arrays and objects). A string that is exactly one
 * expression keeps the expression's type; text around expressions makes a string, formatted as GitHub does.
 */
export declare function evaluateTemplate(value: Template, ctx: ExpressionContext): unknown;
/**
 * Evaluates an `if:` (or `until:`) condition: a bare expression or `${{ }}`, with GitHub's truthiness.
 * As in GitHub Actions, a condition without a status function (`success()`, `failure()`, `always()`,
 * `cancelled()`) only holds while the run is succeeding.
 */
export declare function evaluateCondition(expr: string, ctx: ExpressionContext): boolean;
