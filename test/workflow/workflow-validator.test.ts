// The precompiled workflow validator must be the one ajv compiles from the schema as it is now: a schema
// edit without `node scripts/generate-workflow-validator.mjs` would validate workflows against the old one.
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import workflowSchema from '../../schema/workflow.schema.json' with { type: 'json' };
import options from '../../src/workflow/validator-options.json' with { type: 'json' };
import { workflowValidator } from '../../src/workflow/schema-validator.js';
// @ts-expect-error: a plain ESM script without types
import { GENERATED, generateWorkflowValidator } from '../../scripts/generate-workflow-validator.mjs';

describe('the precompiled workflow validator', () => {
  it('is what scripts/generate-workflow-validator.mjs generates from schema/workflow.schema.json now', () => {
    const fresh = (generateWorkflowValidator as () => string)();
    const committed = readFileSync(GENERATED as string, 'utf8');
    expect(
      committed === fresh,
      'src/workflow/workflow-validator.generated.ts is stale: run node scripts/generate-workflow-validator.mjs',
    ).toBe(true);
  });

  it('judges documents as ajv compiling the schema at run time does, errors included', () => {
    const compiled = new Ajv2020(options).compile(workflowSchema);
    const precompiled = workflowValidator();
    const documents: unknown[] = [
      { name: 'ok', steps: [{ id: 'a', run: 'echo hi' }] },
      { name: 'typo', steps: [{ id: 'a', agent: { promt: 'hi' } }] },
      { name: '', steps: 'not a list' },
      { name: 'deep', steps: [{ id: 'x', 'for-each': '${{ inputs.items }}', concurrency: -1, run: 'true' }] },
      { name: 'long', steps: [{ id: 'a', timeout: 'soon', run: 'true' }], limits: { usd: 'lots' } },
      'not an object',
    ];
    for (const document of documents) {
      expect(precompiled(document)).toBe(compiled(document));
      expect(precompiled.errors ?? null).toEqual(compiled.errors ?? null);
    }
  });
});
