import { describe } from './values.js';
import type { InputDef } from './types.js';

/** Why `value` does not fit the input, as `input "pr" must be a number, got "abc"`; undefined if it fits. */
export function checkInputValue(
  name: string,
  def: Pick<InputDef, 'type' | 'options'>,
  value: unknown,
): string | undefined {
  const got = describe(value);
  switch (def.type) {
    case 'string':
      return typeof value === 'string' ? undefined : `input "${name}" must be a string, got ${got}`;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value)
        ? undefined
        : `input "${name}" must be a number, got ${got}`;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `input "${name}" must be true or false, got ${got}`;
    case 'array':
      return Array.isArray(value) ? undefined : `input "${name}" must be a list, got ${got}`;
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value)
        ? undefined
        : `input "${name}" must be a mapping, got ${got}`;
    case 'enum': {
      const options = def.options ?? [];
      return typeof value === 'string' && options.includes(value)
        ? undefined
        : `input "${name}" must be one of ${options.join(', ')}, got ${got}`;
    }
  }
}
