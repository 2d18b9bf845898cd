import { stringify } from 'csv-stringify/sync';
import type { Response } from 'express';
import type { EnrollmentView } from './enrollments.service.js';

/**
 * The people of a course as a spreadsheet, the same file from the API
 * (`/api/v1/courses/:slug/enrollments.csv`) and from the facilitator's page
 * (`/courses/:slug/people.csv`): one place for the columns.
 */

const HEADER = ['nombre', 'correo', 'cohorte', 'estado', 'progreso', 'inscripcion', 'finalizacion', 'ultima_leccion'];

type CourseEnrollment = EnrollmentView & { name: string; email: string | null };

export function enrollmentsCsv(items: readonly CourseEnrollment[]): string {
  const rows = items.map((item) => [item.name, item.email ?? '', item.cohortId ?? '', item.status, item.progress, item.enrolledAt, item.completedAt ?? '', item.lastLessonSlug ?? '']);
  // A BOM so that spreadsheet programs read the accents right.
  return `\uFEFF${stringify([HEADER, ...rows])}`;
}

export function sendEnrollmentsCsv(response: Response, courseSlug: string, items: readonly CourseEnrollment[]): void {
  response.set('Content-Type', 'text/csv; charset=utf-8');
  response.set('Content-Disposition', `attachment; filename="inscritos-${courseSlug}.csv"`);
  response.send(enrollmentsCsv(items));
}
