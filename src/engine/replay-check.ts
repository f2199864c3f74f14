// A journaled result is untrusted input (a cache entry or artifact anyone with write access could have
// forged): it replays only if a live call could have produced it. One that could not runs live again.
import { isDeepStrictEqual } from 'node:util';
import type { AgentResult } from '../agents/types.js';
import { checkAnswer } from '../agents/structured.js';
import { JsonSchemaNotLoaded } from '../workflow/json-schema-support.js';
import type { CallEvent } from '../journal/types.js';
import { isAgentResult, isShellResult } from './outputs.js';
import type { PlannedCall } from './plan.js';

/** Why a journaled result cannot stand for this call, or undefined when it replays. */
export function replayProblem(call: PlannedCall, recorded: CallEvent): string | undefined {
  if (recorded.kind !== call.kind) return `it was journaled as a ${recorded.kind} call, not ${call.kind}`;
  if (call.accepts) return call.accepts(recorded.result) ? undefined : 'it is not a whole result of its kind';
  if (call.kind === 'agent') {
    if (!isAgentResult(recorded.result)) return 'it is not a whole agent result';
    const schema = call.agent?.schema;
    return schema ? schemaProblem(recorded.result, schema) : undefined;
  }
  if (!isShellResult(recorded.result)) return 'it is not a whole run result';
  // A live run step that exits non-zero fails (continue-on-error only lets the run go on): it is never
  // journaled as a result, so one that says so was not written by a live call.
  const code = recorded.result.exitCode;
  return code === 0 ? undefined : `it records exit code ${code}, and a run step succeeds only with 0`;
}

/** A structured answer must satisfy the step's schema now, and its `json` must be its text, parsed. */
function schemaProblem(result: AgentResult, schema: Record<string, unknown>): string | undefined {
  let check: ReturnType<typeof checkAnswer>;
  try {
    check = checkAnswer(result.text, schema, 'the step');
  } catch (error) {
    if (error instanceof JsonSchemaNotLoaded) throw error;
    return "the step's schema does not compile";
  }
  if (!check.ok)
    return `its answer does not satisfy the step's schema (${check.errors.slice(0, 3).join('; ')})`;
  if (!isDeepStrictEqual(check.value, result.json)) return 'its json is not the parsed text of its answer';
  return undefined;
}
