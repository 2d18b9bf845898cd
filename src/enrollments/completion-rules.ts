import type { CourseView } from '../courses/index.js';

/**
 * The course's rules, in one place (README.md beside this file): an item of progress is
 * each lesson done and each module quiz passed; the course is complete when every item
 * is done and the learner attended at least `minLiveSessionsAttended` live sessions.
 * Progress is the share of items done, rounded down, and 100 only when complete.
 */

export interface ProgressFacts {
  completedLessons: readonly string[];
  passedQuizzes: readonly string[];
  attendedSessions: number;
}

export interface ProgressState {
  done: number;
  total: number;
  isComplete: boolean;
  progress: number;
}

export function progressOf(course: Pick<CourseView, 'modules' | 'completion'>, facts: ProgressFacts): ProgressState {
  const lessons = new Set(facts.completedLessons);
  const quizzes = new Set(facts.passedQuizzes);
  let done = 0;
  let total = 0;
  for (const module of course.modules) {
    for (const lesson of module.lessons) {
      total += 1;
      if (lessons.has(lesson.slug)) done += 1;
    }
    if (module.quiz) {
      total += 1;
      if (quizzes.has(module.slug)) done += 1;
    }
  }
  const isComplete = done === total && facts.attendedSessions >= course.completion.minLiveSessionsAttended;
  const share = total === 0 ? 0 : Math.floor((done / total) * 100);
  return { done, total, isComplete, progress: isComplete ? 100 : Math.min(share, 99) };
}
