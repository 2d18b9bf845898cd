/**
 * Courses: content as code. Course folders under courses/ are imported into the
 * database (courses:import), and served as a catalog, course pages and lessons.
 */
export { createCoursesService, type CoursesService, type CourseView, type QuizDefinition, type CatalogEntry, type LessonView, type CoursesDependencies } from './courses.service.js';
export { coursesApiRouter } from './courses.api.js';
export { courseFilesRouter } from './course-files.web.js';
export { coursePagesRouter, type CoursePagesDependencies, type LearnerRecords } from './catalog.web.js';
export { coursePath, lessonPath, quizPath, lessonsInOrder, neighboursOf, resumeLessonOf, type OutlineLesson } from './course-outline.js';
export { progressView, resumeLinkOf, type ProgressView, type ResumeLink } from './progress-view.js';
export { CourseFileError } from './course-loader.js';
export type { CourseImportReport } from './course-importer.js';
export { checkGift, parseGift, GiftError, type GiftCheck, type QuizQuestion, type QuestionType } from './gift.js';
export type { QuizSettings } from './course-files.schemas.js';
