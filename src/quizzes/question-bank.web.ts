import { Router, type Request, type Response } from 'express';
import type { TFunction } from 'i18next';
import { coursePath, type CoursesService, type CourseView } from '../courses/index.js';
import { flash } from '../web/flash.js';
import { errorSummary, fieldBuilder, type FormState } from '../web/form-fields.js';
import { formText } from '../web/form-input.js';
import { authorize, signedInUser } from '../web/guards.js';
import { languageOf } from '../web/i18n.js';
import type { BankQuestion, QuestionBankService } from './question-bank.service.js';
import { answerText, questionForm } from './quizzes.web.js';

/**
 * A course's question bank as pages, for the course's facilitators and managers (the
 * service refuses anyone else, 403): the list with each question's answer and a preview
 * as a learner sees it; the GIFT import (pasted into a text box, or copied there from a
 * file by public/js/file-to-textarea.js; all or nothing, errors listed by line); the
 * export (the API's file); and editing one question as GIFT.
 */

export interface QuestionBankPagesDependencies {
  bank: QuestionBankService;
  courses: CoursesService;
}

const bankPath = (courseSlug: string): string => `${coursePath(courseSlug)}/question-bank`;
const editPath = (courseSlug: string, questionId: string): string => `${bankPath(courseSlug)}/${encodeURIComponent(questionId)}/edit`;
/** An HTML id from a question id (which may hold any character its ::title:: has). */
const anchorOf = (index: number): string => `pregunta-${index + 1}`;

type LineError = { line: number; message: string };

function breadcrumbOf(course: CourseView) {
  return { title: course.title, href: coursePath(course.slug) };
}

function questionItem(t: TFunction, language: string, course: CourseView, question: BankQuestion, index: number, total: number) {
  return {
    anchor: anchorOf(index),
    typeText: t(`quizzes:types.${question.type}`),
    title: question.title ?? t('quizzes:bank.noTitle'),
    prompt: question.prompt,
    answer: answerText(t, language, question, question.answer),
    editHref: editPath(course.slug, question.id),
    // The learner's form, every input disabled (the view), nothing chosen: no answer in it.
    preview: { ...questionForm(t, question, index, total, undefined), id: `preview-${index + 1}` },
  };
}

export function questionBankPagesRouter({ bank, courses }: QuestionBankPagesDependencies): Router {
  const router = Router();

  const courseOf = (request: Request): Promise<CourseView> => courses.getCourse(String(request.params.slug));

  async function renderBank(request: Request, response: Response, course: CourseView, state: FormState, importErrors: LineError[] = [], status = 200): Promise<void> {
    const t = request.t;
    const language = languageOf(request);
    const questions = await bank.listForEditing(signedInUser(request), course.slug);
    const giftField = fieldBuilder(state).textarea('gift', { label: t('quizzes:bank.giftLabel'), hint: t('quizzes:bank.giftHint'), rows: 12 });
    response.status(status).render('quizzes/bank', {
      title: t('quizzes:bank.title', { course: course.title }),
      course: breadcrumbOf(course),
      count: t('quizzes:bank.count', { count: questions.length }),
      downloadHref: `${bankPath(course.slug)}.gift`,
      action: bankPath(course.slug),
      questions: questions.map((question, index) => questionItem(t, language, course, question, index, questions.length)),
      giftField,
      summary: errorSummary(state.errors, [giftField]),
      importErrors,
      scripts: ['/js/file-to-textarea.js'],
    });
  }

  router.get('/courses/:slug/question-bank', authorize('question-bank:manage'), async (request, response) => {
    await renderBank(request, response, await courseOf(request), { values: {}, errors: {} });
  });

  router.post('/courses/:slug/question-bank', authorize('question-bank:manage'), async (request, response) => {
    const course = await courseOf(request);
    const gift = formText(request.body, 'gift');
    if (gift.trim() === '') {
      // Checked by the service too; asked first so that a stranger gets 403 rather than a form message.
      await bank.listQuestions(signedInUser(request), course.slug);
      await renderBank(request, response, course, { values: {}, errors: { gift: request.t('quizzes:bank.giftRequired') } }, [], 422);
      return;
    }
    const report = await bank.importGift(signedInUser(request), course.slug, gift);
    if (report.errors.length > 0) {
      await renderBank(request, response, course, { values: { gift }, errors: {} }, report.errors, 422);
      return;
    }
    flash(request, 'success', 'quizzes:bank.imported', { count: report.imported });
    response.redirect(303, bankPath(course.slug));
  });

  router.get('/courses/:slug/question-bank.gift', authorize('question-bank:manage'), async (request, response) => {
    const course = await courseOf(request);
    const gift = await bank.exportGift(signedInUser(request), course.slug);
    // attachment() would set the type from the .gift extension; text/plain comes after it.
    response.attachment(`${course.slug}.gift`).type('text/plain; charset=utf-8').send(gift);
  });

  function renderEdit(request: Request, response: Response, course: CourseView, question: BankQuestion, gift: string, errors: LineError[] = [], status = 200): void {
    const t = request.t;
    const title = question.title ?? question.prompt;
    const giftField = fieldBuilder({ values: { gift }, errors: {} }).textarea('gift', { label: t('quizzes:bank.editGiftLabel'), rows: 10 });
    response.status(status).render('quizzes/bank-edit', {
      title: t('quizzes:bank.editTitle', { title }),
      course: breadcrumbOf(course),
      bankHref: bankPath(course.slug),
      action: editPath(course.slug, question.id),
      giftField,
      errors,
    });
  }

  router.get('/courses/:slug/question-bank/:questionId/edit', authorize('question-bank:manage'), async (request, response) => {
    const course = await courseOf(request);
    const question = await bank.getQuestion(signedInUser(request), course.slug, String(request.params.questionId));
    renderEdit(request, response, course, question, question.gift);
  });

  router.post('/courses/:slug/question-bank/:questionId/edit', authorize('question-bank:manage'), async (request, response) => {
    const course = await courseOf(request);
    const user = signedInUser(request);
    const questionId = String(request.params.questionId);
    const gift = formText(request.body, 'gift');
    const result = await bank.replaceQuestion(user, course.slug, questionId, gift);
    if (!result.question) {
      renderEdit(request, response, course, await bank.getQuestion(user, course.slug, questionId), gift, result.errors, 422);
      return;
    }
    flash(request, 'success', 'quizzes:bank.saved', { title: result.question.title ?? result.question.prompt });
    response.redirect(303, bankPath(course.slug));
  });

  return router;
}

