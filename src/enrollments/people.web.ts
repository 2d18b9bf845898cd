import { Router, type Request } from 'express';
import { coursePath, type CoursesService, type CourseView } from '../courses/index.js';
import { AppError } from '../shared/errors.js';
import { formatDate } from '../web/dates.js';
import { emptyForm, fieldBuilder } from '../web/form-fields.js';
import { readForm } from '../web/form-input.js';
import { authorize, signedInUser } from '../web/guards.js';
import { languageOf } from '../web/i18n.js';
import { parseInput } from '../web/validate.js';
import { sendEnrollmentsCsv } from './enrollments.csv.js';
import { courseEnrollmentsQuerySchema } from './enrollments.schemas.js';
import type { EnrollmentsService } from './enrollments.service.js';

/**
 * Who is enrolled in a course and how far they are, for its facilitators and for
 * managers (GET /courses/:slug/people), and the same list as a CSV file — the API's
 * file, for a person signed in on the web rather than holding a token.
 */

export interface PeoplePagesDependencies {
  enrollments: EnrollmentsService;
  courses: CoursesService;
}

export function peoplePagesRouter({ enrollments, courses }: PeoplePagesDependencies): Router {
  const router = Router();

  /** Facilitators follow the courses they are assigned to; managers every course. An unknown course is 404 for all. */
  async function followedCourse(request: Request): Promise<CourseView> {
    const course = await courses.getCourse(String(request.params.slug));
    if (!(await courses.isFacilitatorOf(signedInUser(request), course.slug))) throw new AppError('forbidden', 'You do not facilitate this course.');
    return course;
  }

  const cohortFilterOf = (request: Request): string | undefined => parseInput(courseEnrollmentsQuerySchema, readForm(request.query, ['cohort']), request.t).cohort;

  router.get('/courses/:slug/people', authorize('enrollments:follow'), async (request, response) => {
    const t = request.t;
    const language = languageOf(request);
    const course = await followedCourse(request);
    const cohort = cohortFilterOf(request);
    const [cohorts, people] = await Promise.all([enrollments.listCohorts(course.slug), enrollments.courseEnrollments(course.slug, cohort)]);
    const cohortNames = new Map(cohorts.map((item) => [item.id, item.name]));
    const path = `${coursePath(course.slug)}/people`;
    response.render('enrollments/people', {
      title: t('enrollments:people.title', { course: course.title }),
      course: { title: course.title, href: coursePath(course.slug) },
      action: path,
      cohortField:
        cohorts.length > 0
          ? fieldBuilder(emptyForm({ cohort })).select('cohort', {
              label: t('enrollments:people.cohortLabel'),
              choices: cohorts.map((item) => ({ value: item.id, label: item.name })),
              placeholder: t('enrollments:people.allCohorts'),
            })
          : undefined,
      isFiltered: Boolean(cohort),
      csvHref: `${path}.csv${cohort ? `?${new URLSearchParams({ cohort }).toString()}` : ''}`,
      count: t('enrollments:people.count', { count: people.length }),
      people: people.map((person) => ({
        name: person.name || t('enrollments:people.noName'),
        email: person.email ?? '',
        cohort: person.cohortId ? (cohortNames.get(person.cohortId) ?? '') : t('enrollments:people.noCohort'),
        progress: t('courses:progress.value', { progress: person.progress }),
        attendedSessions: person.attendedSessions,
        status: person.status,
        statusText: t(`courses:enrollmentStatus.${person.status}`),
        enrolledOn: formatDate(person.enrolledAt, language),
      })),
    });
  });

  router.get('/courses/:slug/people.csv', authorize('enrollments:follow'), async (request, response) => {
    const course = await followedCourse(request);
    sendEnrollmentsCsv(response, course.slug, await enrollments.courseEnrollments(course.slug, cohortFilterOf(request)));
  });

  return router;
}
