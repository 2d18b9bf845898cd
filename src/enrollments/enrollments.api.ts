import { Router, type Request } from 'express';
import type { CoursesService } from '../courses/index.js';
import { AppError } from '../shared/errors.js';
import { authorize } from '../web/guards.js';
import { parseInput } from '../web/validate.js';
import { sendEnrollmentsCsv } from './enrollments.csv.js';
import { bulkEnrollSchema, cohortSchema, courseEnrollmentsQuerySchema, enrollSchema } from './enrollments.schemas.js';
import type { EnrollmentsService, EnrollmentView } from './enrollments.service.js';

/** API.md, "Courses and cohorts" and "Enrollment and progress". */

function actorOf(request: Request): Express.User {
  if (!request.user) throw new AppError('unauthenticated', 'Authentication is required.');
  return request.user;
}

const slugOf = (request: Request): string => String(request.params.slug);

/** Facilitators act on the courses they are assigned to; managers on all. */
async function ensureFacilitates(courses: CoursesService, request: Request): Promise<void> {
  await courses.getCourse(slugOf(request)); // an unknown course is 404 for everyone
  if (!(await courses.isFacilitatorOf(actorOf(request), slugOf(request)))) {
    throw new AppError('forbidden', 'You do not facilitate this course.');
  }
}

function publicEnrollment(enrollment: EnrollmentView): Record<string, unknown> {
  return {
    id: enrollment.id,
    courseSlug: enrollment.courseSlug,
    cohortId: enrollment.cohortId,
    status: enrollment.status,
    progress: enrollment.progress,
    enrolledAt: enrollment.enrolledAt,
  };
}

export function enrollmentsApiRouter(enrollments: EnrollmentsService, courses: CoursesService): Router {
  const router = Router();

  router.post('/courses/:slug/cohorts', authorize('cohorts:create'), async (request, response) => {
    const input = parseInput(cohortSchema, request.body, request.t);
    response.status(201).json(await enrollments.createCohort(slugOf(request), input));
  });

  router.get('/courses/:slug/cohorts', async (request, response) => {
    response.json({ items: await enrollments.listCohorts(slugOf(request)) });
  });

  router.post('/courses/:slug/enrollments', authorize('enrollments:self'), async (request, response) => {
    const { cohortId } = parseInput(enrollSchema, request.body, request.t);
    response.status(201).json(publicEnrollment(await enrollments.enroll(actorOf(request), slugOf(request), cohortId)));
  });

  router.post('/courses/:slug/enrollments/bulk', authorize('enrollments:bulk'), async (request, response) => {
    const { userIds, cohortId } = parseInput(bulkEnrollSchema, request.body, request.t);
    response.json(await enrollments.enrollMany(slugOf(request), userIds, cohortId));
  });

  router.get('/me/enrollments', authorize('enrollments:self'), async (request, response) => {
    const items = await enrollments.myEnrollments(actorOf(request).id);
    response.json({
      items: items.map((item) => ({
        courseSlug: item.courseSlug,
        cohortId: item.cohortId,
        status: item.status,
        progress: item.progress,
        completedAt: item.completedAt,
        lastLessonSlug: item.lastLessonSlug,
        certificateCode: item.certificateCode,
      })),
    });
  });

  router.get('/courses/:slug/lessons/:lessonSlug', authorize('lessons:read'), async (request, response) => {
    const lesson = await enrollments.readLesson(actorOf(request), slugOf(request), String(request.params.lessonSlug));
    response.json({ slug: lesson.slug, title: lesson.title, moduleSlug: lesson.moduleSlug, html: lesson.html, minutes: lesson.minutes, completed: lesson.completed });
  });

  router.post('/courses/:slug/lessons/:lessonSlug/complete', authorize('lessons:read'), async (request, response) => {
    response.json(await enrollments.completeLesson(actorOf(request), slugOf(request), String(request.params.lessonSlug)));
  });

  router.get('/courses/:slug/enrollments', authorize('enrollments:follow'), async (request, response) => {
    await ensureFacilitates(courses, request);
    const { cohort } = parseInput(courseEnrollmentsQuerySchema, request.query, request.t);
    response.json({ items: await enrollments.courseEnrollments(slugOf(request), cohort) });
  });

  router.get('/courses/:slug/enrollments.csv', authorize('enrollments:follow'), async (request, response) => {
    await ensureFacilitates(courses, request);
    const { cohort } = parseInput(courseEnrollmentsQuerySchema, request.query, request.t);
    sendEnrollmentsCsv(response, slugOf(request), await enrollments.courseEnrollments(slugOf(request), cohort));
  });

  return router;
}
