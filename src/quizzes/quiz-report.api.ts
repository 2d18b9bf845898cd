import { Router, type Request } from 'express';
import { AppError } from '../shared/errors.js';
import { authorize } from '../web/guards.js';
import { sendQuizReportCsv } from './quiz-report.csv.js';
import type { QuizReportService } from './quiz-report.service.js';

/** The facilitator's report of a quiz, as JSON and as a spreadsheet-friendly CSV. */

function actorOf(request: Request): Express.User {
  if (!request.user) throw new AppError('unauthenticated', 'Authentication is required.');
  return request.user;
}

export function quizReportApiRouter(reports: QuizReportService): Router {
  const router = Router();

  router.get('/quizzes/:id/report', authorize('quizzes:report'), async (request, response) => {
    response.json(await reports.reportOf(actorOf(request), String(request.params.id)));
  });

  router.get('/quizzes/:id/report.csv', authorize('quizzes:report'), async (request, response) => {
    const report = await reports.reportOf(actorOf(request), String(request.params.id));
    sendQuizReportCsv(response, report);
  });

  return router;
}
