// The action's side of asks: the `answers` and `resume-from` inputs, and what a waiting run reports
// (the `questions` output and how to answer, in the job summary).
import { answerTarget, checkGivenAnswers, type GivenAnswer } from '../engine/ask.js';
import type { Question } from '../journal/types.js';
import type { OtherRun } from '../stores/artifacts.js';
import { describeAnswerSchema } from '../workflow/answer.js';
import { parseInputsMap } from '../workflow/inputs.js';
import type { WorkflowDef } from '../workflow/types.js';

/**
 * `answers`: a YAML/JSON map from `step` or `step[item]` to the answer. Values are untrusted (they may
 * come from a comment): each is checked against its ask's schema before anything runs, and text is read
 * as the schema expects (`"true"` for a boolean). Returns the problems, or the answers.
 */
export function parseAnswersInput(
  workflow: WorkflowDef,
  text: string,
  by: string | undefined,
): { answers: Map<string, GivenAnswer> } | { problems: string[] } {
  if (text.trim() === '') return { answers: new Map() };
  const parsed = parseInputsMap(text);
  if ('error' in parsed) return { problems: [`input "answers": ${parsed.error}`] };
  const { answers, problems } = checkGivenAnswers(
    workflow,
    Object.entries(parsed.values).map(([target, value]) => ({
      target,
      value,
      fromText: typeof value === 'string',
      ...(by ? { by } : {}),
    })),
  );
  return problems.length > 0 ? { problems: problems.map((p) => `input "answers": ${p}`) } : { answers };
}

/** `resume-from`: a workflow run id of this repository; needs a token that may read its artifacts. */
export function parseResumeFrom(
  text: string,
  repository: string | undefined,
  token: string,
): OtherRun | { problem: string } | undefined {
  if (text.trim() === '') return undefined;
  if (!/^[1-9][0-9]*$/.test(text.trim())) {
    return { problem: `input "resume-from" must be a workflow run id (digits); got "${text}"` };
  }
  if (!repository) return { problem: 'input "resume-from" needs GITHUB_REPOSITORY' };
  if (!token) {
    return {
      problem:
        'input "resume-from" needs "github-token" (default: github.token) with the actions: read permission',
    };
  }
  return { runId: Number(text.trim()), repository, token };
}

/** The `questions` output: what the run waits for. */
export function questionsOutput(questions: Question[]): string {
  return JSON.stringify(
    questions.map((q) => ({
      step: q.step,
      ...(q.item !== undefined ? { item: q.item } : {}),
      key: q.key,
      question: q.question,
      'answer-schema': q.answerSchema,
    })),
  );
}

/** The job summary's section of a waiting run: each question and exactly how to answer it. */
export function renderQuestions(questions: Question[], ghRunId: string): string {
  const lines = ['### ⏸️ Waiting for input', ''];
  for (const q of questions) {
    const target = answerTarget(q.step, q.item);
    lines.push(
      `- **${target}**: ${q.question.replace(/\n/g, ' ')}`,
      `  (answer: ${describeAnswerSchema(q.answerSchema)})`,
    );
  }
  const first = questions[0];
  const example = first ? answerTarget(first.step, first.item) : 'STEP';
  lines.push(
    '',
    'Answer with a comment (the `issue_comment` workflow of the examples), one per question:',
    '',
    '```text',
    ...questions.map((q) => `/reprise answer ${ghRunId} ${answerTarget(q.step, q.item)} VALUE`),
    '```',
    '',
    `or run the answer workflow (workflow_dispatch) with \`run-id: ${ghRunId}\`, \`step: ${example}\` and ` +
      '`answer: VALUE`. The answering run continues this one with `resume-from`, replaying every finished call.',
    '',
  );
  return lines.join('\n');
}
