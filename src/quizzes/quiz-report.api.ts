import { stringify } from 'csv-stringify/sync';
import { Router, type Request } from 'express';
import { AppError } from '../shared/errors.js';
import { authorize } from '../web/guards.js';
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
    const header = ['nombre', 'correo', 'intentos', 'mejor_puntaje', 'aprobo', 'ultimo_envio'];
    const rows = report.people.map((person) => [person.name, person.email ?? '', person.attempts, person.bestScore, person.passed ? 'sí' : 'no', person.lastSubmittedAt ?? '']);
    response.set('Content-Type', 'text/csv; charset=utf-8');
    response.set('Content-Disposition', `attachment; filename="evaluacion-${report.quizId}.csv"`);
    // A BOM so that spreadsheet programs read the accents right.
    response.send(`\uFEFF${stringify([header, ...rows])}`);
  });

  return router;
}
