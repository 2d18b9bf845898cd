import { Router, type Request } from 'express';
import type { TFunction } from 'i18next';
import { coursePath, lessonPath, quizPath, neighboursOf, progressView, resumeLinkOf, type CoursesService, type CourseView } from '../courses/index.js';
import type { Actor } from '../shared/authorization.js';
import { AppError, isAppError } from '../shared/errors.js';
import { formatDate, formatDateTime } from '../web/dates.js';
import { flash } from '../web/flash.js';
import { readForm } from '../web/form-input.js';
import { authorize, signedInUser } from '../web/guards.js';
import { languageOf } from '../web/i18n.js';
import { parseInput } from '../web/validate.js';
import { enrollSchema } from './enrollments.schemas.js';
import type { EnrollmentsService, LessonReading } from './enrollments.service.js';

/**
 * The learner's pages: enrolling from the course page, the lesson reader with "mark as
 * done", and "My courses". The service decides who may read what; these routes turn
 * its refusals into a message on the course page rather than an error page.
 */

/**
 * The upcoming live sessions a person may see, as links. The live-sessions module
 * provides it (app.ts); declared here by shape, because live sessions depend on
 * enrollments and not the other way round (ARCHITECTURE.md, rule 3).
 */
export interface LiveSessionLinks {
  upcomingFor(
    actor: Actor,
    options: { limit: number },
  ): Promise<ReadonlyArray<{ title: string; courseSlug: string; startsAt: string; href: string; response: 'yes' | 'no' | null }>>;
}

/**
 * A person's own certificates with the addresses of their pages (the PDF, the public
 * verification). The certificates module provides it (app.ts); declared here by shape,
 * because certificates depend on enrollments and not the other way round.
 */
export interface CertificateLinks {
  mineFor(actor: Actor): Promise<ReadonlyArray<{ courseTitle: string; issuedAt: string; status: 'valid' | 'revoked'; pdfHref: string; verifyHref: string }>>;
}

export interface EnrollmentPagesDependencies {
  enrollments: EnrollmentsService;
  courses: CoursesService;
  liveSessions: LiveSessionLinks;
  certificates: CertificateLinks;
}

/** How many upcoming live sessions "My courses" lists. */
const UPCOMING_SESSIONS = 10;

/** Why an enrollment was refused, as the service says it (details.reason), or an unknown cohort. */
const REFUSALS = new Set(['already_enrolled', 'closed', 'full', 'department', 'cohort_required']);

function refusalOf(error: unknown): string | undefined {
  if (!isAppError(error)) return undefined;
  if (error.code === 'validation_failed') return 'invalid_cohort';
  const reason = error.details?.reason;
  return error.code === 'conflict' && typeof reason === 'string' && REFUSALS.has(reason) ? reason : undefined;
}

function isNotEnrolled(error: unknown): boolean {
  return isAppError(error) && error.code === 'forbidden' && error.details?.reason === 'not_enrolled';
}

const slugOf = (request: Request): string => String(request.params.slug);
const lessonSlugOf = (request: Request): string => String(request.params.lessonSlug);

function outlineOf(t: TFunction, course: CourseView, currentSlug: string, done: ReadonlySet<string>) {
  return course.modules.map((module, index) => ({
    heading: t('courses:course.moduleHeading', { number: index + 1, title: module.title }),
    lessons: module.lessons.map((lesson) => ({
      title: lesson.title,
      href: lessonPath(course.slug, lesson.slug),
      isDone: done.has(lesson.slug),
      isCurrent: lesson.slug === currentSlug,
    })),
  }));
}

export function enrollmentPagesRouter({ enrollments, courses, liveSessions, certificates }: EnrollmentPagesDependencies): Router {
  const router = Router();

  router.post('/courses/:slug/enroll', authorize('enrollments:self'), async (request, response) => {
    const course = await courses.getCourse(slugOf(request));
    try {
      const { cohortId } = parseInput(enrollSchema, readForm(request.body, ['cohortId']), request.t);
      await enrollments.enroll(signedInUser(request), course.slug, cohortId);
    } catch (error) {
      const reason = refusalOf(error);
      if (!reason) throw error;
      flash(request, reason === 'already_enrolled' ? 'info' : 'error', `enrollments:enroll.refused.${reason}`);
      response.redirect(303, coursePath(course.slug));
      return;
    }
    flash(request, 'success', 'enrollments:enroll.done', { course: course.title });
    response.redirect(303, coursePath(course.slug));
  });

  router.get('/courses/:slug/lessons/:lessonSlug', authorize('lessons:read'), async (request, response) => {
    const t = request.t;
    const user = signedInUser(request);
    // The course and the enrollment are read once here and handed on, not read again.
    const { course, lesson: found } = await courses.getCourseWithLesson(slugOf(request), lessonSlugOf(request));
    let lesson: LessonReading;
    try {
      lesson = await enrollments.openLesson(user, course, found);
    } catch (error) {
      if (!isNotEnrolled(error)) throw error;
      flash(request, 'info', 'enrollments:lesson.enrollFirst', { course: course.title });
      response.redirect(303, coursePath(course.slug));
      return;
    }
    // Facilitators and managers may read without being enrolled: nothing of theirs is recorded.
    const { enrollment } = lesson;
    const { previous, current, next } = neighboursOf(course, lesson.slug);
    const done = new Set(enrollment?.completedLessons ?? []);
    const path = coursePath(course.slug);
    // After the module's last lesson, its quiz (if it has one) is the next step.
    const lessonModule = course.modules.find((module) => module.slug === lesson.moduleSlug);
    const isModuleEnd = lessonModule?.lessons.at(-1)?.slug === lesson.slug;
    response.render('enrollments/lesson', {
      quiz: lessonModule?.quiz && isModuleEnd ? { href: quizPath(course.slug, lessonModule.slug), label: t('enrollments:lesson.takeQuiz', { title: lessonModule.quiz.title }) } : undefined,
      title: lesson.title,
      course: { title: course.title, href: path },
      module: { heading: t('courses:course.moduleHeading', { number: current?.moduleNumber ?? 1, title: current?.moduleTitle ?? '' }), href: `${path}#module-${lesson.moduleSlug}` },
      minutes: t('enrollments:lesson.minutes', { count: lesson.minutes }),
      html: lesson.html,
      isEnrolled: Boolean(enrollment),
      isDone: lesson.completed,
      completeAction: `${lessonPath(course.slug, lesson.slug)}/complete`,
      progress: enrollment ? progressView(t, 'course-progress', enrollment.progress) : undefined,
      previous: previous ? { href: lessonPath(course.slug, previous.slug), title: previous.title } : undefined,
      next: next ? { href: lessonPath(course.slug, next.slug), title: next.title } : undefined,
      outline: outlineOf(t, course, lesson.slug, done),
    });
  });

  router.post('/courses/:slug/lessons/:lessonSlug/complete', authorize('lessons:read'), async (request, response) => {
    const course = await courses.getCourse(slugOf(request));
    const { current, next } = neighboursOf(course, lessonSlugOf(request));
    if (!current) throw new AppError('not_found', 'No such lesson.');
    let progress: number;
    try {
      ({ progress } = await enrollments.completeLesson(signedInUser(request), course.slug, current.slug));
    } catch (error) {
      if (!isNotEnrolled(error)) throw error;
      flash(request, 'info', 'enrollments:lesson.enrollFirst', { course: course.title });
      response.redirect(303, coursePath(course.slug));
      return;
    }
    if (progress === 100) {
      flash(request, 'success', 'enrollments:lesson.courseCompleted', { course: course.title });
      response.redirect(303, coursePath(course.slug));
      return;
    }
    flash(request, 'success', 'enrollments:lesson.completed', { lesson: current.title, progress });
    // On to the next lesson; after the last one, back to the course (its quizzes, its progress).
    response.redirect(303, next ? lessonPath(course.slug, next.slug) : coursePath(course.slug));
  });

  router.get('/my-courses', authorize('enrollments:self'), async (request, response) => {
    const t = request.t;
    const user = signedInUser(request);
    const language = languageOf(request);
    const [mine, upcoming, myCertificates] = await Promise.all([
      enrollments.myEnrollments(user.id),
      liveSessions.upcomingFor(user, { limit: UPCOMING_SESSIONS }),
      certificates.mineFor(user),
    ]);
    const items = await Promise.all(
      mine.map(async ({ courseSlug }) => {
        const [course, enrollment] = await Promise.all([courses.getCourse(courseSlug), enrollments.enrollmentOf(user.id, courseSlug)]);
        if (!enrollment) return undefined; // withdrawn meanwhile
        return {
          title: course.title,
          href: coursePath(course.slug),
          status: enrollment.status,
          statusText: t(`courses:enrollmentStatus.${enrollment.status}`),
          enrolledOn: t('enrollments:myCourses.enrolledOn', { date: formatDate(enrollment.enrolledAt, language) }),
          progress: progressView(t, `progress-${course.slug}`, enrollment.progress, t('courses:progress.labelFor', { course: course.title })),
          resume: resumeLinkOf(t, course, enrollment),
        };
      }),
    );
    const courseTitles = new Map(await Promise.all([...new Set(upcoming.map((session) => session.courseSlug))].map(async (slug) => [slug, (await courses.getCourse(slug)).title] as const)));
    response.render('enrollments/my-courses', {
      title: t('enrollments:myCourses.title'),
      items: items.filter((item) => item !== undefined),
      liveSessions: upcoming.map((session) => ({
        title: session.title,
        href: session.href,
        course: { title: courseTitles.get(session.courseSlug) ?? session.courseSlug, href: coursePath(session.courseSlug) },
        when: formatDateTime(session.startsAt, language),
        answerText: t(`enrollments:myCourses.liveSessions.answer.${session.response ?? 'none'}`),
      })),
      certificates: myCertificates.map((certificate) => ({ ...certificate, issuedOn: formatDate(certificate.issuedAt, language) })),
    });
  });

  return router;
}
