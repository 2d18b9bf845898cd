import { stringify } from 'csv-stringify/sync';
import type { Response } from 'express';
import type { CourseEnrollmentView } from './enrollments.service.js';

/**
 * The people of a course as a spreadsheet, the same file from the API
 * (`/api/v1/courses/:slug/enrollments.csv`) and from the facilitator's page
 * (`/courses/:slug/people.csv`): one place for the columns. New columns go at the end,
 * so that spreadsheets built on the earlier file keep reading the right ones.
 */

const HEADER = ['nombre', 'correo', 'cohorte', 'estado', 'progreso', 'inscripcion', 'finalizacion', 'ultima_leccion', 'sesiones_asistidas'];

export function enrollmentsCsv(items: readonly CourseEnrollmentView[]): string {
  const rows = items.map((item) => [item.name, item.email ?? '', item.cohortId ?? '', item.status, item.progress, item.enrolledAt, item.completedAt ?? '', item.lastLessonSlug ?? '', item.attendedSessions]);
  // A BOM so that spreadsheet programs read the accents right.
  return `\uFEFF${stringify([HEADER, ...rows])}`;
}

export function sendEnrollmentsCsv(response: Response, courseSlug: string, items: readonly CourseEnrollmentView[]): void {
  response.set('Content-Type', 'text/csv; charset=utf-8');
  response.set('Content-Disposition', `attachment; filename="inscritos-${courseSlug}.csv"`);
  response.send(enrollmentsCsv(items));
}
