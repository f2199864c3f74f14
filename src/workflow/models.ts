// Warnings about the models a workflow names: one the built-in price table marks retired (or about to be).
import { retirement } from '../agents/pricing.js';
import { isRecord } from './values.js';
import type { Path, YamlSource } from './source.js';
import type { Problem } from './types.js';

/** Every `model:` written as a plain name (not an expression) that is retired or will be. */
export function retiredModelWarnings(raw: unknown, source: YamlSource, today = new Date()): Problem[] {
  const warnings: Problem[] = [];
  const walk = (value: unknown, path: Path) => {
    if (Array.isArray(value)) value.forEach((item, index) => walk(item, [...path, index]));
    if (!isRecord(value)) return;
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'model' && typeof inner === 'string' && !inner.includes('${{')) {
        // `anthropic:claude-…`: the model is what follows the provider's name.
        const model = inner.replace(/^[a-z0-9_-]+:/i, '');
        const retired = retirement(model);
        if (retired) {
          const past = today.toISOString().slice(0, 10) >= retired.on;
          warnings.push(
            source.problem(
              [...path, key],
              `model "${model}" ${past ? 'was retired' : 'will be retired'} on ${retired.on}` +
                `${past ? ' (calls to it fail)' : ''}: use ${retired.use}`,
            ),
          );
        }
      } else walk(inner, [...path, key]);
    }
  };
  walk(raw, []);
  return warnings;
}
