import { expect } from 'chai';
import request from 'supertest';
import { TestClock, createTestApp, type TestApp } from '../../helpers/app.js';
import { courseFixture, sampleCourseFiles, type CourseFixture } from '../../helpers/course-fixture.js';
import { registerAndSignIn, type SignedIn } from '../../helpers/factories.js';

const COURSE = 'curso-de-prueba';

async function staffToken(ctx: TestApp, role: 'manager' | 'facilitator', email: string): Promise<{ id: string; auth: { Authorization: string } }> {
  await ctx.services.accounts.auth.createSystemAccount({ email, roles: [role], password: 'clave-de-equipo-2026' });
  const response = await request(ctx.app).post('/api/v1/auth/tokens').send({ email, password: 'clave-de-equipo-2026' }).expect(201);
  return { id: response.body.user.id, auth: { Authorization: `Bearer ${response.body.token}` } };
}

describe('cohorts, enrollment and progress', function () {
  this.timeout(60_000);
  let fixture: CourseFixture;
  let ctx: TestApp;
  let manager: { id: string; auth: { Authorization: string } };
  const clock = new TestClock();

  before(async () => {
    fixture = courseFixture({ ...sampleCourseFiles(), ...sampleCourseFiles('curso-por-cohortes') });
    fixture.write('curso-por-cohortes/course.yaml', sampleCourseFiles()['curso-de-prueba/course.yaml']!.replace('enrollment: open', 'enrollment: cohort_only'));
    ctx = await createTestApp({ COURSES_DIR: fixture.root }, clock);
    await ctx.services.courses.importCourses();
    manager = await staffToken(ctx, 'manager', 'gestion.inscripciones@example.org');
  });
  after(async () => {
    await ctx.close();
    fixture.cleanUp();
  });

  const cohortBody = (overrides: Record<string, unknown> = {}) => ({
    name: 'Cohorte Pacífico 2026',
    enrollmentOpensAt: new Date(clock.now().getTime() - 86_400_000).toISOString(),
    enrollmentClosesAt: new Date(clock.now().getTime() + 30 * 86_400_000).toISOString(),
    startsAt: '2026-12-01T08:00:00-05:00',
    endsAt: '2027-02-28T18:00:00-05:00',
    ...overrides,
  });
  const createCohort = async (overrides: Record<string, unknown> = {}, course = COURSE) =>
    (await request(ctx.app).post(`/api/v1/courses/${course}/cohorts`).set(manager.auth).send(cohortBody(overrides)).expect(201)).body as { id: string };
  const enroll = (person: SignedIn, body: Record<string, unknown> = {}, course = COURSE) =>
    request(ctx.app).post(`/api/v1/courses/${course}/enrollments`).set(person.auth).send(body);

  describe('cohorts', () => {
    it('managers create cohorts; anyone lists them with their enrolled count; times with offsets are honoured', async () => {
      const cohort = await createCohort({ capacity: 30 });
      const list = await request(ctx.app).get(`/api/v1/courses/${COURSE}/cohorts`).expect(200);
      const listed = list.body.items.find((item: { id: string }) => item.id === cohort.id);
      expect(listed).to.include({ name: 'Cohorte Pacífico 2026', capacity: 30, enrolledCount: 0, startsAt: '2026-12-01T13:00:00.000Z' });
    });

    it('refuses a cohort that closes before it opens or ends before it starts', async () => {
      await request(ctx.app).post(`/api/v1/courses/${COURSE}/cohorts`).set(manager.auth).send(cohortBody({ endsAt: '2026-11-30T00:00:00Z' })).expect(400);
      const learner = await registerAndSignIn(ctx.app);
      await request(ctx.app).post(`/api/v1/courses/${COURSE}/cohorts`).set(learner.auth).send(cohortBody()).expect(403);
    });
  });

  describe('self-enrollment', () => {
    it('answers 201 with the enrollment, then 409 for a second try', async () => {
      const learner = await registerAndSignIn(ctx.app);
      const response = await enroll(learner).expect(201);
      expect(response.body).to.include({ courseSlug: COURSE, cohortId: null, status: 'active', progress: 0 });
      expect(response.body.enrolledAt).to.be.a('string');
      const again = await enroll(learner).expect(409);
      expect(again.body.error.code).to.equal('conflict');
    });

    it('refuses a cohort outside its enrollment window with reason "closed", before and after', async () => {
      const learner = await registerAndSignIn(ctx.app);
      const future = await createCohort({ enrollmentOpensAt: new Date(clock.now().getTime() + 86_400_000).toISOString(), enrollmentClosesAt: new Date(clock.now().getTime() + 2 * 86_400_000).toISOString() });
      expect((await enroll(learner, { cohortId: future.id }).expect(409)).body.error.details.reason).to.equal('closed');
      const past = await createCohort({ enrollmentOpensAt: new Date(clock.now().getTime() - 2 * 86_400_000).toISOString(), enrollmentClosesAt: new Date(clock.now().getTime() - 86_400_000).toISOString() });
      expect((await enroll(learner, { cohortId: past.id }).expect(409)).body.error.details.reason).to.equal('closed');
    });

    it('needs a cohort when the course says cohort_only', async () => {
      const learner = await registerAndSignIn(ctx.app);
      expect((await enroll(learner, {}, 'curso-por-cohortes').expect(409)).body.error.details.reason).to.equal('cohort_required');
      const cohort = await createCohort({}, 'curso-por-cohortes');
      await enroll(learner, { cohortId: cohort.id }, 'curso-por-cohortes').expect(201);
    });

    it('200 simultaneous enrollments into a cohort of capacity 50 leave exactly 50 enrolled', async () => {
      const cohort = await createCohort({ capacity: 50 });
      const learners = await Promise.all(Array.from({ length: 200 }, () => registerAndSignIn(ctx.app)));
      const responses = await Promise.all(learners.map((learner) => enroll(learner, { cohortId: cohort.id })));
      const created = responses.filter((response) => response.status === 201).length;
      const full = responses.filter((response) => response.status === 409 && response.body.error.details.reason === 'full').length;
      expect(created).to.equal(50);
      expect(full).to.equal(150);
      const stored = await ctx.database.connection.collection('enrollments').countDocuments({ cohortId: new (await import('mongodb')).ObjectId(cohort.id) });
      expect(stored).to.equal(50);
      const listed = (await request(ctx.app).get(`/api/v1/courses/${COURSE}/cohorts`).expect(200)).body.items.find((item: { id: string }) => item.id === cohort.id);
      expect(listed.enrolledCount).to.equal(50);
    });
  });

  describe('bulk enrollment', () => {
    it('enrolls a list, counting those already enrolled', async () => {
      const [first, second] = await Promise.all([registerAndSignIn(ctx.app), registerAndSignIn(ctx.app)]);
      await enroll(first!).expect(201);
      const response = await request(ctx.app).post(`/api/v1/courses/${COURSE}/enrollments/bulk`).set(manager.auth).send({ userIds: [first!.id, second!.id] }).expect(200);
      expect(response.body).to.deep.equal({ enrolled: 1, alreadyEnrolled: 1 });
    });

    it('answers 400 listing unknown ids and enrolls nobody', async () => {
      const learner = await registerAndSignIn(ctx.app);
      const response = await request(ctx.app)
        .post(`/api/v1/courses/${COURSE}/enrollments/bulk`)
        .set(manager.auth)
        .send({ userIds: [learner.id, 'ffffffffffffffffffffffff'] })
        .expect(400);
      expect(response.body.error.details.unknownIds).to.deep.equal(['ffffffffffffffffffffffff']);
      expect((await request(ctx.app).get('/api/v1/me/enrollments').set(learner.auth).expect(200)).body.items).to.have.length(0);
    });
  });

  describe('lessons and progress', () => {
    it('keeps lessons from people who are not enrolled (403) and serves them to the enrolled', async () => {
      const learner = await registerAndSignIn(ctx.app);
      const refused = await request(ctx.app).get(`/api/v1/courses/${COURSE}/lessons/bienvenida`).set(learner.auth).expect(403);
      expect(refused.body.error.code).to.equal('forbidden');
      await enroll(learner).expect(201);
      const lesson = await request(ctx.app).get(`/api/v1/courses/${COURSE}/lessons/bienvenida`).set(learner.auth).expect(200);
      expect(lesson.body).to.include({ slug: 'bienvenida', title: 'Bienvenida', moduleSlug: 'primer-modulo', minutes: 10, completed: false });
      expect(lesson.body.html).to.include('<h2>Para empezar</h2>');
      await request(ctx.app).get(`/api/v1/courses/${COURSE}/lessons/no-existe`).set(learner.auth).expect(404);
    });

    it('lets the course\'s facilitators read lessons, not other facilitators', async () => {
      const own = await staffToken(ctx, 'facilitator', 'facilitadora.propia@example.org');
      const other = await staffToken(ctx, 'facilitator', 'facilitador.ajeno@example.org');
      await request(ctx.app).put(`/api/v1/courses/${COURSE}/facilitators`).set(manager.auth).send({ userIds: [own.id] }).expect(200);
      await request(ctx.app).get(`/api/v1/courses/${COURSE}/lessons/bienvenida`).set(own.auth).expect(200);
      await request(ctx.app).get(`/api/v1/courses/${COURSE}/lessons/bienvenida`).set(other.auth).expect(403);
      await request(ctx.app).get(`/api/v1/courses/${COURSE}/enrollments`).set(own.auth).expect(200);
      await request(ctx.app).get(`/api/v1/courses/${COURSE}/enrollments`).set(other.auth).expect(403);
    });

    it('counts each lesson and each module quiz as one item, rounded down; repeating a completion changes nothing', async () => {
      const learner = await registerAndSignIn(ctx.app);
      await enroll(learner).expect(201);
      // 3 lessons + 1 quiz = 4 items.
      const once = await request(ctx.app).post(`/api/v1/courses/${COURSE}/lessons/bienvenida/complete`).set(learner.auth).expect(200);
      expect(once.body).to.deep.equal({ progress: 25 });
      const twice = await request(ctx.app).post(`/api/v1/courses/${COURSE}/lessons/bienvenida/complete`).set(learner.auth).expect(200);
      expect(twice.body).to.deep.equal({ progress: 25 });
      const concurrent = await Promise.all(
        Array.from({ length: 20 }, () => request(ctx.app).post(`/api/v1/courses/${COURSE}/lessons/el-territorio/complete`).set(learner.auth)),
      );
      expect(concurrent.every((response) => response.status === 200)).to.equal(true);
      const mine = await request(ctx.app).get('/api/v1/me/enrollments').set(learner.auth).expect(200);
      expect(mine.body.items[0]).to.include({ courseSlug: COURSE, status: 'active', progress: 50, cohortId: null, completedAt: null, certificateCode: null });
    });

    it('completes the course when every item is done, announces it once, and shows 100', async () => {
      const announced: string[] = [];
      ctx.services.events.subscribe('enrollment.completed', async (event) => {
        announced.push(event.enrollmentId);
      });
      const learner = await registerAndSignIn(ctx.app);
      const enrollment = (await enroll(learner).expect(201)).body;
      for (const lesson of ['bienvenida', 'el-territorio', 'cierre']) {
        await request(ctx.app).post(`/api/v1/courses/${COURSE}/lessons/${lesson}/complete`).set(learner.auth).expect(200);
      }
      expect((await request(ctx.app).get('/api/v1/me/enrollments').set(learner.auth)).body.items[0]).to.include({ status: 'active', progress: 75 });
      await Promise.all(Array.from({ length: 10 }, () => ctx.services.enrollments.recordQuizPassed(learner.id, COURSE, 'primer-modulo')));
      const item = (await request(ctx.app).get('/api/v1/me/enrollments').set(learner.auth)).body.items[0];
      expect(item).to.include({ status: 'completed', progress: 100 });
      expect(item.completedAt).to.be.a('string');
      expect(announced.filter((id) => id === enrollment.id)).to.have.length(1);
    });

    it('announces again at start-up a completion whose announcement a crash interrupted', async () => {
      const learner = await registerAndSignIn(ctx.app);
      const enrollment = (await enroll(learner).expect(201)).body;
      await ctx.database.connection.collection('enrollments').updateOne(
        { _id: new (await import('mongodb')).ObjectId(enrollment.id) },
        { $set: { status: 'completed', completedAt: new Date(), completionPublishedAt: null } },
      );
      const seen: string[] = [];
      ctx.services.events.subscribe('enrollment.completed', async (event) => {
        seen.push(event.enrollmentId);
      });
      expect(await ctx.services.enrollments.republishPendingCompletions()).to.be.at.least(1);
      expect(seen).to.include(enrollment.id);
      expect(await ctx.services.enrollments.republishPendingCompletions()).to.equal(0);
    });

    it('keeps progress when the course is re-imported after an edit', async () => {
      const learner = await registerAndSignIn(ctx.app);
      await enroll(learner).expect(201);
      await request(ctx.app).post(`/api/v1/courses/${COURSE}/lessons/bienvenida/complete`).set(learner.auth).expect(200);
      fixture.write(`${COURSE}/primer-modulo/01-bienvenida.md`, '---\ntitle: Bienvenida (revisada)\nminutes: 12\n---\n\n## Para empezar\n\nTexto corregido.\n');
      const [report] = (await ctx.services.courses.importCourses()).filter((entry) => entry.slug === COURSE);
      expect(report!.outcome).to.equal('updated');
      const mine = (await request(ctx.app).get('/api/v1/me/enrollments').set(learner.auth)).body.items[0];
      expect(mine.progress).to.equal(25);
      const lesson = await request(ctx.app).get(`/api/v1/courses/${COURSE}/lessons/bienvenida`).set(learner.auth).expect(200);
      expect(lesson.body).to.include({ title: 'Bienvenida (revisada)', completed: true });
    });

    it('puts enrollments and progress into the person\'s data export', async () => {
      const learner = await registerAndSignIn(ctx.app);
      await enroll(learner).expect(201);
      await request(ctx.app).post(`/api/v1/courses/${COURSE}/lessons/bienvenida/complete`).set(learner.auth).expect(200);
      const exported = await request(ctx.app).get('/api/v1/me/export').set(learner.auth).expect(200);
      expect(exported.body.enrollments).to.have.length(1);
      expect(exported.body.enrollments[0]).to.include({ courseSlug: COURSE, progress: 25, lastLessonSlug: 'bienvenida' });
    });

    it('tells which courses a person is enrolled in, with the cohort of each', async () => {
      const cohort = await createCohort({}, 'curso-por-cohortes');
      const learner = await registerAndSignIn(ctx.app);
      expect(await ctx.services.enrollments.enrolledCoursesOf(learner.id)).to.deep.equal([]);
      await enroll(learner).expect(201);
      await enroll(learner, { cohortId: cohort.id }, 'curso-por-cohortes').expect(201);
      expect(await ctx.services.enrollments.enrolledCoursesOf(learner.id)).to.deep.equal([
        { courseSlug: COURSE, cohortId: null },
        { courseSlug: 'curso-por-cohortes', cohortId: cohort.id },
      ]);
      expect(await ctx.services.enrollments.enrolledCoursesOf('no-es-un-id')).to.deep.equal([]);
    });

    it('remembers the last lesson read, for "continue where I left off"', async () => {
      const learner = await registerAndSignIn(ctx.app);
      await enroll(learner).expect(201);
      await request(ctx.app).get(`/api/v1/courses/${COURSE}/lessons/el-territorio`).set(learner.auth).expect(200);
      expect((await request(ctx.app).get('/api/v1/me/enrollments').set(learner.auth)).body.items[0].lastLessonSlug).to.equal('el-territorio');
    });
  });

  describe('following a course', () => {
    it('lists the enrolled with names, progress and live sessions attended, filters by cohort, and exports CSV with a BOM', async () => {
      const cohort = await createCohort();
      const learner = await registerAndSignIn(ctx.app, { givenName: 'Yolanda', familyName: 'Mosquera Ñáñez' });
      await enroll(learner, { cohortId: cohort.id }).expect(201);
      await ctx.services.enrollments.setAttendedSessions(COURSE, new Map([[learner.id, 2]]));
      const list = await request(ctx.app).get(`/api/v1/courses/${COURSE}/enrollments?cohort=${cohort.id}`).set(manager.auth).expect(200);
      expect(list.body.items).to.have.length(1);
      expect(list.body.items[0]).to.include({ name: 'Yolanda Mosquera Ñáñez', email: learner.email, progress: 0, cohortId: cohort.id, attendedSessions: 2 });
      const csv = await request(ctx.app).get(`/api/v1/courses/${COURSE}/enrollments.csv?cohort=${cohort.id}`).set(manager.auth).buffer(true).parse((response, done) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => done(null, Buffer.concat(chunks).toString('utf8')));
      }).expect(200);
      const text = csv.body as string;
      expect(text.charCodeAt(0)).to.equal(0xfeff);
      expect(text).to.include('nombre,correo,cohorte,estado,progreso,inscripcion,finalizacion,ultima_leccion,sesiones_asistidas');
      expect(text).to.match(/^Yolanda Mosquera Ñáñez,.*,2\r?$/m);
      const learnerCsv = await request(ctx.app).get(`/api/v1/courses/${COURSE}/enrollments.csv`).set(learner.auth);
      expect(learnerCsv.status).to.equal(403);
    });
  });
});
