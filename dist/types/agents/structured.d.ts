import { type AgentRequest, type AgentResult, type Usage } from './types.js';
/** The text the model is shown when a provider has no native JSON-schema mode. */
export declare function schemaInstruction(schema: Record<string, unknown>): string;
/** The follow-up turn after a non-conforming answer. */
export declare function correctionPrompt(errors: string[]): string;
/** Parses a JSON answer, tolerating ```json fences and prose around a single object or array. */
export declare function parseJsonAnswer(text: string): {
    ok: true;
    value: unknown;
} | {
    ok: false;
    error: string;
};
/** Checks an answer against a schema. The errors are phrased for both the model and the user. */
export declare function checkAnswer(text: string, schema: Record<string, unknown>, label: string): {
    ok: true;
    value: unknown;
} | {
    ok: false;
    errors: string[];
};
/** Why a value does not conform to a schema (empty when it does); undefined when the schema itself does not compile. */
export declare function schemaErrors(schema: Record<string, unknown>, value: unknown): string[] | undefined;
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
export declare function withStructuredOutput(request: AgentRequest, label: string, attempt: (correction?: Correction) => Promise<Attempt>): Promise<AgentResult>;
/** The start of a text, on one line, for error messages. */
export declare function excerpt(text: string, max?: number): string;
