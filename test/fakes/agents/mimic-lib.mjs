// Shared by the command-agent mimics: read the prompt, record the invocation, make a deterministic answer.
import fs from 'node:fs';

export function readStdin() {
  try {
    return fs.readFileSync(0, 'utf8');
  } catch {
    return '';
  }
}

/** Appends {argv, stdin, cwd, env} to $MIMIC_RECORD (JSONL), so tests can see how they were called. */
export function record(stdin) {
  const file = process.env.MIMIC_RECORD;
  if (!file) return;
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => key.startsWith('MIMIC_')));
  fs.appendFileSync(
    file,
    JSON.stringify({ argv: process.argv.slice(2), stdin, cwd: process.cwd(), env }) + '\n',
  );
}

export function argAfter(flag) {
  const index = process.argv.indexOf(flag);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

function schemaIn(prompt) {
  const block = /```json\n([\s\S]*?)\n```/.exec(prompt)?.[1];
  if (block === undefined) return undefined;
  try {
    return JSON.parse(block);
  } catch {
    return undefined;
  }
}

function conforming(schema, hint) {
  if (!schema || typeof schema !== 'object') return hint;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  switch (schema.type) {
    case 'object':
      return Object.fromEntries(
        Object.entries(schema.properties ?? {}).map(([key, sub]) => [key, conforming(sub, key)]),
      );
    case 'array':
      return [conforming(schema.items, hint)];
    case 'number':
    case 'integer':
      return 1;
    case 'boolean':
      return true;
    default:
      return hint;
  }
}

/**
 * `echo: <prompt>`, or JSON for a prompt carrying a schema. MIMIC_MODE=nonconforming answers `{}` always;
 * nonconforming-once answers `{}` until the prompt carries a correction.
 */
export function answerFor(prompt) {
  const schema = schemaIn(prompt);
  if (schema === undefined) return `echo: ${prompt.trim()}`;
  const mode = process.env.MIMIC_MODE;
  const corrected = prompt.includes('does not conform');
  if (mode === 'nonconforming' || (mode === 'nonconforming-once' && !corrected)) return '{}';
  return JSON.stringify(conforming(schema, 'value'));
}
