import type { ContextRef, ParsedExpression } from './expressions.js';
import type { InputDef, InputType } from './types.js';
export type InputTypes = ReadonlyMap<string, InputType>;
export declare function inputTypesOf(inputs: readonly Pick<InputDef, 'name' | 'type'>[]): InputTypes;
/** The first reference of an expression whose value is data (not fixed by the author), if any. */
export declare function dataRef(expr: ParsedExpression, inputs: InputTypes): ContextRef | undefined;
/**
 * Why a `${{ }}` cannot stand in script text, with the exact fix for the step's shell; undefined when
 * the expression is a constant. `what` names the place, e.g. `"run"`.
 */
export declare function scriptExpressionProblem(expr: ParsedExpression, inputs: InputTypes, what: string, shell: string | undefined): string | undefined;
/** How a script in this shell reads an environment variable, quoted so its value stays one word. */
export declare function envReference(name: string, shell: string | undefined): string;
