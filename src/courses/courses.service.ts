import type { i18n } from 'i18next';
import type { Connection } from 'mongoose';
import type { Actor } from '../shared/authorization.js';
import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import { importCourses, type CourseImportReport } from './course-importer.js';
import { courseModels } from './course.model.js';
import type { QuizSettings } from './course-files.schemas.js';
import type { QuizQuestion } from './gift.js';

export interface CoursesDependencies {
  connection: Connection;
  clock: Clock;
  i18n: i18n;
  coursesDir: string;
  /** Whether every id names an existing account (from accounts). */
  areUsers(ids: string[]): Promise<string[]>;
}

export interface LessonSummary {
  slug: string;
  title: string;
  minutes: number;
}

export interface CourseModuleView {
  slug: string;
  title: string;
  lessons: LessonSummary[];
  quiz: { id: string; title: string; questionCount: number } | null;
}

/** A course as the API and the pages show it (API.md, "Courses and cohorts"). */
export interface CourseView {
  slug: string;
  title: string;
  summary: string;
  hours: number;
  language: string;
  enrollment: 'open' | 'cohort_only';
  completion: { passingScore: number; minLiveSessionsAttended: number };
  certificate: { enabled: boolean; signatories: Array<{ name: string; role: string; signature?: string }> };
  modules: CourseModuleView[];
  facilitatorIds: string[];
}

export interface CatalogEntry {
  slug: string;
  title: string;
  summary: string;
  hours: number;
  moduleCount: number;
  certificate: boolean;
}

export interface LessonView extends LessonSummary {
  moduleSlug: string;
  html: string;
}

/** A module quiz as imported from its files (the quiz engine reads it; courses/FORMAT.md). */
export interface QuizDefinition {
  id: string;
  courseSlug: string;
  moduleSlug: string;
  title: string;
  /** The loader fills passingScore from the course when the module does not set it. */
  settings: QuizSettings & { passingScore: number };
  questions: QuizQuestion[];
}

interface StoredQuiz extends Omit<QuizDefinition, 'id'> {
  _id: string;
  isArchived: boolean;
}

/** As stored: keyed by slug, lessons with their rendered HTML. */
type StoredCourse = Omit<CourseView, 'slug' | 'modules'> & {
  _id: string;
  modules: Array<Omit<CourseModuleView, 'lessons'> & { lessons: Array<LessonSummary & { html: string }> }>;
};

function toView(course: StoredCourse): CourseView {
  return {
    slug: course._id,
    title: course.title,
    summary: course.summary,
    hours: course.hours,
    language: course.language,
    enrollment: course.enrollment,
    completion: { passingScore: course.completion.passingScore, minLiveSessionsAttended: course.completion.minLiveSessionsAttended },
    certificate: { enabled: course.certificate.enabled, signatories: course.certificate.signatories.map(({ name, role, signature }) => ({ name, role, ...(signature ? { signature } : {}) })) },
    modules: course.modules.map((module) => ({
      slug: module.slug,
      title: module.title,
      lessons: module.lessons.map(({ slug, title, minutes }) => ({ slug, title, minutes })),
      quiz: module.quiz ? { id: module.quiz.id, title: module.quiz.title, questionCount: module.quiz.questionCount } : null,
    })),
    facilitatorIds: course.facilitatorIds ?? [],
  };
}

function lessonOf(course: StoredCourse, lessonSlug: string): LessonView {
  for (const module of course.modules) {
    const lesson = module.lessons.find((candidate) => candidate.slug === lessonSlug);
    if (lesson) return { slug: lesson.slug, title: lesson.title, minutes: lesson.minutes, html: lesson.html, moduleSlug: module.slug };
  }
  throw new AppError('not_found', 'No such lesson.');
}

export function createCoursesService(deps: CoursesDependencies) {
  const models = courseModels(deps.connection);

  /**
   * The modules (every lesson's HTML: nearly all of a course document) change only with an
   * import, which writes them together with a new `importedAt`, from whichever process.
   * So the rest of the course is read on every call and the modules only when `importedAt`
   * moved; callers get the cached modules shared, and only read them.
   */
  const modulesBySlug = new Map<string, { importedAt: number; modules: StoredCourse['modules'] }>();

  async function stored(slug: string): Promise<StoredCourse> {
    const head = await models.Course.findById(slug, { modules: 0 }).lean<Omit<StoredCourse, 'modules'> & { importedAt: Date }>();
    if (!head) throw new AppError('not_found', 'No such course.');
    const cached = modulesBySlug.get(slug);
    if (cached?.importedAt === head.importedAt.getTime()) return { ...head, modules: cached.modules };
    const course = await models.Course.findById(slug).lean<StoredCourse & { importedAt: Date }>();
    if (!course) throw new AppError('not_found', 'No such course.');
    modulesBySlug.set(slug, { importedAt: course.importedAt.getTime(), modules: course.modules });
    return course;
  }

  return {
    async importCourses(): Promise<CourseImportReport[]> {
      return importCourses(models, deps.coursesDir, deps.clock, deps.i18n.t('courses:lesson.watchVideo'));
    },

    async hasCourses(): Promise<boolean> {
      return (await models.Course.estimatedDocumentCount()) > 0;
    },

    async listCourses(): Promise<CatalogEntry[]> {
      // Only the modules' slugs, to count them: not every lesson's HTML.
      const courses = await models.Course.find({}, { 'modules.slug': 1, title: 1, summary: 1, hours: 1, certificate: 1 }).sort({ title: 1 }).lean<StoredCourse[]>();
      return courses.map((course) => ({
        slug: course._id,
        title: course.title,
        summary: course.summary,
        hours: course.hours,
        moduleCount: course.modules.length,
        certificate: course.certificate.enabled,
      }));
    },

    async getCourse(slug: string): Promise<CourseView> {
      return toView(await stored(slug));
    },

    async getLesson(slug: string, lessonSlug: string): Promise<LessonView> {
      return lessonOf(await stored(slug), lessonSlug);
    },

    /** The course and one of its lessons from one read (the lesson page needs both). */
    async getCourseWithLesson(slug: string, lessonSlug: string): Promise<{ course: CourseView; lesson: LessonView }> {
      const course = await stored(slug);
      return { course: toView(course), lesson: lessonOf(course, lessonSlug) };
    },

    /** A live module quiz; an archived one (its module or file is gone) is not found. */
    async getQuiz(quizId: string): Promise<QuizDefinition> {
      const quiz = await models.CourseQuiz.findOne({ _id: quizId, isArchived: { $ne: true } }).lean<StoredQuiz>();
      if (!quiz) throw new AppError('not_found', 'No such quiz.');
      return { id: quiz._id, courseSlug: quiz.courseSlug, moduleSlug: quiz.moduleSlug, title: quiz.title, settings: quiz.settings, questions: quiz.questions };
    },

    /** Whether the actor facilitates the course (managers act on every course). */
    async isFacilitatorOf(actor: Actor, slug: string): Promise<boolean> {
      if (actor.roles.includes('manager') || actor.roles.includes('admin')) return true;
      if (!actor.roles.includes('facilitator')) return false;
      return (await models.Course.countDocuments({ _id: slug, facilitatorIds: actor.id })) > 0;
    },

    /**
     * The courses the actor is on the team of (`facilitatorIds`), under the same role rule
     * as isFacilitatorOf. Unlike it, a manager gets only the courses they are assigned to:
     * "every course" is a permission, not a list of their own courses (a personal calendar).
     */
    async facilitatedCourseSlugs(actor: Actor): Promise<string[]> {
      if (!actor.roles.some((role) => role === 'facilitator' || role === 'manager' || role === 'admin')) return [];
      const courses = await models.Course.find({ facilitatorIds: actor.id }, { _id: 1 }).sort({ _id: 1 }).lean<Array<{ _id: string }>>();
      return courses.map((course) => course._id);
    },

    /** `PUT /courses/:slug/facilitators` replaces the list; unknown ids change nothing. */
    async setFacilitators(slug: string, userIds: string[]): Promise<CourseView> {
      const unique = [...new Set(userIds)];
      const unknown = await deps.areUsers(unique);
      if (unknown.length > 0) {
        throw new AppError('validation_failed', 'Some user ids do not exist.', { fields: { userIds: 'validation.unknownUsers' }, unknownIds: unknown });
      }
      const course = await models.Course.findOneAndUpdate({ _id: slug }, { $set: { facilitatorIds: unique } }, { returnDocument: 'after', lean: true });
      if (!course) throw new AppError('not_found', 'No such course.');
      return toView(course as unknown as StoredCourse);
    },
  };
}

export type CoursesService = ReturnType<typeof createCoursesService>;
