import request from 'supertest';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { courseFixture, sampleCourseFiles, type CourseFixture } from '../../helpers/course-fixture.js';
import { registerAndSignIn } from '../../helpers/factories.js';
import { signInThroughForm, type WebSession } from '../../helpers/web-session.js';

/**
 * The security suites' world: two courses (X and Y, each the sample course: a quiz in
 * its first module, a certificate), a cohort of each, and people who each own things —
 *
 * - learner A: enrolled in X (cohort X1), one submitted and one open quiz attempt, a
 *   certificate of X, a "yes" to X1's live session, a calendar feed, mail in the outbox;
 * - learner B: enrolled in X too, but in cohort X2 (so X1's session is not hers), and in
 *   nothing else: every check B meets is about ownership, not about enrollment;
 * - facilitator FX of X only, facilitator FY of Y only; a manager; an administrator.
 *
 * Everyone has an API token and a web session signed in through the login form.
 */

export const X = 'curso-equis';
export const Y = 'curso-ye';
export const QUIZ_X = `${X}.primer-modulo`;
export const QUIZ_Y = `${Y}.primer-modulo`;
export const MODULE = 'primer-modulo';
export const LESSON = 'bienvenida';
/** A question each course's bank holds (its id is the GIFT title). */
export const BANK_QUESTION_X = 'pregunta-de-equis';
export const BANK_QUESTION_Y = 'pregunta-de-ye';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const STAFF_PASSWORD = 'clave-de-seguridad-2026';

export type Who = 'A' | 'B' | 'FX' | 'FY' | 'manager' | 'admin';
export const PEOPLE: Who[] = ['A', 'B', 'FX', 'FY', 'manager', 'admin'];

export interface Person {
  id: string;
  email: string;
  password: string;
  auth: { Authorization: string };
  web: WebSession;
}

export interface SecurityIds {
  cohortX1: string;
  cohortX2: string;
  cohortY: string;
  /** X1's session: starts in 30 minutes (attendance is open), A said yes. */
  sessionX1: string;
  /** Y's session, for all of Y (B is not enrolled in Y). */
  sessionY: string;
  /** A's submitted attempt and A's attempt in progress, both on X's quiz. */
  attemptDone: string;
  attemptOpen: string;
  /** A's certificate of X. */
  certificate: string;
  /** A mail to A in the outbox (the email verification sent at registration). */
  outboxMail: string;
  /** A's calendar-feed address. */
  feedUrl: string;
}

export interface SecurityWorld {
  ctx: TestApp;
  fixture: CourseFixture;
  people: Record<Who, Person>;
  ids: SecurityIds;
  close(): Promise<void>;
}

let sequence = 0;

async function staff(ctx: TestApp, role: 'facilitator' | 'manager' | 'admin', label: string): Promise<Omit<Person, 'web'>> {
  sequence += 1;
  const email = `seguridad.${label}.${Date.now().toString(36)}${sequence}@example.org`;
  await ctx.services.accounts.auth.createSystemAccount({ email, roles: [role], password: STAFF_PASSWORD, givenName: 'Equipo', familyName: label });
  const response = await request(ctx.app).post('/api/v1/auth/tokens').send({ email, password: STAFF_PASSWORD }).expect(201);
  return { id: String(response.body.user.id), email, password: STAFF_PASSWORD, auth: { Authorization: `Bearer ${String(response.body.token)}` } };
}

export async function createSecurityWorld(environment: Record<string, string> = {}): Promise<SecurityWorld> {
  const fixture = courseFixture({ ...sampleCourseFiles(X), ...sampleCourseFiles(Y) });
  const ctx = await createTestApp({ COURSES_DIR: fixture.root, BASE_URL: 'https://capacita.example.gov.co', ...environment });
  await ctx.services.courses.importCourses();
  const api = () => request(ctx.app);

  const learnerA = await registerAndSignIn(ctx.app, { givenName: 'Aurora', familyName: 'Arboleda' });
  const learnerB = await registerAndSignIn(ctx.app, { givenName: 'Berta', familyName: 'Bolaños' });
  const [fx, fy, manager, admin] = [await staff(ctx, 'facilitator', 'fx'), await staff(ctx, 'facilitator', 'fy'), await staff(ctx, 'manager', 'gestion'), await staff(ctx, 'admin', 'admin')];
  await api().put(`/api/v1/courses/${X}/facilitators`).set(manager.auth).send({ userIds: [fx.id] }).expect(200);
  await api().put(`/api/v1/courses/${Y}/facilitators`).set(manager.auth).send({ userIds: [fy.id] }).expect(200);

  const now = Date.now();
  const cohort = async (course: string, name: string): Promise<string> =>
    (
      await api()
        .post(`/api/v1/courses/${course}/cohorts`)
        .set(manager.auth)
        .send({
          name,
          enrollmentOpensAt: new Date(now - DAY).toISOString(),
          enrollmentClosesAt: new Date(now + 60 * DAY).toISOString(),
          startsAt: new Date(now + DAY).toISOString(),
          endsAt: new Date(now + 200 * DAY).toISOString(),
        })
        .expect(201)
    ).body.id as string;
  const cohortX1 = await cohort(X, 'Cohorte X1');
  const cohortX2 = await cohort(X, 'Cohorte X2');
  const cohortY = await cohort(Y, 'Cohorte Y');
  await api().post(`/api/v1/courses/${X}/enrollments`).set(learnerA.auth).send({ cohortId: cohortX1 }).expect(201);
  await api().post(`/api/v1/courses/${X}/enrollments`).set(learnerB.auth).send({ cohortId: cohortX2 }).expect(201);

  // A's attempts: one submitted, one in progress.
  const attemptDone = (await api().post(`/api/v1/quizzes/${QUIZ_X}/attempts`).set(learnerA.auth).send({}).expect(201)).body.attemptId as string;
  await api().post(`/api/v1/attempts/${attemptDone}/submit`).set(learnerA.auth).send({ answers: {} }).expect(200);
  const attemptOpen = (await api().post(`/api/v1/quizzes/${QUIZ_X}/attempts`).set(learnerA.auth).send({}).expect(201)).body.attemptId as string;
  // B has an attempt of her own, so that "her own" lists are not empty by accident.
  await api().post(`/api/v1/quizzes/${QUIZ_X}/attempts`).set(learnerB.auth).send({}).expect(201);

  const certificate = (
    await api()
      .post('/api/v1/certificates')
      .set(manager.auth)
      .send({ userId: learnerA.id, courseSlug: X, completedAt: new Date(now - DAY).toISOString().slice(0, 10), note: 'Completó el curso en papel.' })
      .expect(201)
  ).body.code as string;

  const session = async (course: string, startsAt: number, extra: Record<string, unknown>): Promise<string> =>
    (
      await api()
        .post(`/api/v1/courses/${course}/live-sessions`)
        .set(manager.auth)
        .send({
          title: `Sesión de ${course}`,
          startsAt: new Date(startsAt).toISOString(),
          endsAt: new Date(startsAt + 2 * HOUR).toISOString(),
          modality: 'virtual',
          meetingUrl: 'https://meet.example.org/sesion',
          ...extra,
        })
        .expect(201)
    ).body.id as string;
  const sessionX1 = await session(X, now + 30 * 60_000, { cohortId: cohortX1 });
  const sessionY = await session(Y, now + 2 * DAY, {});
  await api().post(`/api/v1/live-sessions/${sessionX1}/rsvp`).set(learnerA.auth).send({ response: 'yes' }).expect(200);

  for (const [course, id] of [[X, BANK_QUESTION_X], [Y, BANK_QUESTION_Y]] as const) {
    await api().post(`/api/v1/courses/${course}/question-bank`).set(manager.auth).set('Content-Type', 'text/plain; charset=utf-8').send(`::${id}:: ¿La DIVIPOLA la produce el DANE? {T}`).expect(200);
  }

  const feedUrl = String((await api().get('/api/v1/me/calendar-feed').set(learnerA.auth).expect(200)).body.url);
  const mail = await ctx.database.connection.collection('outbox_mails').findOne({ to: learnerA.email });
  if (!mail) throw new Error('security world: no mail to A in the outbox');

  const withWeb = async (person: Omit<Person, 'web'>): Promise<Person> => ({ ...person, web: await signInThroughForm(ctx.app, person) });
  const people: Record<Who, Person> = {
    A: await withWeb(learnerA),
    B: await withWeb(learnerB),
    FX: await withWeb(fx),
    FY: await withWeb(fy),
    manager: await withWeb(manager),
    admin: await withWeb(admin),
  };
  return {
    ctx,
    fixture,
    people,
    ids: { cohortX1, cohortX2, cohortY, sessionX1, sessionY, attemptDone, attemptOpen, certificate, outboxMail: String(mail._id), feedUrl },
    async close() {
      await ctx.close();
      fixture.cleanUp();
    },
  };
}

/** The world for the calling suite, closed after it. */
export function useSecurityWorld(environment?: Record<string, string>): () => SecurityWorld {
  let world: SecurityWorld | undefined;
  before(async function () {
    this.timeout(60_000);
    world = await createSecurityWorld(environment);
  });
  after(async () => {
    await world?.close();
  });
  return () => {
    if (!world) throw new Error('useSecurityWorld: the suite has not started');
    return world;
  };
}

/** Collections whose every change a refused request must not make (sessions and counters change on any request). */
const VOLATILE = new Set(['sessions', 'rate_limits', 'live_session_locks']);

/** Every document of every collection that holds the application's data, for before/after comparisons. */
export async function snapshot(ctx: TestApp): Promise<Record<string, unknown[]>> {
  const database = ctx.database.connection.db!;
  const names = (await database.listCollections().toArray()).map((collection) => collection.name).filter((name) => !VOLATILE.has(name)).sort();
  const result: Record<string, unknown[]> = {};
  for (const name of names) result[name] = await database.collection(name).find({}).sort({ _id: 1 }).toArray();
  return result;
}
