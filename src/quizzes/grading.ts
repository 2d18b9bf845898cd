import type { QuizQuestion } from '../courses/index.js';

/**
 * Grading, as a pure function of the questions and the answers (issue: "Grading is a
 * pure, well-tested function"). Each question earns a fraction of one mark:
 *
 * - single: the chosen option's weight (100 % for the right one);
 * - multiple: the sum of the chosen options' GIFT weights, floored at zero per question;
 * - true/false: all or nothing;
 * - short answer: the best accepted answer that matches, ignoring case, accents and
 *   surrounding or repeated spaces;
 * - numeric: the best interval (value ± tolerance, or min..max) the number falls in;
 * - matching: the share of pairs matched right.
 *
 * The score is the mean fraction as a percentage with one decimal; a question counts as
 * correct when it earned its whole mark.
 */

/** What grading reads of a question: an attempt's snapshot carries no GIFT source. */
export type GradableQuestion = Omit<QuizQuestion, 'source' | 'line'>;

export type Answer = string | string[] | boolean | number | Record<string, string> | null | undefined;

export interface AttemptGrade {
  score: number;
  correctCount: number;
  questionCount: number;
  fractions: Record<string, number>;
}

/** Lower case, no accents, single spaces, trimmed: "  Bogotá  D.C. " → "bogota d.c.". */
export function normalizeShortAnswer(text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/\s+/g, ' ').trim();
}

const clamp = (fraction: number): number => Math.min(1, Math.max(0, fraction));

export function gradeQuestion(question: GradableQuestion, answer: Answer): number {
  switch (question.type) {
    case 'single': {
      if (typeof answer !== 'string') return 0;
      return clamp((question.options?.find((option) => option.id === answer)?.weight ?? 0) / 100);
    }
    case 'multiple': {
      if (!Array.isArray(answer)) return 0;
      const chosen = new Set(answer);
      const total = (question.options ?? []).filter((option) => chosen.has(option.id)).reduce((sum, option) => sum + option.weight, 0);
      return clamp(total / 100);
    }
    case 'true_false':
      return typeof answer === 'boolean' && answer === question.isTrue ? 1 : 0;
    case 'short_answer': {
      if (typeof answer !== 'string') return 0;
      const given = normalizeShortAnswer(answer);
      if (given === '') return 0;
      const weights = (question.accepted ?? []).filter((accepted) => normalizeShortAnswer(accepted.text) === given).map((accepted) => accepted.weight);
      return clamp(Math.max(0, ...weights) / 100);
    }
    case 'numeric': {
      if (typeof answer !== 'number' || !Number.isFinite(answer)) return 0;
      const weights = (question.numeric ?? []).filter((range) => answer >= range.min - 1e-9 && answer <= range.max + 1e-9).map((range) => range.weight);
      return clamp(Math.max(0, ...weights) / 100);
    }
    case 'matching': {
      const pairs = question.pairs ?? [];
      if (typeof answer !== 'object' || answer === null || Array.isArray(answer) || pairs.length === 0) return 0;
      const given = answer as Record<string, unknown>;
      return pairs.filter((pair) => given[pair.leftId] === pair.rightId).length / pairs.length;
    }
    default:
      return 0;
  }
}

export function gradeAttempt(questions: readonly GradableQuestion[], answers: Readonly<Record<string, Answer>>): AttemptGrade {
  const fractions: Record<string, number> = {};
  for (const question of questions) fractions[question.id] = gradeQuestion(question, answers[question.id]);
  const values = Object.values(fractions);
  const mean = values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;
  return {
    score: Math.round(mean * 1000) / 10,
    correctCount: values.filter((value) => value >= 1 - 1e-9).length,
    questionCount: questions.length,
    fractions,
  };
}
