// `reprise answer RUN STEP VALUE`: answers a question a waiting run asked, by appending an `answer` event
// bound to the ask's key. Nothing is written unless the value fits the question's answer schema.
import { resolve } from 'node:path';
import { answerTarget } from '../engine/ask.js';
import { pendingQuestions } from '../journal/questions.js';
import { readJournalFile } from '../journal/reader.js';
import { JournalWriter } from '../journal/writer.js';
import type { Question } from '../journal/types.js';
import { LocalStore } from '../stores/local.js';
import { answerFromText, answerProblem, describeAnswerSchema } from '../workflow/answer.js';
import { loadJsonSchemaSupport } from '../workflow/json-schema-support.js';
import { EXIT, UsageError, asUsageError } from './io.js';
import type { CliIO } from './io.js';

export interface AnswerCommandOptions {
  runsDir: string;
  item?: number;
  /** VALUE is JSON (an object, a list, a typed scalar), not text read as the schema expects. */
  json?: boolean;
  by?: string;
  /** The question's key (or a prefix of it): tells apart asks of one step path with no item (a called workflow's). */
  key?: string;
}

export async function answerCommand(
  run: string,
  step: string,
  text: string,
  options: AnswerCommandOptions,
  io: CliIO,
): Promise<number> {
  const store = new LocalStore(resolve(io.cwd, options.runsDir));
  const runId = await asUsageError(() => store.resolve(run));
  const lock = await asUsageError(() => store.lock(runId));
  try {
    const journalPath = store.journalPath(runId);
    const pending = pendingQuestions(await readJournalFile(journalPath));
    const question = pickQuestion(runId, pending, step, options.item, options.key);
    let value: unknown;
    if (options.json) {
      try {
        value = JSON.parse(text) as unknown;
      } catch (caught) {
        throw new UsageError(`--json: ${JSON.stringify(text)} is not JSON (${(caught as Error).message})`);
      }
    } else {
      value = answerFromText(question.answerSchema, text);
    }
    // The answer is checked against the question's schema, as the journal recorded it.
    await loadJsonSchemaSupport();
    const problem = answerProblem(question.answerSchema, value);
    const target = answerTarget(question.step, question.item);
    if (problem !== undefined) {
      throw new UsageError(
        `${JSON.stringify(value)} is not a valid answer to ${target} (${problem}); ` +
          `it takes ${describeAnswerSchema(question.answerSchema)}. Nothing was written.`,
      );
    }
    const writer = await JournalWriter.open(journalPath);
    try {
      writer.append({
        t: 'answer',
        key: question.key,
        step: question.step,
        ...(question.item !== undefined ? { item: question.item } : {}),
        value,
        ...(options.by ? { by: options.by } : {}),
        at: new Date().toISOString(),
      });
    } finally {
      await writer.close();
    }
    io.out.write(`answered ${target} of run ${runId}: ${JSON.stringify(value)}\n`);
    const left = pending.filter((q) => q.key !== question.key);
    io.out.write(
      left.length > 0
        ? `still waiting for: ${left.map((q) => answerTarget(q.step, q.item)).join(', ')}\n`
        : `continue the run with: reprise run <file> --resume ${runId}\n`,
    );
    return EXIT.ok;
  } finally {
    await lock.release();
  }
}

function pickQuestion(
  runId: string,
  pending: Question[],
  step: string,
  item: number | undefined,
  key: string | undefined,
): Question {
  if (pending.length === 0) throw new UsageError(`run "${runId}" is not waiting for an answer`);
  const ofStep = pending.filter((q) => q.step === step && (key === undefined || q.key.startsWith(key)));
  const list = pending.map((q) => answerTarget(q.step, q.item)).join(', ');
  if (ofStep.length === 0)
    throw new UsageError(`run "${runId}" has no open question for step "${step}"; it waits for: ${list}`);
  if (item === undefined) {
    if (ofStep.length === 1 && ofStep[0]!.item === undefined) return ofStep[0]!;
    if (ofStep.every((q) => q.item === undefined)) {
      throw new UsageError(
        `step "${step}" has ${ofStep.length} open questions; name one with --key: ` +
          ofStep.map((q) => `${q.key.slice(0, 19)} (${q.question})`).join(', '),
      );
    }
    throw new UsageError(`step "${step}" asks once per item; name the item with --item N (waiting: ${list})`);
  }
  const match = ofStep.find((q) => q.item === item);
  if (!match) throw new UsageError(`step "${step}" has no open question for item ${item} (waiting: ${list})`);
  return match;
}
