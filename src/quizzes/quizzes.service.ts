import { Types, type Connection } from 'mongoose';
import type { CoursesService, QuizDefinition } from '../courses/index.js';
import type { EnrollmentsService } from '../enrollments/index.js';
import { ensureOwner, type Actor } from '../shared/authorization.js';
import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import { answerProblems, type GivenAnswer } from './answer-check.js';
import { cryptoRandomIndex, drawQuestions, type RandomIndex } from './attempt-draw.js';
import { mergedAnswers, resultOf, startOf, summaryOf, type AttemptResult, type AttemptStart, type AttemptStatus, type AttemptSummary, type SavedAnswers, type StoredAttempt } from './attempt-views.js';
import { gradeAttempt, gradeQuestion, normalizeShortAnswer } from './grading.js';
import { askedQuestionView, correctAnswerOf, questionWithAnswer, type AskedQuestionView, type CorrectAnswer, type QuestionWithAnswer } from './question-views.js';
import type { AskedQuestion } from './attempt-draw.js';
import { quizAttemptModel } from './quiz-attempt.model.js';
import { isDuplicateKey } from '../shared/duplicate-key.js';

/**
 * Quiz attempts (API.md, "Quizzes"; README.md beside this file): start, autosave,
 * submit, and the learner's list. Grading happens only here, on the snapshot the
 * attempt asked, and a passed attempt is handed to enrollments (the best attempt
 * counts: passing once is enough).
 */

export interface QuizzesDependencies {
  connection: Connection;
  clock: Clock;
  courses: Pick<CoursesService, 'getQuiz' | 'isFacilitatorOf'>;
  enrollments: Pick<EnrollmentsService, 'isEnrolled' | 'recordQuizPassed'>;
  random?: RandomIndex;
}

/** Answers that arrive this long after the deadline still count (network, a slow click). */
export const DEADLINE_GRACE_MS = 5_000;

export interface QuizView {
  id: string;
  title: string;
  courseSlug: string;
  moduleSlug: string;
  questionCount: number;
  passingScore: number;
  attemptsAllowed: number | null;
  timeLimitSeconds: number | null;
  attemptsUsed: number;
  /** Only for the course's facilitators and managers. */
  questions?: QuestionWithAnswer[];
}

/** One question of a closed attempt, for the review the quiz's `review` setting allows. */
export interface ReviewedQuestion extends AskedQuestionView {
  given: GivenAnswer | null;
  correct: CorrectAnswer;
  /** The share of the question's mark earned, 0..1. */
  fraction: number;
  feedback: string[];
}

/** An attempt as its owner may see it now: open (to go on answering) or closed (the result, and the review if allowed). */
export type AttemptReview =
  | { status: 'in_progress'; quizId: string; courseSlug: string; moduleSlug: string; number: number; attempt: AttemptStart }
  | {
      status: Exclude<AttemptStatus, 'in_progress'>;
      quizId: string;
      courseSlug: string;
      moduleSlug: string;
      number: number;
      result: AttemptResult;
      review: 'show_score_only' | 'show_correct_answers';
      /** Only with `show_correct_answers`. */
      questions?: ReviewedQuestion[];
    };

/** The feedback GIFT gives for this answer: the chosen options' or matched answer's, then the general one. */
function feedbackFor(asked: AskedQuestion, given: GivenAnswer | null): string[] {
  const question = asked.question;
  const found: Array<string | undefined> = [];
  if ((question.type === 'single' || question.type === 'multiple') && given !== null) {
    const chosen = new Set(Array.isArray(given) ? given : [given]);
    for (const option of question.options ?? []) if (chosen.has(option.id)) found.push(option.feedback);
  }
  if (question.type === 'true_false' && typeof given === 'boolean') found.push(given ? question.feedback?.ifTrue : question.feedback?.ifFalse);
  if (question.type === 'short_answer' && typeof given === 'string') {
    const normalized = normalizeShortAnswer(given);
    found.push((question.accepted ?? []).find((accepted) => normalizeShortAnswer(accepted.text) === normalized)?.feedback);
  }
  if (question.type === 'numeric' && typeof given === 'number') found.push((question.numeric ?? []).find((range) => given >= range.min - 1e-9 && given <= range.max + 1e-9)?.feedback);
  found.push(question.feedback?.general);
  return found.filter((text): text is string => typeof text === 'string' && text.trim() !== '');
}

const timeLimitSecondsOf = (quiz: QuizDefinition): number | null =>
  quiz.settings.timeLimitMinutes === undefined ? null : Math.round(quiz.settings.timeLimitMinutes * 60);


export function createQuizzesService(deps: QuizzesDependencies) {
  const Attempt = quizAttemptModel(deps.connection);
  const random = deps.random ?? cryptoRandomIndex;

  // The unique attempt-number index must exist before the first start relies on it.
  let indexesReady: Promise<void> | undefined;
  const ensureIndexes = (): Promise<void> => {
    indexesReady ??= Attempt.createIndexes().then(
      () => undefined,
      (error: unknown) => {
        indexesReady = undefined;
        throw error;
      },
    );
    return indexesReady;
  };

  const isPastDeadline = (attempt: Pick<StoredAttempt, 'expiresAt'>): boolean =>
    attempt.expiresAt !== null && deps.clock.now().getTime() > attempt.expiresAt.getTime() + DEADLINE_GRACE_MS;

  async function ensureEnrolled(actor: Actor, quiz: QuizDefinition): Promise<void> {
    if (!(await deps.enrollments.isEnrolled(actor.id, quiz.courseSlug))) {
      throw new AppError('forbidden', 'You are not enrolled in this course.', { reason: 'not_enrolled' });
    }
  }

  async function ownAttempt(actor: Actor, attemptId: string): Promise<StoredAttempt> {
    const attempt = Types.ObjectId.isValid(attemptId) ? await Attempt.findById(attemptId).lean<StoredAttempt>() : null;
    ensureOwner(actor, attempt?.userId.toHexString(), 'attempt');
    return attempt!;
  }

  async function recordPass(attempt: StoredAttempt): Promise<void> {
    await deps.enrollments.recordQuizPassed(attempt.userId.toHexString(), attempt.courseSlug, attempt.moduleSlug);
    await Attempt.updateOne({ _id: attempt._id }, { $set: { passRecordedAt: deps.clock.now() } });
  }

  /**
   * Grades the attempt and closes it, if it is still open: one conditional update, so
   * of many concurrent submits exactly one grades. Resolves with the closed attempt and
   * whether this call was the one that closed it.
   */
  async function close(attempt: StoredAttempt, answers: SavedAnswers, status: Exclude<AttemptStatus, 'in_progress'>): Promise<{ closed: StoredAttempt; isFirst: boolean }> {
    const grade = gradeAttempt(
      attempt.questions.map((asked) => asked.question),
      answers,
    );
    const result = { score: grade.score, passed: grade.score >= attempt.passingScore, correctCount: grade.correctCount, questionCount: grade.questionCount, fractions: grade.fractions };
    const closing = { status, answers, result, submittedAt: deps.clock.now() };
    const { modifiedCount } = await Attempt.updateOne({ _id: attempt._id, status: 'in_progress' }, { $set: closing });
    if (modifiedCount === 0) return { closed: (await Attempt.findById(attempt._id).lean<StoredAttempt>())!, isFirst: false };
    // This update moved it out of in_progress, so the stored attempt is the one read plus
    // what was set: no need to fetch it back (with its questions) to know it.
    const closed: StoredAttempt = { ...attempt, ...closing };
    if (result.passed) await recordPass(closed);
    return { closed, isFirst: true };
  }

  /** A timed attempt left open past its deadline is graded on what was saved. */
  async function closeExpired(userId: string, quizId?: string): Promise<void> {
    const open = await Attempt.find({ userId: new Types.ObjectId(userId), status: 'in_progress', expiresAt: { $ne: null }, ...(quizId ? { quizId } : {}) }).lean<StoredAttempt[]>();
    for (const attempt of open) if (isPastDeadline(attempt)) await close(attempt, attempt.answers ?? {}, 'timed_out');
  }

  /**
   * A person's latest attempt at a quiz says both whether one is open and how many were
   * used: attempts are numbered 1, 2, 3… and a new one is made only when none is open, so
   * only the latest can be open and its number is the count.
   */
  const latestAttemptOf = (userId: Types.ObjectId, quizId: string): Promise<StoredAttempt | null> =>
    Attempt.findOne({ userId, quizId }).sort({ number: -1 }).lean<StoredAttempt>().exec();

  /** What the latest attempt says, once one left open past its deadline is graded on what was saved. */
  async function attemptsSoFar(latest: StoredAttempt | null): Promise<{ open: StoredAttempt | undefined; used: number }> {
    if (latest?.status !== 'in_progress') return { open: undefined, used: latest?.number ?? 0 };
    if (isPastDeadline(latest)) {
      await close(latest, latest.answers ?? {}, 'timed_out');
      return { open: undefined, used: latest.number };
    }
    return { open: latest, used: latest.number };
  }

  /** A submitted attempt is final (409); one the clock closed says so (410). Both carry the result. */
  function alreadyClosed(attempt: StoredAttempt): AppError {
    if (attempt.status === 'timed_out') return timeIsUp(attempt);
    return new AppError('conflict', 'This attempt has already been submitted.', { reason: 'already_submitted', result: resultOf(attempt) });
  }

  function timeIsUp(attempt: StoredAttempt): AppError {
    return new AppError('gone', 'The time for this attempt is over; it was graded on the answers saved in time.', { reason: 'time_limit', result: resultOf(attempt) });
  }

  function checkAnswers(attempt: StoredAttempt, answers: SavedAnswers): void {
    const problems = answerProblems(attempt.questions, answers);
    if (Object.keys(problems).length > 0) throw new AppError('validation_failed', 'Some answers do not fit their questions.', { fields: problems });
  }

  return {
    /** Learners enrolled in the course see the settings; its facilitators and managers also the answers. */
    async getQuiz(actor: Actor, quizId: string): Promise<QuizView> {
      const quiz = await deps.courses.getQuiz(quizId);
      const isStaff = await deps.courses.isFacilitatorOf(actor, quiz.courseSlug);
      if (!isStaff) await ensureEnrolled(actor, quiz);
      const { used } = await attemptsSoFar(await latestAttemptOf(new Types.ObjectId(actor.id), quiz.id));
      const view: QuizView = {
        id: quiz.id,
        title: quiz.title,
        courseSlug: quiz.courseSlug,
        moduleSlug: quiz.moduleSlug,
        questionCount: Math.min(quiz.settings.drawCount ?? quiz.questions.length, quiz.questions.length),
        passingScore: quiz.settings.passingScore,
        attemptsAllowed: quiz.settings.attemptsAllowed ?? null,
        timeLimitSeconds: timeLimitSecondsOf(quiz),
        attemptsUsed: used,
      };
      return isStaff ? { ...view, questions: quiz.questions.map(questionWithAnswer) } : view;
    },

    /**
     * Starts an attempt, or gives back the one in progress (reloading the page must not
     * spend an attempt, nor draw new questions to pick from).
     */
    async startAttempt(actor: Actor, quizId: string): Promise<AttemptStart> {
      const quiz = await deps.courses.getQuiz(quizId);
      const userId = new Types.ObjectId(actor.id);
      // The latest attempt is read while the enrollment is checked; nothing is written
      // before both answer.
      const [, latest] = await Promise.all([ensureEnrolled(actor, quiz), latestAttemptOf(userId, quiz.id)]);
      const { open, used } = await attemptsSoFar(latest);
      if (open) return startOf(open, true);
      const allowed = quiz.settings.attemptsAllowed;
      if (allowed !== undefined && used >= allowed) throw new AppError('conflict', 'You have used every attempt at this quiz.', { reason: 'no_attempts_left', attemptsAllowed: allowed });
      const now = deps.clock.now();
      const limitSeconds = timeLimitSecondsOf(quiz);
      await ensureIndexes();
      try {
        const created = await Attempt.create({
          userId,
          quizId: quiz.id,
          courseSlug: quiz.courseSlug,
          moduleSlug: quiz.moduleSlug,
          number: used + 1,
          status: 'in_progress',
          startedAt: now,
          expiresAt: limitSeconds === null ? null : new Date(now.getTime() + limitSeconds * 1000),
          passingScore: quiz.settings.passingScore,
          questions: drawQuestions(quiz.questions, quiz.settings, random),
          answers: {},
        });
        return startOf(created.toObject() as unknown as StoredAttempt, false);
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        // Another start of the same person won the race: theirs is the attempt.
        const winner = await Attempt.findOne({ userId, quizId: quiz.id, status: 'in_progress' }).lean<StoredAttempt>();
        if (winner) return startOf(winner, true);
        throw new AppError('conflict', 'Another attempt was started at the same time.', { reason: 'concurrent_start' });
      }
    },

    /** Autosave: merges answers into an open attempt until its deadline (plus the grace). */
    async saveAnswers(actor: Actor, attemptId: string, answers: SavedAnswers): Promise<{ attemptId: string; savedAt: string }> {
      const attempt = await ownAttempt(actor, attemptId);
      if (attempt.status !== 'in_progress') throw alreadyClosed(attempt);
      if (isPastDeadline(attempt)) {
        const { closed } = await close(attempt, attempt.answers ?? {}, 'timed_out');
        throw alreadyClosed(closed);
      }
      checkAnswers(attempt, answers);
      const set: Record<string, GivenAnswer> = {};
      const unset: Record<string, ''> = {};
      // Question ids are slugs or q-<hex> (gift.ts) and were checked above: safe as paths.
      for (const [questionId, answer] of Object.entries(answers)) {
        if (answer === null) unset[`answers.${questionId}`] = '';
        else set[`answers.${questionId}`] = answer;
      }
      const update = { ...(Object.keys(set).length > 0 ? { $set: set } : {}), ...(Object.keys(unset).length > 0 ? { $unset: unset } : {}) };
      if (Object.keys(update).length > 0) {
        const saved = await Attempt.updateOne({ _id: attempt._id, status: 'in_progress' }, update);
        if (saved.matchedCount === 0) throw alreadyClosed((await Attempt.findById(attempt._id).lean<StoredAttempt>())!);
      }
      return { attemptId: attempt._id.toHexString(), savedAt: deps.clock.now().toISOString() };
    },

    /**
     * Grades on the server. Late (past the deadline and the grace): graded on what was
     * saved, and answered `gone` with that result. Again: `conflict` with the first result.
     */
    async submitAttempt(actor: Actor, attemptId: string, answers: SavedAnswers): Promise<AttemptResult> {
      const attempt = await ownAttempt(actor, attemptId);
      if (attempt.status !== 'in_progress') throw alreadyClosed(attempt);
      const isLate = isPastDeadline(attempt);
      if (!isLate) checkAnswers(attempt, answers);
      const saved = attempt.answers ?? {};
      const { closed, isFirst } = await close(attempt, isLate ? mergedAnswers(saved, {}) : mergedAnswers(saved, answers), isLate ? 'timed_out' : 'submitted');
      if (!isFirst || isLate) throw alreadyClosed(closed);
      return resultOf(closed)!;
    },

    /** The caller's own attempts, oldest first (`?quizId=` narrows to one quiz). */
    async myAttempts(actor: Actor, query: { quizId?: string | undefined; limit: number; cursor?: string | undefined }): Promise<{ items: AttemptSummary[]; nextCursor: string | null }> {
      await closeExpired(actor.id, query.quizId);
      const filter: Record<string, unknown> = { userId: new Types.ObjectId(actor.id), ...(query.quizId ? { quizId: query.quizId } : {}) };
      if (query.cursor) {
        if (!Types.ObjectId.isValid(query.cursor)) throw new AppError('validation_failed', 'Invalid cursor.', { fields: { cursor: 'validation.invalid' } });
        filter._id = { $gt: new Types.ObjectId(query.cursor) };
      }
      const attempts = await Attempt.find(filter, { questions: 0, answers: 0 }).sort({ _id: 1 }).limit(query.limit + 1).lean<StoredAttempt[]>();
      const page = attempts.slice(0, query.limit);
      return { items: page.map(summaryOf), nextCursor: attempts.length > query.limit ? page.at(-1)!._id.toHexString() : null };
    },

    /**
     * One's own attempt as the quiz page shows it: in progress, the questions (no answer
     * data) and the answers saved; closed, the result and, when the quiz's `review`
     * setting is `show_correct_answers`, each question with the answer given, the right
     * one and the feedback. An open attempt past its deadline is closed first, so
     * answers never go out for an attempt that is still open.
     */
    async reviewOf(actor: Actor, attemptId: string): Promise<AttemptReview> {
      let attempt = await ownAttempt(actor, attemptId);
      if (attempt.status === 'in_progress' && isPastDeadline(attempt)) attempt = (await close(attempt, attempt.answers ?? {}, 'timed_out')).closed;
      const facts = { quizId: attempt.quizId, courseSlug: attempt.courseSlug, moduleSlug: attempt.moduleSlug, number: attempt.number };
      if (attempt.status === 'in_progress') return { status: 'in_progress', ...facts, attempt: startOf(attempt, true) };
      const result = resultOf(attempt)!;
      // A quiz gone from the course since (archived) shows the score only: its setting is unknown.
      const review = await deps.courses.getQuiz(attempt.quizId).then(
        (quiz) => quiz.settings.review,
        () => 'show_score_only' as const,
      );
      if (review !== 'show_correct_answers') return { status: attempt.status, ...facts, result, review };
      const answers = attempt.answers ?? {};
      const questions = attempt.questions.map((asked): ReviewedQuestion => {
        const given = answers[asked.question.id] ?? null;
        return {
          ...askedQuestionView(asked),
          given,
          correct: correctAnswerOf(asked.question),
          fraction: attempt.result?.fractions[asked.question.id] ?? gradeQuestion(asked.question, given),
          feedback: feedbackFor(asked, given),
        };
      });
      return { status: attempt.status, ...facts, result, review, questions };
    },

    /** At start-up: passes a crash kept from reaching enrollments are recorded again (idempotent). */
    async recordPendingPasses(): Promise<number> {
      const pending = await Attempt.find({ 'result.passed': true, passRecordedAt: null }).lean<StoredAttempt[]>();
      for (const attempt of pending) await recordPass(attempt);
      return pending.length;
    },
  };
}

export type QuizzesService = ReturnType<typeof createQuizzesService>;
