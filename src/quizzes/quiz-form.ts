import type { GivenAnswer } from './answer-check.js';
import type { SavedAnswers } from './attempt-views.js';
import type { AskedQuestionView } from './question-views.js';

/**
 * The quiz page's form ↔ the API's answer shapes. Each question has fields named after
 * its id (ids are slugs or q-<hex>, so the names need no escaping):
 *
 * - single, true/false, short answer, numeric: `q.<id>`;
 * - multiple: `q.<id>`, once per box ticked;
 * - matching: `q.<id>.<leftId>`, the chosen right id.
 *
 * Every question of the attempt gets an answer or `null` (the field left empty clears
 * what was saved). A number is read with a decimal point or comma ("3,5", "1.000,5" is
 * not a number); one that does not read as a number is not taken, and is reported.
 */

export const fieldNameOf = (questionId: string, leftId?: string): string => (leftId === undefined ? `q.${questionId}` : `q.${questionId}.${leftId}`);

export interface FormAnswers {
  answers: SavedAnswers;
  /** Ids of the numeric questions whose text is not a number. */
  invalidNumbers: string[];
}

const texts = (value: unknown): string[] => (Array.isArray(value) ? value : [value]).filter((item): item is string => typeof item === 'string');
const firstText = (value: unknown): string => texts(value)[0] ?? '';

/** "3,5" → 3.5, " -2.25 " → -2.25, "1e3" → 1000; "", "3,5,1", "abc" → undefined. */
export function parseDecimal(text: string): number | undefined {
  const trimmed = text.trim().replace(/\s+/g, '');
  if (trimmed === '') return undefined;
  const normalized = trimmed.includes(',') && !trimmed.includes('.') ? trimmed.replace(',', '.') : trimmed;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(normalized)) return undefined;
  const value = Number(normalized);
  return Number.isFinite(value) ? value : undefined;
}

function answerOf(question: AskedQuestionView, body: Record<string, unknown>, invalidNumbers: string[]): GivenAnswer | null {
  const raw = body[fieldNameOf(question.id)];
  switch (question.type) {
    case 'single': {
      const chosen = firstText(raw);
      return question.options?.some((option) => option.id === chosen) ? chosen : null;
    }
    case 'multiple': {
      const known = new Set((question.options ?? []).map((option) => option.id));
      const chosen = [...new Set(texts(raw).filter((id) => known.has(id)))];
      return chosen.length > 0 ? chosen : null;
    }
    case 'true_false': {
      const chosen = firstText(raw);
      return chosen === 'true' ? true : chosen === 'false' ? false : null;
    }
    case 'short_answer': {
      const given = firstText(raw).trim();
      return given === '' ? null : given;
    }
    case 'numeric': {
      const given = firstText(raw);
      if (given.trim() === '') return null;
      const value = parseDecimal(given);
      if (value === undefined) invalidNumbers.push(question.id);
      return value ?? null;
    }
    case 'matching': {
      const rights = new Set((question.right ?? []).map((item) => item.id));
      const pairs: Record<string, string> = {};
      for (const left of question.left ?? []) {
        const chosen = firstText(body[fieldNameOf(question.id, left.id)]);
        if (rights.has(chosen)) pairs[left.id] = chosen;
      }
      return Object.keys(pairs).length > 0 ? pairs : null;
    }
  }
}

/** The answers a posted quiz form gives, one per question of the attempt (`null`: none). */
export function answersFromForm(questions: readonly AskedQuestionView[], body: unknown): FormAnswers {
  const source = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const invalidNumbers: string[] = [];
  const answers: SavedAnswers = {};
  for (const question of questions) answers[question.id] = answerOf(question, source, invalidNumbers);
  return { answers, invalidNumbers };
}

/** The other way: a saved answer as the value(s) its fields show ("3.5" for a number). */
export function fieldValuesOf(question: AskedQuestionView, answer: GivenAnswer | null | undefined): Record<string, string[]> {
  const name = fieldNameOf(question.id);
  if (answer === null || answer === undefined) return {};
  if (question.type === 'matching' && typeof answer === 'object' && !Array.isArray(answer)) {
    return Object.fromEntries(Object.entries(answer).map(([left, right]) => [fieldNameOf(question.id, left), [right]]));
  }
  if (Array.isArray(answer)) return { [name]: answer };
  return { [name]: [String(answer)] };
}
