import { expect } from 'chai';
import request from 'supertest';
import { TestClock, createTestApp, type TestApp } from '../../helpers/app.js';
import { courseFixture, sampleCourseFiles, type CourseFixture } from '../../helpers/course-fixture.js';
import { registerAndSignIn } from '../../helpers/factories.js';
import { accountWithRoles, csrfTokenIn, signInThroughForm, webSession, type WebSession } from '../../helpers/web-session.js';

/**
 * The course pages as people use them in a browser (cookie session, CSRF token in every
 * form): the catalog, the course page, enrolling, the lesson reader, "My courses", and
 * the facilitators' list of people with its CSV file.
 *
 * Each behaviour has a course of its own, so that the cohorts one test opens never
 * change what another test sees.
 */

const COURSE = 'curso-de-prueba';
const WITH_COHORTS = 'curso-con-cohortes';
const COHORT_ONLY = 'curso-por-cohortes';
const NO_OPEN_COHORT = 'curso-sin-cohorte-abierta';
const DAY = 86_400_000;

const lessonPath = (lesson: string, course = COURSE): string => `/courses/${course}/lessons/${lesson}`;

/** The text of the page's flash messages. */
function flashesOf(html: string): string[] {
  return [...html.matchAll(/<div class="flash flash-(\w+)"[^>]*>\s*<p>([^<]*)<\/p>/g)].map((match) => `${match[1]}: ${match[2]}`);
}

describe('course pages: catalog, course, enrollment, lessons, my courses, people', function () {
  this.timeout(60_000);
  const clock = new TestClock();
  let fixture: CourseFixture;
  let ctx: TestApp;

  before(async () => {
    const cohortOnly = (slug: string) => sampleCourseFiles(slug)[`${slug}/course.yaml`]!.replace('enrollment: open', 'enrollment: cohort_only').replace('Curso de prueba', `Curso ${slug}`);
    fixture = courseFixture({ ...sampleCourseFiles(), ...sampleCourseFiles(WITH_COHORTS), ...sampleCourseFiles(COHORT_ONLY), ...sampleCourseFiles(NO_OPEN_COHORT) });
    fixture.write(`${WITH_COHORTS}/course.yaml`, sampleCourseFiles(WITH_COHORTS)[`${WITH_COHORTS}/course.yaml`]!.replace('Curso de prueba', 'Curso con cohortes'));
    fixture.write(`${COHORT_ONLY}/course.yaml`, cohortOnly(COHORT_ONLY));
    fixture.write(`${NO_OPEN_COHORT}/course.yaml`, cohortOnly(NO_OPEN_COHORT));
    ctx = await createTestApp({ COURSES_DIR: fixture.root }, clock);
    await ctx.services.courses.importCourses();
  });
  after(async () => {
    await ctx.close();
    fixture.cleanUp();
  });

  /** Signed in through the form, the welcome message already shown, so that a test sees only its own messages. */
  const signedIn = async (credentials: { email: string; password: string }): Promise<WebSession> => {
    const session = await signInThroughForm(ctx.app, credentials);
    await session.agent.get('/account').expect(200);
    return session;
  };
  const learnerSession = async (overrides: Record<string, unknown> = {}): Promise<WebSession & { id: string; email: string }> => {
    const person = await registerAndSignIn(ctx.app, overrides);
    return Object.assign(await signedIn(person), { id: person.id, email: person.email });
  };
  const staffSession = async (role: 'facilitator' | 'manager'): Promise<WebSession & { id: string; auth: { Authorization: string } }> => {
    const credentials = await accountWithRoles(ctx.services, [role]);
    const token = await request(ctx.app).post('/api/v1/auth/tokens').send(credentials).expect(201);
    return Object.assign(await signedIn(credentials), { id: String(token.body.user.id), auth: { Authorization: `Bearer ${String(token.body.token)}` } });
  };
  const createCohort = (course: string, overrides: Record<string, unknown> = {}) =>
    ctx.services.enrollments.createCohort(course, {
      name: 'Cohorte Pacífico 2026',
      enrollmentOpensAt: new Date(clock.now().getTime() - DAY),
      enrollmentClosesAt: new Date(clock.now().getTime() + 30 * DAY),
      startsAt: new Date(clock.now().getTime() + 40 * DAY),
      endsAt: new Date(clock.now().getTime() + 120 * DAY),
      ...overrides,
    });
  /** Follows a redirect and returns the page it lands on (the flash shows there). */
  const follow = async (session: WebSession, response: request.Response): Promise<request.Response> => {
    expect(response.status, response.text.slice(0, 300)).to.equal(303);
    return session.agent.get(String(response.headers.location)).expect(200);
  };

  describe('the catalog', () => {
    it('lists every course with its summary, hours, modules and certificate, without starting a session', async () => {
      const page = await request(ctx.app).get('/courses').expect(200);
      expect(page.text).to.include('<h1>Cursos</h1>');
      expect(page.text).to.include(`<a href="/courses/${COURSE}">Curso de prueba</a>`);
      expect(page.text).to.include(`<a href="/courses/${WITH_COHORTS}">Curso con cohortes</a>`);
      expect(page.text).to.include('Un curso pequeño para las pruebas.');
      expect(page.text).to.include('12 horas');
      expect(page.text).to.include('2 módulos');
      expect(page.text).to.include('Con certificado');
      expect(page.text).not.to.include('<progress');
      expect(page.headers['set-cookie']).to.equal(undefined);
    });

    it('shows a signed-in learner their status and progress on the courses they take', async () => {
      const learner = await learnerSession();
      await ctx.services.enrollments.enroll({ id: learner.id, email: learner.email, roles: ['learner'] }, COURSE);
      const page = await learner.agent.get('/courses').expect(200);
      expect(page.text).to.include('En curso');
      expect(page.text).to.match(/<progress id="progress-curso-de-prueba" max="100" value="0"/);
      expect(page.text).to.include('<label class="progress-label" for="progress-curso-de-prueba">Tu avance en «Curso de prueba»</label>');
      expect(page.text).to.include('0 % completado');
      // Only one course is theirs.
      expect(page.text.match(/<progress /g)).to.have.length(1);
    });

    it('links to the catalog from the menu and the home page', async () => {
      const home = await request(ctx.app).get('/').expect(200);
      expect(home.text).to.include('<a href="/courses">Cursos</a>');
      expect(home.text).to.include('<a class="button" href="/courses">Ver los cursos</a>');
      const catalog = await request(ctx.app).get('/courses');
      expect(catalog.text).to.include('<a href="/courses" aria-current="page">Cursos</a>');
    });
  });

  describe('the course page', () => {
    it('shows an anonymous visitor the course, its modules, lessons, quiz and certificate, and a way to sign in to enroll', async () => {
      const page = await request(ctx.app).get(`/courses/${COURSE}`).expect(200);
      expect(page.text).to.include('<h1>Curso de prueba</h1>');
      for (const shown of ['Un curso pequeño para las pruebas.', '12 horas', '2 módulos', '3 lecciones', 'Módulo 1: Primer módulo', 'Módulo 2: Segundo módulo',
        'Bienvenida', '10 min', 'El territorio', '15 min', 'Cierre', 'Evaluación: Evaluación del primer módulo', '6 preguntas',
        '<strong>Ana Pérez</strong>, Coordinación académica', 'aprueba las evaluaciones de los módulos con al menos el 70 %']) {
        expect(page.text).to.include(shown);
      }
      expect(page.text).to.include(`href="/login?next=%2Fcourses%2F${COURSE}">Iniciar sesión para inscribirme</a>`);
      expect(page.text).not.to.include('action="/courses/curso-de-prueba/enroll"');
      // Lessons are links only for those who may read them.
      expect(page.text).not.to.include(`href="${lessonPath('bienvenida')}"`);
      // No live sessions yet: no section promising them.
      expect(page.text).not.to.include('sesiones en vivo</h2>');
      expect(page.headers['set-cookie']).to.equal(undefined);
    });

    it('answers 404 for a course that does not exist', async () => {
      await request(ctx.app).get('/courses/no-existe').expect(404);
    });

    it('offers a signed-in learner the enrollment form with its CSRF token, and no cohort to choose when there is none', async () => {
      const learner = await learnerSession();
      const page = await learner.agent.get(`/courses/${COURSE}`).expect(200);
      expect(page.text).to.include(`<form method="post" action="/courses/${COURSE}/enroll" class="form">`);
      expect(csrfTokenIn(page.text)).to.be.a('string');
      expect(page.text).to.include('>Inscribirme</button>');
      expect(page.text).not.to.include('name="cohortId"');
    });

    it('enrolls through the form, then shows progress, the cohort-free status and where to start', async () => {
      const learner = await learnerSession();
      const page = await follow(learner, await learner.post(`/courses/${COURSE}/enroll`));
      expect(flashesOf(page.text)).to.deep.equal(['success: Te inscribiste en «Curso de prueba». Empieza cuando quieras.']);
      expect(page.text).to.match(/<progress id="course-progress" max="100" value="0"/);
      expect(page.text).to.include('0 % completado');
      expect(page.text).to.include(`<a class="button" href="${lessonPath('bienvenida')}">Empezar el curso</a>`);
      expect(page.text).not.to.include('>Inscribirme</button>');
      // Lessons are now links.
      expect(page.text).to.include(`<a href="${lessonPath('el-territorio')}">El territorio</a>`);

      const again = await follow(learner, await learner.post(`/courses/${COURSE}/enroll`));
      expect(flashesOf(again.text)).to.deep.equal(['info: Ya tienes inscripción en este curso.']);
    });

    it('refuses a form without its CSRF token', async () => {
      const learner = await learnerSession();
      await learner.agent.post(`/courses/${COURSE}/enroll`).type('form').send({}).expect(403);
      expect(await ctx.services.enrollments.enrollmentOf(learner.id, COURSE)).to.equal(undefined);
    });

    it('sends an anonymous visitor who posts the form to sign in', async () => {
      const visitor = webSession(ctx.app);
      const response = await visitor.post(`/courses/${COURSE}/enroll`);
      expect(response.status).to.equal(303);
      expect(response.headers.location).to.equal('/login');
    });
  });

  describe('cohorts', () => {
    it('lets a learner choose among the open cohorts of an open course, or none, and shows the cohorts that are not open', async () => {
      const open = await createCohort(WITH_COHORTS, { name: 'Cohorte Caribe', capacity: 30 });
      await createCohort(WITH_COHORTS, { name: 'Cohorte Andina', enrollmentOpensAt: new Date(clock.now().getTime() - 10 * DAY), enrollmentClosesAt: new Date(clock.now().getTime() - DAY) });
      const learner = await learnerSession();
      const page = await learner.agent.get(`/courses/${WITH_COHORTS}`).expect(200);
      expect(page.text).to.include('<legend>¿Cómo quieres tomar el curso?');
      expect(page.text).to.match(/<input type="radio" id="field-cohortId" name="cohortId" value="" checked>\s*<label for="field-cohortId">A mi ritmo, sin cohorte<\/label>/);
      expect(page.text).to.include(`value="${open.id}">`);
      expect(page.text).to.include('30 de 30 cupos libres');
      // The closed cohort is listed with its state, and cannot be chosen.
      expect(page.text).to.include('Cohorte Andina</strong> <span class="status status-cohort-closed">Inscripciones cerradas</span>');
      expect((page.text.match(/type="radio"/g) ?? []).length).to.equal(2);

      const enrolled = await follow(learner, await learner.post(`/courses/${WITH_COHORTS}/enroll`, { cohortId: open.id }));
      expect(flashesOf(enrolled.text)).to.deep.equal(['success: Te inscribiste en «Curso con cohortes». Empieza cuando quieras.']);
      expect(enrolled.text).to.include('Cohorte: Cohorte Caribe.');
      expect((await ctx.services.enrollments.enrollmentOf(learner.id, WITH_COHORTS))?.cohortId).to.equal(open.id);
    });

    it('says why not when the cohort is closed, full or for other departments, and enrolls nobody', async () => {
      const closed = await createCohort(WITH_COHORTS, { name: 'Cohorte futura', enrollmentOpensAt: new Date(clock.now().getTime() + DAY), enrollmentClosesAt: new Date(clock.now().getTime() + 5 * DAY) });
      const full = await createCohort(WITH_COHORTS, { name: 'Cohorte pequeña', capacity: 1 });
      const elsewhere = await createCohort(WITH_COHORTS, { name: 'Cohorte Nariño', targetDepartments: ['52'] });
      const first = await learnerSession();
      await first.post(`/courses/${WITH_COHORTS}/enroll`, { cohortId: full.id });

      const learner = await learnerSession({ departmentCode: '05', municipalityCode: '05001' });
      const cases: Array<[string, string]> = [
        [closed.id, 'error: No pudimos inscribirte: las inscripciones de esa cohorte no están abiertas.'],
        [full.id, 'error: No pudimos inscribirte: esa cohorte ya no tiene cupos. Elige otra si hay disponibles.'],
        [elsewhere.id, 'error: No pudimos inscribirte: esa cohorte es para personas de otros departamentos. Revisa el departamento en «Mi cuenta» o elige otra cohorte.'],
        ['0123456789abcdef01234567', 'error: No pudimos inscribirte: esa cohorte no existe en este curso.'],
        ['no-es-un-id', 'error: No pudimos inscribirte: esa cohorte no existe en este curso.'],
      ];
      for (const [cohortId, message] of cases) {
        const response = await learner.post(`/courses/${WITH_COHORTS}/enroll`, { cohortId });
        expect(response.headers.location).to.equal(`/courses/${WITH_COHORTS}`);
        const page = await follow(learner, response);
        expect(flashesOf(page.text), cohortId).to.deep.equal([message]);
        // The page says it too, next to each cohort.
        expect(page.text).to.include('Cohorte pequeña</strong> <span class="status status-cohort-full">Sin cupos</span>');
        expect(page.text).to.include('Cohorte futura</strong> <span class="status status-cohort-upcoming">Inscripciones desde el');
        expect(page.text).to.include('Para personas de: Nariño');
      }
      expect(await ctx.services.enrollments.enrollmentOf(learner.id, WITH_COHORTS)).to.equal(undefined);
    });

    it('asks for a cohort when the course is taken in cohorts', async () => {
      const learner = await learnerSession();
      const refused = await follow(learner, await learner.post(`/courses/${COHORT_ONLY}/enroll`));
      expect(flashesOf(refused.text)).to.deep.equal(['error: Este curso se toma en cohortes: elige una para inscribirte.']);

      const cohort = await createCohort(COHORT_ONLY, { name: 'Cohorte única' });
      const page = await learner.agent.get(`/courses/${COHORT_ONLY}`).expect(200);
      expect(page.text).to.include('Este curso se toma en cohortes: elige la tuya.');
      expect(page.text).not.to.include('A mi ritmo, sin cohorte');
      // The only cohort there is comes chosen.
      expect(page.text).to.match(new RegExp(`id="field-cohortId" name="cohortId" value="${cohort.id}" checked`));
      const enrolled = await follow(learner, await learner.post(`/courses/${COHORT_ONLY}/enroll`, { cohortId: cohort.id }));
      expect(enrolled.text).to.include('Cohorte: Cohorte única.');
    });

    it('explains that there is no way in when a cohort-only course has no open cohort', async () => {
      const learner = await learnerSession();
      const page = await learner.agent.get(`/courses/${NO_OPEN_COHORT}`).expect(200);
      expect(page.text).to.include('Este curso se toma en cohortes y ahora no hay ninguna con inscripciones abiertas.');
      expect(page.text).not.to.include(`action="/courses/${NO_OPEN_COHORT}/enroll"`);
    });
  });

  describe('the lesson reader', () => {
    it('sends someone not enrolled to the course page to enroll first, and an anonymous visitor to sign in', async () => {
      const learner = await learnerSession();
      const response = await learner.agent.get(lessonPath('bienvenida'));
      expect(response.status).to.equal(303);
      expect(response.headers.location).to.equal(`/courses/${COURSE}`);
      const page = await follow(learner, response);
      expect(flashesOf(page.text)).to.deep.equal(['info: Para leer las lecciones de «Curso de prueba», primero inscríbete.']);

      const anonymous = await request(ctx.app).get(lessonPath('bienvenida'));
      expect(anonymous.status).to.equal(303);
      expect(anonymous.headers.location).to.equal(`/login?next=${encodeURIComponent(lessonPath('bienvenida'))}`);
    });

    it('shows an enrolled learner the lesson: breadcrumb, module, title, minutes, safe content, progress, the form to mark it done and the next lesson', async () => {
      const learner = await learnerSession();
      await learner.post(`/courses/${COURSE}/enroll`);
      const page = await learner.agent.get(lessonPath('bienvenida')).expect(200);
      expect(page.text).to.include('<h1 id="lesson-title">Bienvenida</h1>');
      expect(page.text).to.include('<nav class="breadcrumb" aria-label="Estás aquí">');
      expect(page.text).to.include(`<li><a href="/courses/${COURSE}">Curso de prueba</a></li>`);
      expect(page.text).to.include(`<li><a href="/courses/${COURSE}#module-primer-modulo">Módulo 1: Primer módulo</a></li>`);
      expect(page.text).to.include('<li aria-current="page">Bienvenida</li>');
      expect(page.text).to.include('Lectura de 10 min');
      expect(page.text).to.include('<h2>Para empezar</h2>');
      expect(page.text).to.include(`<img src="/course-files/${COURSE}/images/pasos.svg" alt="Diagrama de tres pasos"`);
      expect(page.text).to.include('Ver el video (se abre en otra pestaña)');
      expect(page.text).not.to.include("<script>alert('x')</script>");
      expect(page.text).to.match(/<progress id="course-progress" max="100" value="0"/);
      expect(page.text).to.include(`<form method="post" action="${lessonPath('bienvenida')}/complete" class="inline-form">`);
      expect(page.text).to.include('>Marcar como terminada</button>');
      expect(page.text).to.include(`<a href="${lessonPath('el-territorio')}" rel="next"><span class="pager-label">Siguiente</span> El territorio</a>`);
      expect(page.text).not.to.include('rel="prev"');
      expect(page.text).to.include(`<a href="${lessonPath('bienvenida')}" aria-current="page">Bienvenida</a>`);
    });

    it('links the previous lesson across modules, and the course after the last one', async () => {
      const learner = await learnerSession();
      await learner.post(`/courses/${COURSE}/enroll`);
      const page = await learner.agent.get(lessonPath('cierre')).expect(200);
      expect(page.text).to.include('Módulo 2: Segundo módulo');
      expect(page.text).to.include(`<a href="${lessonPath('el-territorio')}" rel="prev"><span class="pager-label">Anterior</span> El territorio</a>`);
      expect(page.text).to.include(`<a href="/courses/${COURSE}"><span class="pager-label">Siguiente</span> Volver al curso</a>`);
    });

    it('answers 404 for a lesson the course does not have', async () => {
      const learner = await learnerSession();
      await learner.post(`/courses/${COURSE}/enroll`);
      await learner.agent.get(lessonPath('no-existe')).expect(404);
      expect((await learner.post(`${lessonPath('no-existe')}/complete`)).status).to.equal(404);
    });

    it('marking a lesson done moves the progress and goes on to the next lesson with a message', async () => {
      const learner = await learnerSession();
      await learner.post(`/courses/${COURSE}/enroll`);
      const response = await learner.post(`${lessonPath('bienvenida')}/complete`);
      expect(response.headers.location).to.equal(lessonPath('el-territorio'));
      const next = await follow(learner, response);
      // Three lessons and one quiz: each lesson is a quarter of the course.
      expect(flashesOf(next.text)).to.deep.equal(['success: Terminaste «Bienvenida». Llevas el 25 % del curso.']);
      expect(next.text).to.match(/<progress id="course-progress" max="100" value="25"/);
      expect(next.text).to.include('25 % completado');

      const done = await learner.agent.get(lessonPath('bienvenida')).expect(200);
      expect(done.text).to.include('Ya terminaste esta lección.');
      expect(done.text).not.to.include('>Marcar como terminada</button>');

      const course = await learner.agent.get(`/courses/${COURSE}`).expect(200);
      expect(course.text).to.match(/<li class="lesson-item is-done">\s*<span class="tick" aria-hidden="true">✓<\/span>\s*<span><span class="visually-hidden">Terminada: <\/span><a href="[^"]+bienvenida">Bienvenida<\/a>/);
      expect(course.text).not.to.match(/is-done">[\s\S]{0,200}El territorio/);
      expect(course.text).to.include('25 % completado');

      // The last lesson leads back to the course page.
      await learner.post(`${lessonPath('el-territorio')}/complete`);
      const last = await learner.post(`${lessonPath('cierre')}/complete`);
      expect(last.headers.location).to.equal(`/courses/${COURSE}`);
      expect(flashesOf((await follow(learner, last)).text)).to.deep.equal(['success: Terminaste «Cierre». Llevas el 75 % del curso.']);
    });

    it('does not let someone who is not enrolled mark a lesson done', async () => {
      const learner = await learnerSession();
      const response = await learner.post(`${lessonPath('bienvenida')}/complete`);
      expect(response.headers.location).to.equal(`/courses/${COURSE}`);
      expect(await ctx.services.enrollments.enrollmentOf(learner.id, COURSE)).to.equal(undefined);
    });

    it('lets the course facilitator read a lesson without recording anything', async () => {
      const facilitator = await staffSession('facilitator');
      await ctx.services.courses.setFacilitators(COURSE, [facilitator.id]);
      const page = await facilitator.agent.get(lessonPath('el-territorio')).expect(200);
      expect(page.text).to.include('Ves esta lección como parte del equipo del curso');
      expect(page.text).not.to.include('Marcar como terminada');
      expect(page.text).not.to.include('<progress');
    });
  });

  describe('continue where I left off', () => {
    it('points the course page and "My courses" at the last lesson opened', async () => {
      const learner = await learnerSession();
      await learner.post(`/courses/${COURSE}/enroll`);
      await learner.post(`${lessonPath('bienvenida')}/complete`);
      await learner.agent.get(lessonPath('cierre')).expect(200);

      const course = await learner.agent.get(`/courses/${COURSE}`).expect(200);
      expect(course.text).to.include(`<a class="button" href="${lessonPath('cierre')}">Continuar donde quedé</a> <span class="muted">Cierre</span>`);

      const mine = await learner.agent.get('/my-courses').expect(200);
      expect(mine.text).to.include('<h1>Mis cursos</h1>');
      expect(mine.text).to.include(`<a href="/courses/${COURSE}">Curso de prueba</a>`);
      expect(mine.text).to.include(`<a class="button" href="${lessonPath('cierre')}">Continuar donde quedé<span class="visually-hidden"> en «Curso de prueba»</span></a>`);
      expect(mine.text).to.include('25 % completado');
      expect(mine.text).to.include('<a href="/my-courses" aria-current="page">Mis cursos</a>');
    });

    it('shows someone without courses the way to the catalog', async () => {
      const learner = await learnerSession();
      const mine = await learner.agent.get('/my-courses').expect(200);
      expect(mine.text).to.include('Todavía no tienes inscripción en ningún curso.');
      expect(mine.text).to.include('<a class="button" href="/courses">Ver los cursos disponibles</a>');
    });
  });

  describe('the people of a course', () => {
    it('is refused to a learner and to facilitators of other courses, and shown to the course facilitator and to managers', async () => {
      const learner = await learnerSession();
      const mine = await staffSession('facilitator');
      const other = await staffSession('facilitator');
      const manager = await staffSession('manager');
      await ctx.services.courses.setFacilitators(WITH_COHORTS, [mine.id]);
      await learner.post(`/courses/${WITH_COHORTS}/enroll`);

      await learner.agent.get(`/courses/${WITH_COHORTS}/people`).expect(403);
      await learner.agent.get(`/courses/${WITH_COHORTS}/people.csv`).expect(403);
      await other.agent.get(`/courses/${WITH_COHORTS}/people`).expect(403);
      await other.agent.get(`/courses/${WITH_COHORTS}/people.csv`).expect(403);
      await mine.agent.get('/courses/no-existe/people').expect(404);

      for (const staff of [mine, manager]) {
        const page = await staff.agent.get(`/courses/${WITH_COHORTS}/people`).expect(200);
        expect(page.text).to.include('<h1>Personas inscritas en «Curso con cohortes»</h1>');
        expect(page.text).to.include(`<th scope="row">María José Gómez O&#39;Neill</th>`);
        expect(page.text).to.include(`<td>${learner.email}</td>`);
      }
      // The course page leads the course team there.
      expect((await mine.agent.get(`/courses/${WITH_COHORTS}`)).text).to.include(`<a href="/courses/${WITH_COHORTS}/people">`);
      expect((await other.agent.get(`/courses/${WITH_COHORTS}`)).text).not.to.include(`/courses/${WITH_COHORTS}/people"`);
    });

    it('lists name, email, cohort, progress, status and the enrollment date in Bogotá, filtered by cohort', async () => {
      const manager = await staffSession('manager');
      const cohort = await createCohort(COURSE, { name: 'Cohorte Orinoquía' });
      const inCohort = await learnerSession({ givenName: 'Yuliana' });
      const selfPaced = await learnerSession({ givenName: 'Jhon Fredy' });
      await inCohort.post(`/courses/${COURSE}/enroll`, { cohortId: cohort.id });
      await selfPaced.post(`/courses/${COURSE}/enroll`);
      await inCohort.post(`${lessonPath('bienvenida')}/complete`);
      // Two live sessions attended, as the live-sessions module records them.
      await ctx.services.enrollments.setAttendedSessions(COURSE, new Map([[inCohort.id, 2]]));
      // 03:30 UTC on 1 March is still 28 February in Bogotá.
      await ctx.database.connection.collection('enrollments').updateOne({ courseSlug: COURSE, cohortId: { $ne: null } }, { $set: { enrolledAt: new Date('2026-03-01T03:30:00Z') } });

      const all = await manager.agent.get(`/courses/${COURSE}/people`).expect(200);
      expect(all.text).to.include('Yuliana Gómez');
      expect(all.text).to.include('Jhon Fredy Gómez');
      expect(all.text).to.match(/<th scope="col">Avance<\/th>\s*<th scope="col">Sesiones asistidas<\/th>/);
      expect(all.text).to.match(/Yuliana Gómez[^<]*<\/th>\s*<td>[^<]+<\/td>\s*<td>Cohorte Orinoquía<\/td>\s*<td>25 %<\/td>\s*<td>2<\/td>\s*<td><span class="status status-active">En curso<\/span><\/td>\s*<td>28 feb 2026<\/td>/);
      expect(all.text).to.match(/Jhon Fredy Gómez[^<]*<\/th>\s*<td>[^<]+<\/td>\s*<td>Sin cohorte<\/td>\s*<td>0 %<\/td>\s*<td>0<\/td>/);
      expect(all.text).to.include(`<a href="/courses/${COURSE}/people.csv" download>Descargar la lista (CSV)</a>`);

      const filtered = await manager.agent.get(`/courses/${COURSE}/people?cohort=${cohort.id}`).expect(200);
      expect(filtered.text).to.include('Yuliana Gómez');
      expect(filtered.text).not.to.include('Jhon Fredy Gómez');
      expect(filtered.text).to.include(`<option value="${cohort.id}" selected>Cohorte Orinoquía</option>`);
      expect(filtered.text).to.include(`<a href="/courses/${COURSE}/people.csv?cohort=${cohort.id}" download>`);
      await manager.agent.get(`/courses/${COURSE}/people?cohort=no-es-un-id`).expect(400);
    });

    it('downloads the same CSV as the API: UTF-8 with a BOM, the same columns, the names with their accents', async () => {
      const facilitator = await staffSession('facilitator');
      await ctx.services.courses.setFacilitators(NO_OPEN_COHORT, [facilitator.id]);
      const cohort = await createCohort(NO_OPEN_COHORT, { name: 'Cohorte Amazonía' });
      const learner = await learnerSession({ givenName: 'Ñusta Inés' });
      await learner.post(`/courses/${NO_OPEN_COHORT}/enroll`, { cohortId: cohort.id });
      await ctx.services.enrollments.setAttendedSessions(NO_OPEN_COHORT, new Map([[learner.id, 3]]));

      const response = await facilitator.agent.get(`/courses/${NO_OPEN_COHORT}/people.csv`).buffer(true).parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      }).expect(200);
      expect(response.headers['content-type']).to.equal('text/csv; charset=utf-8');
      expect(response.headers['content-disposition']).to.equal(`attachment; filename="inscritos-${NO_OPEN_COHORT}.csv"`);
      const bytes = response.body as Buffer;
      expect([...bytes.subarray(0, 3)]).to.deep.equal([0xef, 0xbb, 0xbf]);
      const text = bytes.toString('utf8').slice(1);
      const [header, row] = text.trim().split('\n');
      expect(header).to.equal('nombre,correo,cohorte,estado,progreso,inscripcion,finalizacion,ultima_leccion,sesiones_asistidas');
      expect(row).to.match(new RegExp(`^Ñusta Inés Gómez O'Neill,${learner.email.replace(/\./g, '\\.')},${cohort.id},active,0,`));
      // The sessions attended come last, so that spreadsheets built on the earlier columns still read them right.
      expect(row!.trim().split(',').at(-1)).to.equal('3');

      // The API's file, byte for byte.
      const fromApi = await request(ctx.app).get(`/api/v1/courses/${NO_OPEN_COHORT}/enrollments.csv`).set(facilitator.auth).expect(200);
      expect(fromApi.text).to.equal(bytes.toString('utf8'));
    });
  });

  describe('every new page', () => {
    it('has one h1, a language, and no inline script or style; English on request', async () => {
      const learner = await learnerSession();
      const manager = await staffSession('manager');
      await learner.post(`/courses/${COURSE}/enroll`);
      const pages = [
        await request(ctx.app).get('/courses'),
        await request(ctx.app).get(`/courses/${COURSE}`),
        await learner.agent.get('/courses'),
        await learner.agent.get(`/courses/${COURSE}`),
        await learner.agent.get(`/courses/${WITH_COHORTS}`),
        await learner.agent.get(lessonPath('bienvenida')),
        await learner.agent.get('/my-courses'),
        await manager.agent.get(`/courses/${COURSE}/people`),
      ];
      for (const page of pages) {
        const where = page.request.url;
        expect(page.status, where).to.equal(200);
        expect(page.text.match(/<h1[ >]/g), where).to.have.length(1);
        expect(page.text, where).to.match(/<html lang="es"/);
        expect(page.text, where).not.to.match(/<script(?![^>]*\bsrc=)[^>]*>/);
        expect(page.text, where).not.to.match(/\sstyle=/);
        expect(page.text, where).not.to.match(/\son[a-z]+=/);
      }
      const english = await learner.agent.get(`/courses/${COURSE}?lang=en`).expect(200);
      expect(english.text).to.include('Continue where I left off');
      expect(english.text).to.include('12 hours');
      expect(english.text).to.include('0% complete');
      expect(english.text).to.include('<a href="/my-courses">My courses</a>');
    });
  });
});
