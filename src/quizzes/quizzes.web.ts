import express, { Router, type Request, type Response } from 'express';
import type { TFunction } from 'i18next';
import { coursePath, quizPath, type CoursesService, type CourseView } from '../courses/index.js';
import { AppError, isAppError } from '../shared/errors.js';
import { formatDateTime } from '../web/dates.js';
import { flash } from '../web/flash.js';
import { authorize, signedInUser } from '../web/guards.js';
import { languageOf } from '../web/i18n.js';
import { parseInput } from '../web/validate.js';
import type { GivenAnswer } from './answer-check.js';
import type { AttemptStart } from './attempt-views.js';
import type { AskedQuestionView, CorrectAnswer } from './question-views.js';
import { answersFromForm, fieldNameOf, fieldValuesOf } from './quiz-form.js';
import { saveAnswersSchema } from './quizzes.schemas.js';
import type { AttemptReview, QuizzesService, ReviewedQuestion } from './quizzes.service.js';

/**
 * The learner's quiz pages: the quiz intro (settings, past attempts, start or continue),
 * the attempt (every question on one page, plain HTML forms: works without JavaScript;
 * public/js/quiz.js adds the countdown and autosave), and the result with the review
 * the quiz's setting allows. The service decides everything; refusals become a message.
 */

export interface QuizPagesDependencies {
  quizzes: QuizzesService;
  courses: CoursesService;
}

const attemptPath = (courseSlug: string, moduleSlug: string, attemptId: string): string => `${quizPath(courseSlug, moduleSlug)}/attempts/${encodeURIComponent(attemptId)}`;

function reasonOf(error: unknown): string | undefined {
  const reason = isAppError(error) ? error.details?.reason : undefined;
  return typeof reason === 'string' ? reason : undefined;
}

const isNotEnrolled = (error: unknown): boolean => isAppError(error) && error.code === 'forbidden' && reasonOf(error) === 'not_enrolled';

/** The course and the module whose quiz the URL names; 404 when either, or the quiz, is missing. */
export async function quizOfRequest(courses: CoursesService, request: Request): Promise<{ course: CourseView; moduleIndex: number; quizId: string; moduleSlug: string }> {
  const course = await courses.getCourse(String(request.params.slug));
  const moduleIndex = course.modules.findIndex((module) => module.slug === String(request.params.moduleSlug));
  const quiz = course.modules[moduleIndex]?.quiz;
  if (!quiz) throw new AppError('not_found', 'No such quiz.');
  return { course, moduleIndex, quizId: quiz.id, moduleSlug: course.modules[moduleIndex]!.slug };
}

export function formatNumber(value: number, language: string): string {
  return new Intl.NumberFormat(language === 'en' ? 'en-US' : 'es-CO', { maximumFractionDigits: 2 }).format(value);
}

/** The shared header of the three pages: breadcrumb facts. */
function frameOf(t: TFunction, course: CourseView, moduleIndex: number) {
  const module = course.modules[moduleIndex]!;
  return {
    course: { title: course.title, href: coursePath(course.slug) },
    module: { heading: t('courses:course.moduleHeading', { number: moduleIndex + 1, title: module.title }), href: `${coursePath(course.slug)}#module-${module.slug}` },
    quizHref: quizPath(course.slug, module.slug),
  };
}

interface ChoiceItem {
  id: string;
  value: string;
  label: string;
  checked: boolean;
}

/** A question as the attempt form shows it: ids for labels, the saved answer filled in. */
export function questionForm(t: TFunction, question: AskedQuestionView, index: number, total: number, saved: GivenAnswer | null | undefined) {
  const name = fieldNameOf(question.id);
  const values = fieldValuesOf(question, saved);
  const chosen = new Set(values[name] ?? []);
  const domId = `q${index + 1}`;
  const choice = (value: string, label: string, position: number): ChoiceItem => ({ id: `${domId}-${position + 1}`, value, label, checked: chosen.has(value) });
  const base = { id: domId, type: question.type, number: t('quizzes:attempt.questionNumber', { number: index + 1, count: total }), prompt: question.prompt, name };
  switch (question.type) {
    case 'single':
    case 'multiple':
      return { ...base, hint: t(`quizzes:attempt.hint.${question.type}`), choices: (question.options ?? []).map((option, position) => choice(option.id, option.text, position)) };
    case 'true_false':
      return { ...base, choices: [choice('true', t('quizzes:true'), 0), choice('false', t('quizzes:false'), 1)] };
    case 'short_answer':
    case 'numeric':
      return { ...base, hint: question.type === 'numeric' ? t('quizzes:attempt.hint.numeric') : undefined, value: values[name]?.[0] ?? '' };
    case 'matching':
      return {
        ...base,
        hint: t('quizzes:attempt.hint.matching'),
        rows: (question.left ?? []).map((left, position) => {
          const rowName = fieldNameOf(question.id, left.id);
          const selected = values[rowName]?.[0];
          return {
            id: `${domId}-${position + 1}`,
            name: rowName,
            label: left.text,
            options: [{ value: '', label: t('quizzes:attempt.choose'), selected: selected === undefined }, ...(question.right ?? []).map((right) => ({ value: right.id, label: right.text, selected: selected === right.id }))],
          };
        }),
      };
  }
}

/** An answer (given or right) in words. */
export function answerText(t: TFunction, language: string, question: AskedQuestionView, answer: GivenAnswer | CorrectAnswer | null): string {
  if (answer === null || answer === undefined) return t('quizzes:result.noAnswer');
  const optionText = (id: string): string => question.options?.find((option) => option.id === id)?.text ?? id;
  switch (question.type) {
    case 'single':
      return typeof answer === 'string' ? optionText(answer) : '';
    case 'multiple':
      return Array.isArray(answer) ? (answer.length > 0 ? answer.map(optionText).join('; ') : t('quizzes:result.noAnswer')) : '';
    case 'true_false':
      return t(answer === true ? 'quizzes:true' : 'quizzes:false');
    case 'short_answer':
      return Array.isArray(answer) ? answer.join(t('quizzes:result.or')) : String(answer);
    case 'numeric':
      if (typeof answer === 'number') return formatNumber(answer, language);
      if (typeof answer === 'object' && 'value' in answer && typeof answer.value === 'number') {
        const { value, tolerance } = answer as { value: number; tolerance: number };
        return tolerance > 0 ? t('quizzes:result.tolerance', { value: formatNumber(value, language), tolerance: formatNumber(tolerance, language) }) : formatNumber(value, language);
      }
      return '';
    case 'matching': {
      const pairs = answer as Record<string, string>;
      const rightText = (id: string | undefined): string => (id === undefined ? t('quizzes:result.noAnswer') : (question.right?.find((right) => right.id === id)?.text ?? id));
      return (question.left ?? []).map((left) => `${left.text} → ${rightText(pairs[left.id])}`).join('; ');
    }
  }
}

function reviewItem(t: TFunction, language: string, question: ReviewedQuestion, index: number) {
  const outcome = question.fraction >= 1 - 1e-9 ? 'correct' : question.fraction > 0 ? 'partial' : 'incorrect';
  return {
    number: t('quizzes:attempt.questionNumber', { number: index + 1, count: 0 }),
    prompt: question.prompt,
    outcome,
    outcomeText: t(`quizzes:result.outcome.${outcome}`),
    given: answerText(t, language, question, question.given),
    correct: answerText(t, language, question, question.correct),
    feedback: question.feedback,
  };
}

export function quizPagesRouter({ quizzes, courses }: QuizPagesDependencies): Router {
  const router = Router();

  /** A refusal to someone not enrolled: back to the course page, with a word why. */
  const sendToCourse = (request: Request, response: Response, course: CourseView): void => {
    flash(request, 'info', 'quizzes:enrollFirst', { course: course.title });
    response.redirect(303, coursePath(course.slug));
  };

  router.get('/courses/:slug/quizzes/:moduleSlug', authorize('quizzes:read'), async (request, response) => {
    const t = request.t;
    const language = languageOf(request);
    const user = signedInUser(request);
    const { course, moduleIndex, quizId, moduleSlug } = await quizOfRequest(courses, request);
    let quiz: Awaited<ReturnType<QuizzesService['getQuiz']>>;
    try {
      quiz = await quizzes.getQuiz(user, quizId);
    } catch (error) {
      if (!isNotEnrolled(error)) throw error;
      sendToCourse(request, response, course);
      return;
    }
    const { items } = await quizzes.myAttempts(user, { quizId, limit: 100 });
    const scores = items.map((item) => item.score).filter((score): score is number => score !== null);
    const inProgress = items.find((item) => item.status === 'in_progress');
    const attemptsLeft = quiz.attemptsAllowed === null ? null : Math.max(0, quiz.attemptsAllowed - quiz.attemptsUsed);
    const percent = (value: number): string => t('quizzes:percent', { value: formatNumber(value, language) });
    response.render('quizzes/intro', {
      title: quiz.title,
      ...frameOf(t, course, moduleIndex),
      facts: [
        t('quizzes:intro.questions', { count: quiz.questionCount }),
        t('quizzes:intro.passingScore', { score: percent(quiz.passingScore) }),
        quiz.attemptsAllowed === null ? t('quizzes:intro.attemptsUnlimited', { used: quiz.attemptsUsed }) : t('quizzes:intro.attempts', { used: quiz.attemptsUsed, allowed: quiz.attemptsAllowed }),
        quiz.timeLimitSeconds === null ? t('quizzes:intro.noTimeLimit') : t('quizzes:intro.timeLimit', { count: Math.round(quiz.timeLimitSeconds / 60) }),
      ],
      bestScore: scores.length > 0 ? t('quizzes:intro.bestScore', { score: percent(Math.max(...scores)) }) : undefined,
      hasPassed: items.some((item) => item.passed === true),
      attempts: items.map((item, index) => ({
        number: index + 1,
        href: attemptPath(course.slug, moduleSlug, item.attemptId),
        when: formatDateTime(item.submittedAt ?? item.startedAt, language),
        status: item.status,
        statusText: t(`quizzes:status.${item.status}`),
        score: item.score === null ? '—' : percent(item.score),
        passedText: item.passed === null ? '' : t(item.passed ? 'quizzes:result.passedShort' : 'quizzes:result.failedShort'),
      })),
      start:
        inProgress || attemptsLeft === null || attemptsLeft > 0
          ? { action: `${quizPath(course.slug, moduleSlug)}/attempts`, label: t(inProgress ? 'quizzes:intro.continue' : items.length > 0 ? 'quizzes:result.tryAgain' : 'quizzes:intro.start') }
          : undefined,
      isTimed: quiz.timeLimitSeconds !== null,
    });
  });

  router.post('/courses/:slug/quizzes/:moduleSlug/attempts', authorize('quizzes:attempt'), async (request, response) => {
    const { course, quizId, moduleSlug } = await quizOfRequest(courses, request);
    let started: AttemptStart;
    try {
      started = await quizzes.startAttempt(signedInUser(request), quizId);
    } catch (error) {
      if (isNotEnrolled(error)) return sendToCourse(request, response, course);
      if (reasonOf(error) !== 'no_attempts_left') throw error;
      flash(request, 'error', 'quizzes:noAttemptsLeft');
      response.redirect(303, quizPath(course.slug, moduleSlug));
      return;
    }
    response.redirect(303, attemptPath(course.slug, moduleSlug, started.attemptId));
  });

  /** The attempt of the URL, if it is this quiz's and the caller's (else 404, like a missing one). */
  const attemptOfRequest = async (request: Request) => {
    const found = await quizOfRequest(courses, request);
    const review = await quizzes.reviewOf(signedInUser(request), String(request.params.attemptId));
    if (review.quizId !== found.quizId) throw new AppError('not_found', 'No such attempt.');
    return { ...found, review };
  };

  router.get('/courses/:slug/quizzes/:moduleSlug/attempts/:attemptId', authorize('quizzes:attempt'), async (request, response) => {
    const t = request.t;
    const language = languageOf(request);
    const user = signedInUser(request);
    const { course, moduleIndex, quizId, moduleSlug, review } = await attemptOfRequest(request);
    const frame = frameOf(t, course, moduleIndex);
    const quizTitle = course.modules[moduleIndex]!.quiz!.title;
    const path = attemptPath(course.slug, moduleSlug, String(request.params.attemptId));
    // No caching of attempt pages: the back button must not show stale answers or a result.
    response.setHeader('Cache-Control', 'no-store');
    if (review.status === 'in_progress') {
      const { attempt } = review;
      const total = attempt.questions.length;
      response.render('quizzes/attempt', {
        title: t('quizzes:attempt.title', { quiz: quizTitle, number: review.number }),
        quizTitle,
        ...frame,
        submitAction: `${path}/submit`,
        saveAction: `${path}/answers`,
        autosaveAction: `${path}/autosave`,
        deadline: attempt.expiresAt ? { iso: attempt.expiresAt, text: t('quizzes:attempt.deadline', { time: formatDateTime(attempt.expiresAt, language) }) } : undefined,
        questions: attempt.questions.map((question, index) => questionForm(t, question, index, total, attempt.answers[question.id])),
        scripts: ['/js/quiz.js'],
      });
      return;
    }
    const quiz = await quizzes.getQuiz(user, quizId).catch(() => undefined);
    const canRetry = quiz !== undefined && (quiz.attemptsAllowed === null || quiz.attemptsUsed < quiz.attemptsAllowed);
    const { result } = review;
    const percent = (value: number): string => t('quizzes:percent', { value: formatNumber(value, language) });
    response.render('quizzes/result', {
      title: t('quizzes:result.title', { quiz: quizTitle, number: review.number }),
      quizTitle,
      ...frame,
      score: t('quizzes:result.score', { score: percent(result.score) }),
      passed: result.passed,
      passedText: result.passed ? t('quizzes:result.passed') : t('quizzes:result.failed', { score: quiz ? percent(quiz.passingScore) : '' }),
      correctCount: t('quizzes:result.correctCount', { count: result.correctCount, total: result.questionCount }),
      isTimedOut: review.status === 'timed_out',
      submittedAt: t('quizzes:result.submittedAt', { date: formatDateTime(result.submittedAt, language) }),
      review: review.questions?.map((question, index) => reviewItem(t, language, question, index)),
      retryAction: canRetry ? `${quizPath(course.slug, moduleSlug)}/attempts` : undefined,
      attemptsLeftText: quiz && quiz.attemptsAllowed !== null ? t('quizzes:result.attemptsLeft', { count: Math.max(0, quiz.attemptsAllowed - quiz.attemptsUsed) }) : undefined,
    });
  });

  /** Save or submit through the form; a closed attempt (submitted, or its time over) shows its result. */
  const answerRoute = (kind: 'save' | 'submit') => async (request: Request, response: Response) => {
    const user = signedInUser(request);
    const { course, moduleSlug, review } = await attemptOfRequest(request);
    const attemptId = String(request.params.attemptId);
    const path = attemptPath(course.slug, moduleSlug, attemptId);
    if (review.status !== 'in_progress') {
      flash(request, 'info', review.status === 'timed_out' ? 'quizzes:timeIsUp' : 'quizzes:alreadySubmitted');
      response.redirect(303, path);
      return;
    }
    const { answers, invalidNumbers } = answersFromForm(review.attempt.questions, request.body);
    const numbers = review.attempt.questions.flatMap((question, index) => (invalidNumbers.includes(question.id) ? [index + 1] : []));
    try {
      if (kind === 'submit' && numbers.length === 0) {
        await quizzes.submitAttempt(user, attemptId, answers);
        response.redirect(303, path);
        return;
      }
      await quizzes.saveAnswers(user, attemptId, answers);
    } catch (error) {
      const reason = reasonOf(error);
      if (reason !== 'time_limit' && reason !== 'already_submitted') throw error;
      flash(request, 'info', reason === 'time_limit' ? 'quizzes:timeIsUp' : 'quizzes:alreadySubmitted');
      response.redirect(303, path);
      return;
    }
    // A number that does not read as one is not sent: the learner is told which, and nothing is submitted.
    if (numbers.length > 0) flash(request, 'error', 'quizzes:attempt.invalidNumbers', { questions: numbers.join(', ') });
    else flash(request, 'success', 'quizzes:attempt.saved');
    response.redirect(303, path);
  };
  router.post('/courses/:slug/quizzes/:moduleSlug/attempts/:attemptId/answers', authorize('quizzes:attempt'), answerRoute('save'));
  router.post('/courses/:slug/quizzes/:moduleSlug/attempts/:attemptId/submit', authorize('quizzes:attempt'), answerRoute('submit'));

  /**
   * The page script's autosave: the form's fields (urlencoded) or `{ answers }` in the
   * API's shapes (JSON), the CSRF token in `X-CSRF-Token`. 204 when saved; a closed
   * attempt answers 409 or 410 (the script then reloads the page, which shows the result).
   */
  router.post('/courses/:slug/quizzes/:moduleSlug/attempts/:attemptId/autosave', authorize('quizzes:attempt'), express.json({ limit: '256kb' }), async (request, response) => {
    const user = signedInUser(request);
    const { review } = await attemptOfRequest(request);
    if (review.status !== 'in_progress') throw new AppError(review.status === 'timed_out' ? 'gone' : 'conflict', 'This attempt is closed.', { reason: review.status === 'timed_out' ? 'time_limit' : 'already_submitted' });
    const answers = request.is('application/json') ? parseInput(saveAnswersSchema, request.body, request.t).answers : answersFromForm(review.attempt.questions, request.body).answers;
    await quizzes.saveAnswers(user, String(request.params.attemptId), answers);
    response.status(204).end();
  });

  return router;
}
