import type { TFunction } from 'i18next';
import { lessonPath, resumeLessonOf } from './course-outline.js';
import type { CourseView } from './courses.service.js';

/**
 * View models of a person's standing in a course, shared by the course pages and the
 * enrollment pages so that both say the same thing the same way.
 */

/**
 * What views/courses/_progress.ejs shows: a labelled <progress> and the same number in
 * words beside it, so that the bar is never the only way to know it.
 */
export interface ProgressView {
  id: string;
  label: string;
  value: number;
  text: string;
}

export function progressView(t: TFunction, id: string, value: number, label: string = t('courses:progress.label')): ProgressView {
  const clamped = Math.max(0, Math.min(100, Math.round(value)));
  return { id, label, value: clamped, text: t('courses:progress.text', { progress: clamped }) };
}

export interface ResumeLink {
  href: string;
  /** "Start the course", "Continue where I left off" or "Review the course". */
  label: string;
  lessonTitle: string;
}

interface LearnerFacts {
  status: 'active' | 'completed';
  lastLessonSlug: string | null;
  completedLessons: readonly string[];
}

export function resumeLinkOf(t: TFunction, course: Pick<CourseView, 'slug' | 'modules'>, facts: LearnerFacts): ResumeLink | undefined {
  const lesson = resumeLessonOf(course, facts);
  if (!lesson) return undefined;
  const hasStarted = facts.lastLessonSlug !== null || facts.completedLessons.length > 0;
  const label = facts.status === 'completed' ? 'courses:course.review' : hasStarted ? 'courses:course.continue' : 'courses:course.start';
  return { href: lessonPath(course.slug, lesson.slug), label: t(label), lessonTitle: lesson.title };
}
