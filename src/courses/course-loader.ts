import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import matter from 'gray-matter';
import YAML from 'yaml';
import type { z } from 'zod';
import { courseFileSchema, lessonFrontMatterSchema, SLUG, type CourseFile, type QuizSettings } from './course-files.schemas.js';
import { GiftError, parseGift, type QuizQuestion } from './gift.js';

/**
 * Reads courses/<slug>/ into plain definitions. Nothing is stored here: the importer
 * stores a set of courses only when every one of them loaded. A problem is reported as
 * the file (relative to the courses folder), the line when there is one, and the reason.
 */

export interface LessonDefinition {
  slug: string;
  title: string;
  minutes: number;
  markdown: string;
}

export interface ModuleDefinition {
  slug: string;
  title: string;
  lessons: LessonDefinition[];
  quiz: { title: string; settings: QuizSettings; questions: QuizQuestion[]; source: string } | null;
}

export interface CourseDefinition extends Omit<CourseFile, 'modules'> {
  slug: string;
  modules: ModuleDefinition[];
}

export class CourseFileError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly reason: string,
  ) {
    super(`${file}${line ? `:${line}` : ''}: ${reason}`);
    this.name = 'CourseFileError';
  }
}

const LESSON_FILE = /^(\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)\.md$/;

function zodReason(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`).join('; ');
}

/** The line of a top-level YAML key (for schema errors, which YAML positions do not carry). */
function lineOfKey(source: string, key: PropertyKey | undefined): number | undefined {
  if (typeof key !== 'string') return undefined;
  const index = source.split('\n').findIndex((line) => line.startsWith(`${key}:`));
  return index >= 0 ? index + 1 : undefined;
}

function loadCourseFile(root: string, slug: string): CourseFile {
  const path = join(root, slug, 'course.yaml');
  const file = relative(root, path);
  if (!existsSync(path)) throw new CourseFileError(file, undefined, 'course.yaml is missing');
  const source = readFileSync(path, 'utf8');
  let data: unknown;
  try {
    data = YAML.parse(source);
  } catch (error) {
    const position = (error as { linePos?: Array<{ line: number }> }).linePos?.[0];
    throw new CourseFileError(file, position?.line, error instanceof Error ? error.message.split('\n')[0]! : String(error));
  }
  const parsed = courseFileSchema.safeParse(data);
  if (!parsed.success) throw new CourseFileError(file, lineOfKey(source, parsed.error.issues[0]?.path[0]), zodReason(parsed.error));
  return parsed.data;
}

function loadLesson(root: string, path: string, slug: string): LessonDefinition {
  const file = relative(root, path);
  const source = readFileSync(path, 'utf8');
  let parsed: matter.GrayMatterFile<string>;
  try {
    parsed = matter(source);
  } catch (error) {
    const line = (error as { mark?: { line?: number } }).mark?.line;
    throw new CourseFileError(file, line === undefined ? undefined : line + 2, `front matter: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  }
  const front = lessonFrontMatterSchema.safeParse(parsed.data);
  if (!front.success) throw new CourseFileError(file, 1, `front matter: ${zodReason(front.error)}`);
  if (parsed.content.trim().length === 0) throw new CourseFileError(file, undefined, 'the lesson has no text');
  return { slug, title: front.data.title, minutes: front.data.minutes, markdown: parsed.content };
}

function loadModule(root: string, courseSlug: string, module: CourseFile['modules'][number], passingScore: number): ModuleDefinition {
  const directory = join(root, courseSlug, module.slug);
  const where = relative(root, directory);
  if (!existsSync(directory) || !statSync(directory).isDirectory()) throw new CourseFileError(where, undefined, 'the module folder named in course.yaml is missing');
  const lessons: LessonDefinition[] = [];
  const seen = new Set<string>();
  for (const name of readdirSync(directory).sort()) {
    if (!name.endsWith('.md')) continue;
    const match = LESSON_FILE.exec(name);
    if (!match) throw new CourseFileError(join(where, name), undefined, 'lesson files are named nn-slug.md (two digits, a hyphen, a lower-case slug)');
    const slug = match[2]!;
    if (seen.has(slug)) throw new CourseFileError(join(where, name), undefined, `another lesson of this module is also "${slug}"`);
    seen.add(slug);
    lessons.push(loadLesson(root, join(directory, name), slug));
  }
  if (lessons.length === 0) throw new CourseFileError(where, undefined, 'the module has no lessons');

  const quizPath = join(directory, 'quiz.gift');
  let quiz: ModuleDefinition['quiz'] = null;
  if (existsSync(quizPath)) {
    const source = readFileSync(quizPath, 'utf8');
    let questions: QuizQuestion[];
    try {
      questions = parseGift(source);
    } catch (error) {
      if (error instanceof GiftError) throw new CourseFileError(relative(root, quizPath), error.line, error.reason);
      throw error;
    }
    if (questions.length === 0) throw new CourseFileError(relative(root, quizPath), undefined, 'the quiz has no questions');
    const settings = module.quiz ?? { shuffleQuestions: false, shuffleOptions: false, review: 'show_correct_answers' as const };
    if (settings.drawCount !== undefined && settings.drawCount > questions.length) {
      throw new CourseFileError(join(courseSlug, 'course.yaml'), undefined, `modules.${module.slug}.quiz.drawCount is larger than the ${questions.length} questions of the bank`);
    }
    quiz = { title: settings.title ?? module.title, settings: { passingScore, ...settings }, questions, source };
  } else if (module.quiz) {
    throw new CourseFileError(relative(root, quizPath), undefined, 'course.yaml sets quiz settings for this module but quiz.gift is missing');
  }
  return { slug: module.slug, title: module.title, lessons, quiz };
}

export function loadCourse(root: string, slug: string): CourseDefinition {
  if (!SLUG.test(slug)) throw new CourseFileError(slug, undefined, 'course folders are named with lower-case letters, digits and hyphens');
  const file = loadCourseFile(root, slug);
  const slugs = file.modules.map((module) => module.slug);
  const repeated = slugs.find((moduleSlug, index) => slugs.indexOf(moduleSlug) !== index);
  if (repeated) throw new CourseFileError(join(slug, 'course.yaml'), undefined, `module "${repeated}" is listed twice`);
  const modules = file.modules.map((module) => loadModule(root, slug, module, file.completion.passingScore));
  // Progress is recorded per lesson slug, so a slug names one lesson in the whole course.
  const lessonSlugs = modules.flatMap((module) => module.lessons.map((lesson) => lesson.slug));
  const twice = lessonSlugs.find((lessonSlug, index) => lessonSlugs.indexOf(lessonSlug) !== index);
  if (twice) throw new CourseFileError(slug, undefined, `two lessons of the course are "${twice}": lesson slugs must be unique in a course`);
  return { ...file, slug, modules };
}

/** Every course folder under `root` (folders without course.yaml, like images, are not courses). */
export function loadCourses(root: string): CourseDefinition[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(root, entry.name, 'course.yaml')))
    .map((entry) => entry.name)
    .sort()
    .map((slug) => loadCourse(root, slug));
}
