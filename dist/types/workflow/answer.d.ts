export type AnswerSchema = Record<string, unknown>;
/** `boolean`, `{ options: [...] }`, ... as a JSON Schema; an object without `options` is one already. */
export declare function answerSchema(spec: unknown): AnswerSchema;
/** Why `schema` is not a usable JSON Schema, or undefined. */
export declare function answerSchemaProblem(schema: AnswerSchema): string | undefined;
/** Why `value` is not an answer `schema` accepts, in plain words; undefined when it is. */
export declare function answerProblem(schema: AnswerSchema, value: unknown): string | undefined;
/**
 * An answer typed as text (a CLI argument, a comment, a form field) read as the schema expects it:
 * `true`/`false` for a boolean, a number for a number, JSON for objects and arrays, the option whose
 * text it is for `options`. Text that reads as nothing else stays text, and the schema then judges it.
 */
export declare function answerFromText(schema: AnswerSchema, text: string): unknown;
/** `true`, `"yes"`, `{ options: [a, b] }`: how an answer schema reads in a message. */
export declare function describeAnswerSchema(schema: AnswerSchema): string;
