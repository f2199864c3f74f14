// The validator of schema/workflow.schema.json, precompiled: compiling the schema with ajv costs about
// 300 ms, which every start of the CLI and the action would pay. workflow-validator.generated.ts is ajv's
// standalone code for the schema (scripts/generate-workflow-validator.mjs, with validator-options.json);
// test/workflow/workflow-validator.test.ts fails when it no longer matches the schema.
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { validate } from './workflow-validator.generated.js';

export function workflowValidator(): ValidateFunction {
  return validate as ValidateFunction;
}
