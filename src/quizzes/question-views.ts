import type { QuestionType } from '../courses/index.js';
import type { AskedQuestion } from './attempt-draw.js';
import type { GradableQuestion } from './grading.js';

/**
 * The two faces of a question. Learners get `askedQuestionView`, built field by field
 * from what may be shown (prompt, option texts), so that nothing that tells the answer
 * — weights, accepted texts, intervals, pairs, feedback — can slip in with a new field.
 * Facilitators and managers get the same shape plus `answer` (API.md, "Precise rules").
 */

export interface ChoiceView {
  id: string;
  text: string;
}

export interface AskedQuestionView {
  id: string;
  type: QuestionType;
  prompt: string;
  options?: ChoiceView[];
  left?: ChoiceView[];
  right?: ChoiceView[];
}

export type CorrectAnswer = string | string[] | boolean | { value: number; tolerance: number } | Record<string, string>;

export interface QuestionWithAnswer extends AskedQuestionView {
  answer: CorrectAnswer;
}

function viewOf(question: GradableQuestion, order: { optionOrder?: string[]; leftOrder?: string[]; rightOrder?: string[] }): AskedQuestionView {
  const view: AskedQuestionView = { id: question.id, type: question.type, prompt: question.prompt };
  if (question.type === 'single' || question.type === 'multiple') {
    const texts = new Map((question.options ?? []).map((option) => [option.id, option.text]));
    view.options = (order.optionOrder ?? [...texts.keys()]).map((id) => ({ id, text: texts.get(id) ?? '' }));
  }
  if (question.type === 'matching') {
    const pairs = question.pairs ?? [];
    const lefts = new Map(pairs.map((pair) => [pair.leftId, pair.left]));
    const rights = new Map(pairs.map((pair) => [pair.rightId, pair.right]));
    view.left = (order.leftOrder ?? [...lefts.keys()]).map((id) => ({ id, text: lefts.get(id) ?? '' }));
    view.right = (order.rightOrder ?? [...rights.keys()]).map((id) => ({ id, text: rights.get(id) ?? '' }));
  }
  return view;
}

/** A question as an attempt shows it to the learner: no answer data at all. */
export function askedQuestionView(asked: AskedQuestion): AskedQuestionView {
  return viewOf(asked.question, asked);
}

/** The best interval (highest weight, the first among equals) as value ± tolerance. */
function numericAnswerOf(question: GradableQuestion): { value: number; tolerance: number } {
  const intervals = question.numeric ?? [];
  const best = intervals.reduce<(typeof intervals)[number] | undefined>((chosen, interval) => (!chosen || interval.weight > chosen.weight ? interval : chosen), undefined);
  if (!best) return { value: 0, tolerance: 0 };
  return { value: (best.min + best.max) / 2, tolerance: (best.max - best.min) / 2 };
}

export function correctAnswerOf(question: GradableQuestion): CorrectAnswer {
  switch (question.type) {
    case 'single':
      return (question.options ?? []).find((option) => option.weight >= 100)?.id ?? '';
    case 'multiple':
      return (question.options ?? []).filter((option) => option.weight > 0).map((option) => option.id);
    case 'true_false':
      return question.isTrue === true;
    case 'short_answer':
      return (question.accepted ?? []).filter((accepted) => accepted.weight > 0).map((accepted) => accepted.text);
    case 'numeric':
      return numericAnswerOf(question);
    case 'matching':
      return Object.fromEntries((question.pairs ?? []).map((pair) => [pair.leftId, pair.rightId]));
  }
}

/** A bank question for its course's facilitators and managers: in file order, with its answer. */
export function questionWithAnswer(question: GradableQuestion): QuestionWithAnswer {
  return { ...viewOf(question, {}), answer: correctAnswerOf(question) };
}
