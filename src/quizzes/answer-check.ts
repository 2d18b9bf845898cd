import type { AskedQuestion } from './attempt-draw.js';
import type { Answer } from './grading.js';

/**
 * Whether each given answer has the shape its question takes (API.md, "Quizzes"): an
 * option of that question, a boolean, a string, a finite number, or left → right ids
 * of that question. `null` clears a saved answer. Answers to questions the attempt did
 * not ask are refused, so nothing foreign is stored with the attempt.
 */

export type GivenAnswer = Exclude<Answer, undefined>;

function isValidFor(asked: AskedQuestion, answer: GivenAnswer): boolean {
  if (answer === null) return true;
  const optionIds = new Set(asked.optionOrder ?? []);
  switch (asked.question.type) {
    case 'single':
      return typeof answer === 'string' && optionIds.has(answer);
    case 'multiple':
      return Array.isArray(answer) && answer.every((id) => optionIds.has(id));
    case 'true_false':
      return typeof answer === 'boolean';
    case 'short_answer':
      return typeof answer === 'string';
    case 'numeric':
      return typeof answer === 'number' && Number.isFinite(answer);
    case 'matching': {
      if (typeof answer !== 'object' || Array.isArray(answer)) return false;
      const lefts = new Set(asked.leftOrder ?? []);
      const rights = new Set(asked.rightOrder ?? []);
      return Object.entries(answer).every(([left, right]) => lefts.has(left) && rights.has(right));
    }
  }
}

/** Field → i18n key for every answer that does not fit its question; empty when all fit. */
export function answerProblems(asked: readonly AskedQuestion[], answers: Readonly<Record<string, GivenAnswer>>): Record<string, string> {
  const byId = new Map(asked.map((question) => [question.question.id, question]));
  const problems: Record<string, string> = {};
  for (const [questionId, answer] of Object.entries(answers)) {
    const question = byId.get(questionId);
    if (!question) problems[`answers.${questionId}`] = 'validation.unknownQuestion';
    else if (!isValidFor(question, answer)) problems[`answers.${questionId}`] = 'validation.invalidAnswer';
  }
  return problems;
}
