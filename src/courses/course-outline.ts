import type { CourseView } from './courses.service.js';

/**
 * A course read as a path through its lessons, across modules: the order the reader's
 * "previous" and "next" follow, and where "continue where I left off" goes. Pure, so
 * the course page and the lesson reader agree.
 */

export interface OutlineLesson {
  slug: string;
  title: string;
  minutes: number;
  moduleSlug: string;
  moduleTitle: string;
  /** 1-based position of the module in the course. */
  moduleNumber: number;
}

type Structure = Pick<CourseView, 'modules'>;

export function lessonsInOrder(course: Structure): OutlineLesson[] {
  return course.modules.flatMap((module, index) =>
    module.lessons.map((lesson) => ({ ...lesson, moduleSlug: module.slug, moduleTitle: module.title, moduleNumber: index + 1 })),
  );
}

export interface LessonNeighbours {
  previous?: OutlineLesson;
  current?: OutlineLesson;
  next?: OutlineLesson;
}

export function neighboursOf(course: Structure, lessonSlug: string): LessonNeighbours {
  const lessons = lessonsInOrder(course);
  const index = lessons.findIndex((lesson) => lesson.slug === lessonSlug);
  if (index === -1) return {};
  const [previous, current, next] = [lessons[index - 1], lessons[index], lessons[index + 1]];
  return { ...(previous ? { previous } : {}), ...(current ? { current } : {}), ...(next ? { next } : {}) };
}

/**
 * "Continue where I left off": the last lesson the person opened, if the course still
 * has it (a re-import may have removed it); otherwise the first lesson not done yet;
 * otherwise the first lesson.
 */
export function resumeLessonOf(course: Structure, facts: { lastLessonSlug: string | null; completedLessons: readonly string[] }): OutlineLesson | undefined {
  const lessons = lessonsInOrder(course);
  const done = new Set(facts.completedLessons);
  return lessons.find((lesson) => lesson.slug === facts.lastLessonSlug) ?? lessons.find((lesson) => !done.has(lesson.slug)) ?? lessons[0];
}

export function coursePath(slug: string): string {
  return `/courses/${encodeURIComponent(slug)}`;
}

export function lessonPath(slug: string, lessonSlug: string): string {
  return `${coursePath(slug)}/lessons/${encodeURIComponent(lessonSlug)}`;
}

/** A module's quiz page (src/quizzes/quizzes.web.ts). */
export function quizPath(slug: string, moduleSlug: string): string {
  return `${coursePath(slug)}/quizzes/${encodeURIComponent(moduleSlug)}`;
}
