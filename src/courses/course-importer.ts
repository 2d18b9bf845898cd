import { createHash } from 'node:crypto';
import type { Clock } from '../shared/clock.js';
import { loadCourses, type CourseDefinition } from './course-loader.js';
import type { CourseModels } from './course.model.js';
import { renderLesson } from './markdown.js';

/**
 * `npm run courses:import`: loads every course folder, and only when all of them load
 * stores them. Re-importing is idempotent (an unchanged course is not touched) and
 * keeps every learner's progress, which refers to courses and lessons by slug. A
 * lesson that disappeared is reported and recorded, not silently dropped.
 */

export interface CourseImportReport {
  slug: string;
  outcome: 'created' | 'updated' | 'unchanged';
  addedLessons: string[];
  removedLessons: string[];
}

export function quizIdOf(courseSlug: string, moduleSlug: string): string {
  return `${courseSlug}.${moduleSlug}`;
}

function contentHash(course: CourseDefinition): string {
  return createHash('sha256').update(JSON.stringify(course)).digest('hex');
}

function lessonSlugsOf(modules: Array<{ lessons: Array<{ slug: string }> }>): Set<string> {
  return new Set(modules.flatMap((module) => module.lessons.map((lesson) => lesson.slug)));
}

export async function importCourses(
  models: CourseModels,
  root: string,
  clock: Clock,
  videoLabel: string,
): Promise<CourseImportReport[]> {
  // Every file is read and checked before anything is written.
  const courses = loadCourses(root);
  const reports: CourseImportReport[] = [];
  const now = clock.now();
  for (const course of courses) {
    const hash = contentHash(course);
    const existing = await models.Course.findById(course.slug).lean<{
      contentHash: string;
      modules: Array<{ slug: string; lessons: Array<{ slug: string; title: string }> }>;
    }>();
    if (existing?.contentHash === hash) {
      reports.push({ slug: course.slug, outcome: 'unchanged', addedLessons: [], removedLessons: [] });
      continue;
    }
    const before = lessonSlugsOf(existing?.modules ?? []);
    const after = lessonSlugsOf(course.modules);
    const removed = (existing?.modules ?? []).flatMap((module) =>
      module.lessons.filter((lesson) => !after.has(lesson.slug)).map((lesson) => ({ moduleSlug: module.slug, slug: lesson.slug, title: lesson.title, removedAt: now })),
    );
    const modules = course.modules.map((module) => ({
      slug: module.slug,
      title: module.title,
      lessons: module.lessons.map((lesson) => ({
        slug: lesson.slug,
        title: lesson.title,
        minutes: lesson.minutes,
        html: renderLesson(lesson.markdown, course.slug, videoLabel),
      })),
      quiz: module.quiz ? { id: quizIdOf(course.slug, module.slug), title: module.quiz.title, questionCount: module.quiz.settings.drawCount ?? module.quiz.questions.length } : null,
    }));
    await models.Course.updateOne(
      { _id: course.slug },
      {
        $set: {
          title: course.title,
          summary: course.summary,
          hours: course.hours,
          language: course.language,
          enrollment: course.enrollment,
          completion: course.completion,
          certificate: course.certificate,
          modules,
          contentHash: hash,
          importedAt: now,
        },
        ...(removed.length > 0 ? { $push: { removedLessons: { $each: removed } } } : {}),
      },
      { upsert: true },
    );
    const liveQuizzes: string[] = [];
    for (const module of course.modules) {
      if (!module.quiz) continue;
      const id = quizIdOf(course.slug, module.slug);
      liveQuizzes.push(id);
      await models.CourseQuiz.updateOne(
        { _id: id },
        {
          $set: {
            courseSlug: course.slug,
            moduleSlug: module.slug,
            title: module.quiz.title,
            settings: module.quiz.settings,
            questions: module.quiz.questions,
            source: module.quiz.source,
            isArchived: false,
            importedAt: now,
          },
        },
        { upsert: true },
      );
    }
    // A quiz whose module or file is gone keeps its attempts' history, out of sight.
    await models.CourseQuiz.updateMany({ courseSlug: course.slug, _id: { $nin: liveQuizzes } }, { $set: { isArchived: true } });
    reports.push({
      slug: course.slug,
      outcome: existing ? 'updated' : 'created',
      addedLessons: [...after].filter((slug) => !before.has(slug)),
      removedLessons: removed.map((lesson) => lesson.slug),
    });
  }
  return reports;
}
