import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { loadCourses, type CourseDefinition } from '../../../src/courses/course-loader.js';

/** The four courses the project ships (SPEC.md, "The courses it ships with"), checked as files. */
const COURSES_DIR = fileURLToPath(new URL('../../../courses', import.meta.url));
const ALL_TYPES = ['single', 'multiple', 'true_false', 'short_answer', 'numeric', 'matching'];

function words(markdown: string): number {
  return markdown.replace(/!\[[^\]]*\]\([^)]*\)/g, ' ').split(/\s+/).filter((word) => /[\p{L}\p{N}]/u.test(word)).length;
}

describe('the shipped courses', () => {
  let courses: CourseDefinition[];
  before(() => {
    courses = loadCourses(COURSES_DIR);
  });

  it('are the four courses of the specification, and all load', () => {
    expect(courses.map((course) => course.slug)).to.deep.equal([
      'enfoques-diferenciales-genero-inclusion',
      'estrategias-desarrollo-gestion-social',
      'gestion-social-integral',
      'induccion-conyuges-gobernantes-alcaldes',
    ]);
    for (const course of courses) expect(course.language, course.slug).to.equal('es');
  });

  it('give "Estrategias de desarrollo en la gestión social" exactly its four modules and 64 hours', () => {
    const course = courses.find((candidate) => candidate.slug === 'estrategias-desarrollo-gestion-social')!;
    expect(course.modules).to.have.length(4);
    expect(course.hours).to.equal(64);
  });

  it('have at least 3 modules, each with 2+ lessons of 600 to 1,500 words', () => {
    for (const course of courses) {
      expect(course.modules.length, course.slug).to.be.at.least(3);
      for (const module of course.modules) {
        expect(module.lessons.length, `${course.slug}/${module.slug}`).to.be.at.least(2);
        for (const lesson of module.lessons) {
          expect(words(lesson.markdown), `${course.slug}/${module.slug}/${lesson.slug}`).to.be.within(600, 1500);
        }
      }
    }
  });

  it('end every module with a quiz of 5+ questions mixing all six question types', () => {
    for (const course of courses) {
      for (const module of course.modules) {
        const where = `${course.slug}/${module.slug}`;
        expect(module.quiz, where).to.not.equal(null);
        expect(module.quiz!.questions.length, where).to.be.at.least(5);
        expect(new Set(module.quiz!.questions.map((question) => question.type)), where).to.have.all.keys(...ALL_TYPES);
      }
    }
  });

  it('issue certificates with signatories', () => {
    for (const course of courses) {
      expect(course.certificate.enabled, course.slug).to.equal(true);
      expect(course.certificate.signatories.length, course.slug).to.be.at.least(1);
    }
  });
});
