import { expect } from 'chai';
import request from 'supertest';
import { createTestApp, TestClock, type TestApp } from '../../helpers/app.js';
import { courseFixture, sampleCourseFiles, type CourseFixture } from '../../helpers/course-fixture.js';
import { registerAndSignIn, type SignedIn } from '../../helpers/factories.js';

/**
 * The quiz suites' world: the sample course (its first module has the six-type quiz,
 * three attempts allowed) plus a timed course, a manager, and helpers to enroll people
 * and to answer from the facilitator's answer key.
 */

export const COURSE = 'curso-de-prueba';
export const QUIZ_ID = `${COURSE}.primer-modulo`;
export const TIMED_COURSE = 'curso-cronometrado';
export const TIMED_QUIZ_ID = `${TIMED_COURSE}.primer-modulo`;

export interface Staff {
  id: string;
  auth: { Authorization: string };
}

export interface QuizWorld {
  ctx: TestApp;
  clock: TestClock;
  fixture: CourseFixture;
  manager: Staff;
  close(): Promise<void>;
}

export async function staffAccount(ctx: TestApp, role: 'manager' | 'facilitator', email: string): Promise<Staff> {
  await ctx.services.accounts.auth.createSystemAccount({ email, roles: [role], password: 'clave-de-equipo-2026' });
  const response = await request(ctx.app).post('/api/v1/auth/tokens').send({ email, password: 'clave-de-equipo-2026' }).expect(201);
  return { id: response.body.user.id, auth: { Authorization: `Bearer ${response.body.token}` } };
}

let staffSequence = 0;
export const staffEmail = (label: string): string => `${label}.${Date.now().toString(36)}.${(staffSequence += 1)}@example.org`;

/** `extraCourses`: more copies of the sample course, for suites that want one to themselves. */
export async function createQuizWorld(extraCourses: string[] = []): Promise<QuizWorld> {
  const clock = new TestClock();
  const timed = sampleCourseFiles(TIMED_COURSE);
  timed[`${TIMED_COURSE}/course.yaml`] = timed[`${TIMED_COURSE}/course.yaml`]!.replace('attemptsAllowed: 3', 'timeLimitMinutes: 10\n      shuffleQuestions: true\n      shuffleOptions: true');
  const fixture = courseFixture(Object.assign({ ...sampleCourseFiles(), ...timed }, ...extraCourses.map((slug) => sampleCourseFiles(slug))));
  const ctx = await createTestApp({ COURSES_DIR: fixture.root }, clock);
  await ctx.services.courses.importCourses();
  const manager = await staffAccount(ctx, 'manager', staffEmail('gestion.evaluaciones'));
  return {
    ctx,
    clock,
    fixture,
    manager,
    async close() {
      await ctx.close();
      fixture.cleanUp();
    },
  };
}

export async function enrolledLearner(world: QuizWorld, course = COURSE): Promise<SignedIn> {
  const learner = await registerAndSignIn(world.ctx.app);
  await request(world.ctx.app).post(`/api/v1/courses/${course}/enrollments`).set(learner.auth).send({}).expect(201);
  return learner;
}

interface KeyedQuestion {
  id: string;
  type: string;
  answer: unknown;
}

/** Submit-shaped answers from the facilitator view's answer key: the whole mark on each. */
export async function rightAnswers(world: QuizWorld, quizId = QUIZ_ID): Promise<Record<string, unknown>> {
  const view = await request(world.ctx.app).get(`/api/v1/quizzes/${quizId}`).set(world.manager.auth).expect(200);
  const questions = view.body.questions as KeyedQuestion[];
  expect(questions, 'the manager sees the answer key').to.be.an('array').that.is.not.empty;
  return Object.fromEntries(
    questions.map((question) => {
      if (question.type === 'short_answer') return [question.id, (question.answer as string[])[0]];
      if (question.type === 'numeric') return [question.id, (question.answer as { value: number }).value];
      return [question.id, question.answer];
    }),
  );
}

export async function startAttempt(world: QuizWorld, learner: SignedIn, quizId = QUIZ_ID, status = 201): Promise<{ attemptId: string; expiresAt: string | null; questions: Array<{ id: string; type: string }> }> {
  const response = await request(world.ctx.app).post(`/api/v1/quizzes/${quizId}/attempts`).set(learner.auth).send({}).expect(status);
  return response.body;
}

/** The quiz world for the calling suite, closed after it: `const quizWorld = useQuizWorld();`. */
export function useQuizWorld(extraCourses: string[] = []): () => QuizWorld {
  let world: QuizWorld | undefined;
  before(async () => {
    world = await createQuizWorld(extraCourses);
  });
  after(async () => {
    await world?.close();
  });
  return () => {
    if (!world) throw new Error('useQuizWorld: the suite has not started');
    return world;
  };
}
