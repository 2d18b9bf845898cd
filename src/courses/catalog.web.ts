import { Router } from 'express';
import type { TFunction } from 'i18next';
import type { Actor } from '../shared/authorization.js';
import type { Clock } from '../shared/clock.js';
import { departmentName } from '../territories/index.js';
import { formatDate, formatDateTime } from '../web/dates.js';
import { emptyForm, fieldBuilder, type Choice, type FieldView } from '../web/form-fields.js';
import { languageOf } from '../web/i18n.js';
import { coursePath, lessonPath, quizPath } from './course-outline.js';
import type { CoursesService, CourseView } from './courses.service.js';
import { progressView, resumeLinkOf, type ProgressView, type ResumeLink } from './progress-view.js';

/**
 * The catalog (GET /courses) and the course page (GET /courses/:slug), open to
 * everyone. A signed-in person also sees their own standing: progress, ticks on the
 * lessons done, "continue where I left off", or the enrollment form. Enrolling itself
 * is POST /courses/:slug/enroll (src/enrollments/enrollments.web.ts).
 */

/**
 * What these pages read of people's enrollments. The enrollments module provides it
 * (app.ts passes `services.enrollments`); it is declared here, by shape, so that courses
 * does not depend on enrollments (ARCHITECTURE.md, rule 3).
 */
export interface LearnerRecords {
  myEnrollments(userId: string): Promise<ReadonlyArray<{ courseSlug: string; status: 'active' | 'completed'; progress: number }>>;
  enrollmentOf(
    userId: string,
    courseSlug: string,
  ): Promise<
    | { status: 'active' | 'completed'; progress: number; cohortId: string | null; lastLessonSlug: string | null; completedLessons: readonly string[]; passedQuizzes: readonly string[] }
    | undefined
  >;
  listCohorts(courseSlug: string): Promise<ReadonlyArray<CohortFacts>>;
}

interface CohortFacts {
  id: string;
  name: string;
  enrollmentOpensAt: string;
  enrollmentClosesAt: string;
  startsAt: string;
  endsAt: string;
  capacity: number | null;
  targetDepartments: readonly string[];
  enrolledCount: number;
}

/**
 * The upcoming live sessions a person may see on the course page, as links. The
 * live-sessions module provides it (app.ts); declared here by shape for the same reason
 * as LearnerRecords.
 */
export interface LiveSessionLinks {
  upcomingFor(
    actor: Actor,
    options: { courseSlug: string; limit: number },
  ): Promise<ReadonlyArray<{ title: string; startsAt: string; href: string; response: 'yes' | 'no' | null }>>;
}

/**
 * A person's own certificates with the address of each PDF. The certificates module
 * provides it (app.ts); declared here by shape for the same reason as LearnerRecords.
 */
export interface CertificateLinks {
  mineFor(actor: Actor): Promise<ReadonlyArray<{ courseSlug: string; status: 'valid' | 'revoked'; pdfHref: string }>>;
}

export interface CoursePagesDependencies {
  courses: CoursesService;
  learners: LearnerRecords;
  liveSessions: LiveSessionLinks;
  certificates: CertificateLinks;
  clock: Clock;
}

/** How many upcoming live sessions the course page lists. */
const UPCOMING_SESSIONS = 10;

type CohortState = 'upcoming' | 'open' | 'full' | 'closed';

/** The same conditions the enrollment service checks, to say beforehand what it would answer. */
function cohortStateOf(cohort: CohortFacts, now: Date): CohortState {
  if (now < new Date(cohort.enrollmentOpensAt)) return 'upcoming';
  if (now > new Date(cohort.enrollmentClosesAt)) return 'closed';
  if (cohort.capacity !== null && cohort.enrolledCount >= cohort.capacity) return 'full';
  return 'open';
}

function departmentsOf(cohort: CohortFacts): string {
  return cohort.targetDepartments.map((code) => departmentName(code) ?? code).join(', ');
}

interface CohortItem {
  name: string;
  dates: string;
  state: CohortState;
  stateText: string;
  seats?: string;
  departments?: string;
}

function cohortItem(t: TFunction, cohort: CohortFacts, now: Date, language: string): CohortItem {
  const state = cohortStateOf(cohort, now);
  const date = (instant: string): string => formatDate(instant, language);
  const stateDate = state === 'upcoming' ? date(cohort.enrollmentOpensAt) : date(cohort.enrollmentClosesAt);
  return {
    name: cohort.name,
    dates: t('courses:cohorts.dates', { starts: date(cohort.startsAt), ends: date(cohort.endsAt) }),
    state,
    stateText: t(`courses:cohorts.state.${state}`, { date: stateDate }),
    ...(cohort.capacity !== null ? { seats: t('courses:cohorts.seats', { free: Math.max(0, cohort.capacity - cohort.enrolledCount), capacity: cohort.capacity }) } : {}),
    ...(cohort.targetDepartments.length > 0 ? { departments: t('courses:cohorts.departments', { departments: departmentsOf(cohort) }) } : {}),
  };
}

/** Who may enroll how: a choice of open cohorts, a plain button, or why not. */
type EnrollPanel =
  | { kind: 'signIn'; signInHref: string }
  | { kind: 'form'; action: string; cohortField?: FieldView }
  | { kind: 'unavailable'; message: string };

function enrollPanel(t: TFunction, course: CourseView, cohorts: readonly CohortFacts[], now: Date, language: string, isSignedIn: boolean): EnrollPanel {
  const path = coursePath(course.slug);
  if (!isSignedIn) return { kind: 'signIn', signInHref: `/login?${new URLSearchParams({ next: path }).toString()}` };
  const open = cohorts.filter((cohort) => cohortStateOf(cohort, now) === 'open');
  const isCohortOnly = course.enrollment === 'cohort_only';
  if (isCohortOnly && open.length === 0) return { kind: 'unavailable', message: t('courses:enroll.noOpenCohorts') };
  if (open.length === 0) return { kind: 'form', action: `${path}/enroll` };
  const choices: Choice[] = [
    ...(isCohortOnly ? [] : [{ value: '', label: t('courses:enroll.noCohort') }]),
    ...open.map((cohort) => {
      const item = cohortItem(t, cohort, now, language);
      return { value: cohort.id, label: [item.name, item.dates, item.seats, item.departments].filter(Boolean).join(' · ') };
    }),
  ];
  // Self-paced unless the person picks a cohort; with a single cohort to take, that one.
  const chosen = isCohortOnly ? (open.length === 1 ? open[0]!.id : undefined) : '';
  const cohortField = fieldBuilder(emptyForm({ cohortId: chosen })).radios('cohortId', {
    label: t('courses:enroll.cohortLabel'),
    hint: t(isCohortOnly ? 'courses:enroll.cohortHintRequired' : 'courses:enroll.cohortHint'),
    choices,
  });
  return { kind: 'form', action: `${path}/enroll`, cohortField };
}

interface StandingView {
  progress: ProgressView;
  isCompleted: boolean;
  certificateHref?: string;
  statusText: string;
  cohortName?: string;
  resume?: ResumeLink;
}

function standingOf(
  t: TFunction,
  course: CourseView,
  enrollment: NonNullable<Awaited<ReturnType<LearnerRecords['enrollmentOf']>>>,
  cohorts: readonly CohortFacts[],
): StandingView {
  const cohortName = cohorts.find((cohort) => cohort.id === enrollment.cohortId)?.name;
  const resume = resumeLinkOf(t, course, enrollment);
  return {
    progress: progressView(t, 'course-progress', enrollment.progress),
    isCompleted: enrollment.status === 'completed',
    statusText: t(`courses:enrollmentStatus.${enrollment.status}`),
    ...(cohortName ? { cohortName } : {}),
    ...(resume ? { resume } : {}),
  };
}

export function coursePagesRouter({ courses, learners, liveSessions, certificates, clock }: CoursePagesDependencies): Router {
  const router = Router();

  router.get('/courses', async (request, response) => {
    const t = request.t;
    const [entries, mine] = await Promise.all([courses.listCourses(), request.user ? learners.myEnrollments(request.user.id) : []]);
    const bySlug = new Map(mine.map((enrollment) => [enrollment.courseSlug, enrollment]));
    response.render('courses/catalog', {
      title: t('courses:catalog.title'),
      cards: entries.map((entry) => {
        const enrollment = bySlug.get(entry.slug);
        return {
          href: coursePath(entry.slug),
          title: entry.title,
          summary: entry.summary,
          hours: t('courses:facts.hours', { count: entry.hours }),
          modules: t('courses:facts.modules', { count: entry.moduleCount }),
          hasCertificate: entry.certificate,
          ...(enrollment
            ? {
                enrollment: {
                  status: enrollment.status,
                  statusText: t(`courses:enrollmentStatus.${enrollment.status}`),
                  progress: progressView(t, `progress-${entry.slug}`, enrollment.progress, t('courses:progress.labelFor', { course: entry.title })),
                },
              }
            : {}),
        };
      }),
    });
  });

  router.get('/courses/:slug', async (request, response) => {
    const t = request.t;
    const language = languageOf(request);
    const course = await courses.getCourse(String(request.params.slug));
    const user = request.user;
    const [enrollment, cohorts, isStaff, upcoming] = await Promise.all([
      user ? learners.enrollmentOf(user.id, course.slug) : undefined,
      learners.listCohorts(course.slug),
      user ? courses.isFacilitatorOf(user, course.slug) : false,
      user ? liveSessions.upcomingFor(user, { courseSlug: course.slug, limit: UPCOMING_SESSIONS }) : [],
    ]);
    const now = clock.now();
    const canRead = Boolean(enrollment) || isStaff;
    const doneLessons = new Set(enrollment?.completedLessons ?? []);
    const passedQuizzes = new Set(enrollment?.passedQuizzes ?? []);
    const standing = enrollment ? standingOf(t, course, enrollment, cohorts) : undefined;
    // Only a completed course can have earned one: nobody else pays for the lookup.
    if (user && standing?.isCompleted) {
      const certificate = (await certificates.mineFor(user)).find((mine) => mine.courseSlug === course.slug && mine.status === 'valid');
      if (certificate) standing.certificateHref = certificate.pdfHref;
    }
    const lessonCount = course.modules.reduce((sum, module) => sum + module.lessons.length, 0);

    response.render('courses/course', {
      title: course.title,
      course: {
        title: course.title,
        summary: course.summary,
        hours: t('courses:facts.hours', { count: course.hours }),
        modules: t('courses:facts.modules', { count: course.modules.length }),
        lessons: t('courses:facts.lessons', { count: lessonCount }),
      },
      certificate: course.certificate.enabled
        ? { intro: t('courses:certificate.intro', { count: course.hours }), signatories: course.certificate.signatories.map(({ name, role }) => ({ name, role })) }
        : undefined,
      completionRule: [
        course.modules.some((module) => module.quiz)
          ? t('courses:certificate.rule', { score: course.completion.passingScore })
          : t('courses:certificate.ruleLessonsOnly'),
        ...(course.completion.minLiveSessionsAttended > 0 ? [t('courses:certificate.ruleLive', { count: course.completion.minLiveSessionsAttended })] : []),
      ].join(' '),
      modules: course.modules.map((module, index) => ({
        heading: t('courses:course.moduleHeading', { number: index + 1, title: module.title }),
        id: `module-${module.slug}`,
        // Complete: every lesson done and, when the module has a quiz, the quiz passed.
        isComplete: Boolean(enrollment) && module.lessons.every((lesson) => doneLessons.has(lesson.slug)) && (!module.quiz || passedQuizzes.has(module.slug)),
        lessons: module.lessons.map((lesson) => ({
          title: lesson.title,
          minutes: t('courses:facts.minutes', { count: lesson.minutes }),
          ...(canRead ? { href: lessonPath(course.slug, lesson.slug) } : {}),
          isDone: doneLessons.has(lesson.slug),
        })),
        quiz: module.quiz
          ? {
              title: t('courses:course.quiz', { title: module.quiz.title }),
              questions: t('courses:facts.questions', { count: module.quiz.questionCount }),
              isPassed: passedQuizzes.has(module.slug),
              ...(canRead ? { href: quizPath(course.slug, module.slug) } : {}),
              ...(isStaff ? { reportHref: `${quizPath(course.slug, module.slug)}/report` } : {}),
            }
          : undefined,
      })),
      standing,
      enroll: standing ? undefined : enrollPanel(t, course, cohorts, now, language, Boolean(user)),
      cohorts: cohorts.filter((cohort) => new Date(cohort.endsAt) >= now).map((cohort) => cohortItem(t, cohort, now, language)),
      // Those of the viewer's cohort, or all of them for the course's team; none for a visitor.
      liveSessions: upcoming.map((session) => ({
        title: session.title,
        when: formatDateTime(session.startsAt, language),
        href: session.href,
        ...(session.response ? { responseText: t(`courses:course.liveSessionAnswer.${session.response}`) } : {}),
      })),
      scheduleSessionHref: isStaff ? `${coursePath(course.slug)}/live-sessions/new` : undefined,
      peopleHref: isStaff ? `${coursePath(course.slug)}/people` : undefined,
      questionBankHref: isStaff ? `${coursePath(course.slug)}/question-bank` : undefined,
    });
  });

  return router;
}
