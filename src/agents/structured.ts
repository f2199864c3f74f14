// Structured output shared by all providers: validate the answer against the request's JSON Schema, and
// when it does not conform, show the model its errors once before giving up.
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import { JsonSchemaNotLoaded, jsonSchemaSupport } from '../workflow/json-schema-support.js';
import { addUsage } from './pricing.js';
import { CallError, type AgentRequest, type AgentResult, type Usage } from './types.js';

// Made on first use: a run whose steps have no schema (or that replays every call) never builds one.
let ajv: Ajv | undefined;
const validators = new Map<string, ValidateFunction>();

function validatorFor(schema: Record<string, unknown>, label: string): ValidateFunction {
  const key = JSON.stringify(schema);
  let validate = validators.get(key);
  if (!validate) {
    ajv ??= jsonSchemaSupport().valueValidator();
    try {
      validate = ajv.compile(schema);
    } catch (error) {
      throw new CallError(
        `${label}: the step's schema is not a valid JSON Schema: ${(error as Error).message}`,
        'fatal',
        { cause: error },
      );
    }
    validators.set(key, validate);
  }
  return validate;
}

/** The text the model is shown when a provider has no native JSON-schema mode. */
export function schemaInstruction(schema: Record<string, unknown>): string {
  return [
    'Answer with a single JSON value that conforms to the JSON Schema below, and nothing else:',
    'no explanation before or after it.',
    '```json',
    JSON.stringify(schema, null, 2),
    '```',
  ].join('\n');
}

/** The follow-up turn after a non-conforming answer. */
export function correctionPrompt(errors: string[]): string {
  return [
    'Your answer does not conform to the JSON Schema:',
    ...errors.map((error) => `- ${error}`),
    'Reply with only the corrected JSON value.',
  ].join('\n');
}

/** Parses a JSON answer, tolerating ```json fences and prose around a single object or array. */
export function parseJsonAnswer(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  const trimmed = text.trim();
  const candidates = [trimmed];
  const fenced = /```(?:json|JSON)?[ \t]*\r?\n([\s\S]*?)\r?\n?```/.exec(trimmed);
  if (fenced?.[1] !== undefined) candidates.push(fenced[1].trim());
  const start = trimmed.search(/[[{]/);
  const end = Math.max(trimmed.lastIndexOf('}'), trimmed.lastIndexOf(']'));
  if (start >= 0 && end > start) candidates.push(trimmed.slice(start, end + 1));
  let firstError = '';
  for (const candidate of candidates) {
    try {
      return { ok: true, value: JSON.parse(candidate) as unknown };
    } catch (error) {
      firstError ||= (error as Error).message;
    }
  }
  return { ok: false, error: `the answer is not JSON (${firstError || 'empty answer'})` };
}

function describe(error: ErrorObject): string {
  const where = error.instancePath === '' ? 'the value' : error.instancePath;
  const params = error.params as Record<string, unknown>;
  let detail = '';
  if (Array.isArray(params['allowedValues'])) detail = `: ${JSON.stringify(params['allowedValues'])}`;
  else if (typeof params['additionalProperty'] === 'string') detail = `: "${params['additionalProperty']}"`;
  return `${where} ${error.message ?? 'is invalid'}${detail}`;
}

/** Checks an answer against a schema. The errors are phrased for both the model and the user. */
export function checkAnswer(
  text: string,
  schema: Record<string, unknown>,
  label: string,
): { ok: true; value: unknown } | { ok: false; errors: string[] } {
  const validate = validatorFor(schema, label);
  const parsed = parseJsonAnswer(text);
  if (!parsed.ok) return { ok: false, errors: [parsed.error] };
  if (validate(parsed.value)) return { ok: true, value: parsed.value };
  return { ok: false, errors: (validate.errors ?? []).map(describe) };
}

/** Why a value does not conform to a schema (empty when it does); undefined when the schema itself does not compile. */
export function schemaErrors(schema: Record<string, unknown>, value: unknown): string[] | undefined {
  let validate: ValidateFunction;
  try {
    validate = validatorFor(schema, 'schema');
  } catch (error) {
    if (error instanceof JsonSchemaNotLoaded) throw error;
    return undefined;
  }
  return validate(value) ? [] : (validate.errors ?? []).map(describe);
}

/** One answer of a provider, before validation. */
export interface Attempt {
  text: string;
  usage: Usage;
  model: string;
}

/** What a provider needs to ask again: its previous answer and the follow-up message. */
export interface Correction {
  previousText: string;
  message: string;
}

/**
 * Runs a call, validating structured output: on a non-conforming answer, retries once with the errors
 * shown to the model; the usage of both attempts is reported. `label` names the provider in errors.
 */
export function withStructuredOutput(
  request: AgentRequest,
  label: string,
  attempt: (correction?: Correction) => Promise<Attempt>,
): Promise<AgentResult> {
  // Without a schema the answer is the attempt's, as it is (not wrapped in a promise of its own).
  const schema = request.schema;
  return schema ? structured(schema, label, attempt) : attempt();
}

async function structured(
  schema: Record<string, unknown>,
  label: string,
  attempt: (correction?: Correction) => Promise<Attempt>,
): Promise<AgentResult> {
  validatorFor(schema, label); // an invalid schema fails before anything is spent
  const first = await attempt();
  const firstCheck = checkAnswer(first.text, schema, label);
  if (firstCheck.ok) return { ...first, json: firstCheck.value };

  const second = await attempt({ previousText: first.text, message: correctionPrompt(firstCheck.errors) });
  const usage = addUsage(first.usage, second.usage);
  const secondCheck = checkAnswer(second.text, schema, label);
  if (secondCheck.ok) return { text: second.text, json: secondCheck.value, usage, model: second.model };
  throw new CallError(
    `${label}: the answer does not conform to the step's schema, even after one correction:\n` +
      secondCheck.errors.map((line) => `  - ${line}`).join('\n') +
      `\nanswer: ${excerpt(second.text)}`,
    'fatal',
    { usage },
  );
}

/** The start of a text, on one line, for error messages. */
export function excerpt(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat === '') return '(empty)';
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
