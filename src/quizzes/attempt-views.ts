import type { Types } from 'mongoose';
import type { GivenAnswer } from './answer-check.js';
import type { AskedQuestion } from './attempt-draw.js';
import { askedQuestionView, type AskedQuestionView } from './question-views.js';

/** An attempt as stored, and the shapes the API gives of it (API.md, "Quizzes"). */

export type SavedAnswers = Record<string, GivenAnswer>;

export interface AttemptStart {
  attemptId: string;
  startedAt: string;
  expiresAt: string | null;
  questions: AskedQuestionView[];
  /** What the learner has saved so far (an attempt in progress is resumed, not restarted). */
  answers: SavedAnswers;
  isResumed: boolean;
}

export interface AttemptResult {
  attemptId: string;
  score: number;
  passed: boolean;
  correctCount: number;
  questionCount: number;
  submittedAt: string;
}

export type AttemptStatus = 'in_progress' | 'submitted' | 'timed_out';

export interface AttemptSummary {
  attemptId: string;
  quizId: string;
  status: AttemptStatus;
  score: number | null;
  passed: boolean | null;
  startedAt: string;
  submittedAt: string | null;
}

export interface StoredAttempt {
  _id: Types.ObjectId;
  userId: Types.ObjectId;
  quizId: string;
  courseSlug: string;
  moduleSlug: string;
  number: number;
  status: AttemptStatus;
  startedAt: Date;
  expiresAt: Date | null;
  passingScore: number;
  questions: AskedQuestion[];
  answers?: SavedAnswers;
  result: { score: number; passed: boolean; correctCount: number; questionCount: number; fractions: Record<string, number> } | null;
  submittedAt: Date | null;
}

export function resultOf(attempt: StoredAttempt): AttemptResult | null {
  if (!attempt.result || !attempt.submittedAt) return null;
  const { score, passed, correctCount, questionCount } = attempt.result;
  return { attemptId: attempt._id.toHexString(), score, passed, correctCount, questionCount, submittedAt: attempt.submittedAt.toISOString() };
}

export function summaryOf(attempt: StoredAttempt): AttemptSummary {
  return {
    attemptId: attempt._id.toHexString(),
    quizId: attempt.quizId,
    status: attempt.status,
    score: attempt.result?.score ?? null,
    passed: attempt.result?.passed ?? null,
    startedAt: attempt.startedAt.toISOString(),
    submittedAt: attempt.submittedAt ? attempt.submittedAt.toISOString() : null,
  };
}

export function startOf(attempt: StoredAttempt, isResumed: boolean): AttemptStart {
  return {
    attemptId: attempt._id.toHexString(),
    startedAt: attempt.startedAt.toISOString(),
    expiresAt: attempt.expiresAt ? attempt.expiresAt.toISOString() : null,
    questions: attempt.questions.map(askedQuestionView),
    answers: { ...attempt.answers },
    isResumed,
  };
}

/** Saved answers with the new ones over them; `null` clears one. */
export function mergedAnswers(saved: SavedAnswers, given: SavedAnswers): SavedAnswers {
  const merged: SavedAnswers = { ...saved, ...given };
  for (const [questionId, answer] of Object.entries(merged)) if (answer === null) delete merged[questionId];
  return merged;
}
