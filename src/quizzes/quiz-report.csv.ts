import { stringify } from 'csv-stringify/sync';
import type { Response } from 'express';
import type { QuizReport } from './quiz-report.service.js';

/** The report's people as a CSV file, the same for the API and the web page (a BOM, so that spreadsheets read the accents right). */
export function sendQuizReportCsv(response: Response, report: QuizReport): void {
  const header = ['nombre', 'correo', 'intentos', 'mejor_puntaje', 'aprobo', 'ultimo_envio'];
  const rows = report.people.map((person) => [person.name, person.email ?? '', person.attempts, person.bestScore, person.passed ? 'sí' : 'no', person.lastSubmittedAt ?? '']);
  response.set('Content-Type', 'text/csv; charset=utf-8');
  response.set('Content-Disposition', `attachment; filename="evaluacion-${report.quizId}.csv"`);
  response.send(`\uFEFF${stringify([header, ...rows])}`);
}
