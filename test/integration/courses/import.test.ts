import { expect } from 'chai';
import request from 'supertest';
import { CourseFileError } from '../../../src/courses/index.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { courseFixture, sampleCourseFiles, type CourseFixture } from '../../helpers/course-fixture.js';

describe('course import and the catalog API', () => {
  let fixture: CourseFixture;
  let ctx: TestApp;
  beforeEach(async () => {
    fixture = courseFixture(sampleCourseFiles());
    ctx = await createTestApp({ COURSES_DIR: fixture.root });
  });
  afterEach(async () => {
    await ctx.close();
    fixture.cleanUp();
  });
  const courses = () => ctx.database.connection.collection('courses');

  it('imports a course folder and serves it as API.md says', async () => {
    const [report] = await ctx.services.courses.importCourses();
    expect(report).to.deep.include({ slug: 'curso-de-prueba', outcome: 'created' });
    const catalog = await request(ctx.app).get('/api/v1/courses').expect(200);
    expect(catalog.body).to.deep.equal({
      items: [{ slug: 'curso-de-prueba', title: 'Curso de prueba', summary: 'Un curso pequeño para las pruebas.', hours: 12, moduleCount: 2, certificate: true }],
    });
    const course = await request(ctx.app).get('/api/v1/courses/curso-de-prueba').expect(200);
    expect(course.body).to.deep.equal({
      slug: 'curso-de-prueba',
      title: 'Curso de prueba',
      summary: 'Un curso pequeño para las pruebas.',
      hours: 12,
      completion: { passingScore: 70, minLiveSessionsAttended: 0 },
      modules: [
        {
          slug: 'primer-modulo',
          title: 'Primer módulo',
          lessons: [
            { slug: 'bienvenida', title: 'Bienvenida', minutes: 10 },
            { slug: 'el-territorio', title: 'El territorio', minutes: 15 },
          ],
          quiz: { id: 'curso-de-prueba.primer-modulo', title: 'Evaluación del primer módulo', questionCount: 6 },
        },
        { slug: 'segundo-modulo', title: 'Segundo módulo', lessons: [{ slug: 'cierre', title: 'Cierre', minutes: 5 }], quiz: null },
      ],
    });
    await request(ctx.app).get('/api/v1/courses/no-existe').expect(404);
  });

  it('renders lessons as sanitised HTML with images from the course folder and video links', async () => {
    await ctx.services.courses.importCourses();
    const lesson = await ctx.services.courses.getLesson('curso-de-prueba', 'bienvenida');
    expect(lesson.html).to.include('<h2>Para empezar</h2>');
    expect(lesson.html).to.include('src="/course-files/curso-de-prueba/images/pasos.svg"');
    expect(lesson.html).not.to.include('<script');
    expect(lesson.html).to.include('class="video-link"');
    const table = await ctx.services.courses.getLesson('curso-de-prueba', 'el-territorio');
    expect(table.html).to.include('<th scope="col">Código</th>');
  });

  it('serves course images with a sandboxing policy, and nothing outside images/', async () => {
    const image = await request(ctx.app).get('/course-files/curso-de-prueba/images/pasos.svg').expect(200);
    expect(image.headers['content-type']).to.match(/image\/svg\+xml/);
    expect(image.headers['content-security-policy']).to.include('sandbox');
    await request(ctx.app).get('/course-files/curso-de-prueba/images/..%2Fcourse.yaml').expect(404);
    await request(ctx.app).get('/course-files/curso-de-prueba/course.yaml').expect(404);
    await request(ctx.app).get('/course-files/..%2F..%2Fpackage.json/images/x.svg').expect(404);
  });

  it('re-importing unchanged files changes nothing; an edit updates the course', async () => {
    await ctx.services.courses.importCourses();
    const before = await courses().findOne({ _id: 'curso-de-prueba' as never });
    const [again] = await ctx.services.courses.importCourses();
    expect(again!.outcome).to.equal('unchanged');
    expect((await courses().findOne({ _id: 'curso-de-prueba' as never }))?.importedAt).to.deep.equal(before?.importedAt);
    fixture.write('curso-de-prueba/segundo-modulo/01-cierre.md', '---\ntitle: Cierre revisado\nminutes: 7\n---\n\n## Para terminar\n\nGracias de nuevo.\n');
    const [edited] = await ctx.services.courses.importCourses();
    expect(edited!.outcome).to.equal('updated');
    expect((await ctx.services.courses.getLesson('curso-de-prueba', 'cierre')).title).to.equal('Cierre revisado');
  });

  it('reports a removed lesson and records it instead of dropping it silently', async () => {
    await ctx.services.courses.importCourses();
    fixture.remove('curso-de-prueba/primer-modulo/02-el-territorio.md');
    const [report] = await ctx.services.courses.importCourses();
    expect(report!.removedLessons).to.deep.equal(['el-territorio']);
    const stored = await courses().findOne({ _id: 'curso-de-prueba' as never });
    expect(stored?.removedLessons.map((lesson: { slug: string }) => lesson.slug)).to.deep.equal(['el-territorio']);
  });

  for (const [label, path, content, file, line] of [
    ['malformed YAML', 'curso-de-prueba/course.yaml', 'title: [sin cerrar\nsummary: x\n', 'curso-de-prueba/course.yaml', 2],
    ['a course.yaml field of the wrong type', 'curso-de-prueba/course.yaml', sampleCourseFiles()['curso-de-prueba/course.yaml']!.replace('hours: 12', 'hours: doce'), 'curso-de-prueba/course.yaml', 3],
    ['a broken GIFT question', 'curso-de-prueba/primer-modulo/quiz.gift', '::a:: bien {T}\n\n::b:: mal {=uno ~dos\n', 'curso-de-prueba/primer-modulo/quiz.gift', 3],
    ['lesson front matter without minutes', 'curso-de-prueba/segundo-modulo/01-cierre.md', '---\ntitle: Cierre\n---\n\nTexto.\n', 'curso-de-prueba/segundo-modulo/01-cierre.md', 1],
  ] as const) {
    it(`stops at ${label} with the file, line and reason, and changes nothing`, async () => {
      await ctx.services.courses.importCourses();
      const before = await courses().findOne({ _id: 'curso-de-prueba' as never });
      fixture.write('curso-de-prueba/segundo-modulo/01-cierre.md', '---\ntitle: Otro título\nminutes: 5\n---\n\nCambiado.\n');
      fixture.write(path, content);
      const error = await ctx.services.courses.importCourses().then(() => undefined, (failure: unknown) => failure);
      expect(error).to.be.instanceOf(CourseFileError);
      expect((error as CourseFileError).file).to.equal(file);
      expect((error as CourseFileError).line).to.equal(line);
      expect((error as CourseFileError).reason).to.be.a('string').and.not.empty;
      expect(await courses().findOne({ _id: 'curso-de-prueba' as never })).to.deep.equal(before);
    });
  }

  it('refuses a module folder that course.yaml names but does not exist', async () => {
    fixture.remove('curso-de-prueba/segundo-modulo');
    const error = await ctx.services.courses.importCourses().then(() => undefined, (failure: unknown) => failure);
    expect((error as CourseFileError).file).to.equal('curso-de-prueba/segundo-modulo');
    expect(await courses().countDocuments()).to.equal(0);
  });
});
