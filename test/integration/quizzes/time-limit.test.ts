import { expect } from 'chai';
import request from 'supertest';
import { COURSE, TIMED_COURSE, TIMED_QUIZ_ID, enrolledLearner, rightAnswers, startAttempt, type QuizWorld, useQuizWorld } from './quiz-world.js';

const MINUTE = 60_000;

describe('quizzes: the time limit, enforced by the server', function () {
  this.timeout(60_000);
  const quizWorld = useQuizWorld();
  let world: QuizWorld;
  before(() => {
    world = quizWorld();
  });
  const api = () => request(world.ctx.app);
  const learnerOfTimedCourse = () => enrolledLearner(world, TIMED_COURSE);

  it('announces the limit in seconds and gives each attempt its deadline', async () => {
    const learner = await learnerOfTimedCourse();
    expect((await api().get(`/api/v1/quizzes/${TIMED_QUIZ_ID}`).set(learner.auth).expect(200)).body.timeLimitSeconds).to.equal(600);
    const started = await api().post(`/api/v1/quizzes/${TIMED_QUIZ_ID}/attempts`).set(learner.auth).send({}).expect(201);
    expect(Date.parse(started.body.expiresAt) - Date.parse(started.body.startedAt)).to.equal(10 * MINUTE);
  });

  it('counts answers sent within the small grace after the deadline', async () => {
    const learner = await learnerOfTimedCourse();
    const { attemptId } = await startAttempt(world, learner, TIMED_QUIZ_ID);
    world.clock.advance(10 * MINUTE + 3_000);
    await api().put(`/api/v1/attempts/${attemptId}/answers`).set(learner.auth).send({ answers: { vf: true } }).expect(200);
    const submitted = await api().post(`/api/v1/attempts/${attemptId}/submit`).set(learner.auth).send({ answers: await rightAnswers(world, TIMED_QUIZ_ID) }).expect(200);
    expect(submitted.body).to.include({ score: 100, passed: true });
  });

  it('after the deadline and the grace: a submit is 410 and the attempt is graded on what was saved in time', async () => {
    const learner = await learnerOfTimedCourse();
    const { attemptId } = await startAttempt(world, learner, TIMED_QUIZ_ID);
    world.clock.advance(9 * MINUTE);
    await api().put(`/api/v1/attempts/${attemptId}/answers`).set(learner.auth).send({ answers: { vf: true, unica: 'a' } }).expect(200);
    world.clock.advance(MINUTE + 6_000);
    const late = await api().post(`/api/v1/attempts/${attemptId}/submit`).set(learner.auth).send({ answers: await rightAnswers(world, TIMED_QUIZ_ID) }).expect(410);
    expect(late.body.error.code).to.equal('gone');
    // Two of six questions saved in time: 33.3 %, whatever the late submit said.
    expect(late.body.error.details.result).to.include({ attemptId, score: 33.3, passed: false, correctCount: 2, questionCount: 6 });
    const again = await api().post(`/api/v1/attempts/${attemptId}/submit`).set(learner.auth).send({ answers: {} }).expect(410);
    expect(again.body.error.details.result).to.deep.equal(late.body.error.details.result);
    const [listed] = (await api().get('/api/v1/me/attempts').query({ quizId: TIMED_QUIZ_ID }).set(learner.auth).expect(200)).body.items;
    expect(listed).to.include({ attemptId, status: 'timed_out', score: 33.3, passed: false });
  });

  it('refuses a late autosave with 410 and closes the attempt on what was saved', async () => {
    const learner = await learnerOfTimedCourse();
    const { attemptId } = await startAttempt(world, learner, TIMED_QUIZ_ID);
    await api().put(`/api/v1/attempts/${attemptId}/answers`).set(learner.auth).send({ answers: { vf: true } }).expect(200);
    world.clock.advance(11 * MINUTE);
    const late = await api().put(`/api/v1/attempts/${attemptId}/answers`).set(learner.auth).send({ answers: { unica: 'a' } }).expect(410);
    expect(late.body.error.details.result).to.include({ correctCount: 1, questionCount: 6 });
  });

  it('grades an abandoned attempt once its time is up: it is listed graded, a pass counts, and a new attempt can start', async () => {
    const learner = await learnerOfTimedCourse();
    const { attemptId } = await startAttempt(world, learner, TIMED_QUIZ_ID);
    await api().put(`/api/v1/attempts/${attemptId}/answers`).set(learner.auth).send({ answers: await rightAnswers(world, TIMED_QUIZ_ID) }).expect(200);
    world.clock.advance(20 * MINUTE);
    const [listed] = (await api().get('/api/v1/me/attempts').query({ quizId: TIMED_QUIZ_ID }).set(learner.auth).expect(200)).body.items;
    expect(listed).to.include({ attemptId, status: 'timed_out', score: 100, passed: true });
    const enrollment = (await api().get('/api/v1/me/enrollments').set(learner.auth).expect(200)).body.items.find((item: { courseSlug: string }) => item.courseSlug === TIMED_COURSE);
    expect(enrollment.progress).to.equal(25);
    const next = await startAttempt(world, learner, TIMED_QUIZ_ID);
    expect(next.attemptId).to.not.equal(attemptId);
  });

  it('starting again after the time is up grades the lapsed attempt and opens the next one (201)', async () => {
    const learner = await learnerOfTimedCourse();
    const first = await startAttempt(world, learner, TIMED_QUIZ_ID);
    await api().put(`/api/v1/attempts/${first.attemptId}/answers`).set(learner.auth).send({ answers: await rightAnswers(world, TIMED_QUIZ_ID) }).expect(200);
    world.clock.advance(20 * MINUTE);
    const second = await startAttempt(world, learner, TIMED_QUIZ_ID, 201);
    expect(second.attemptId).to.not.equal(first.attemptId);
    const listed = (await api().get('/api/v1/me/attempts').query({ quizId: TIMED_QUIZ_ID }).set(learner.auth).expect(200)).body.items;
    expect(listed.map((item: { attemptId: string; status: string }) => [item.attemptId, item.status])).to.deep.equal([
      [first.attemptId, 'timed_out'],
      [second.attemptId, 'in_progress'],
    ]);
    expect(listed[0]).to.include({ score: 100, passed: true });
  });

  it('leaves untimed quizzes open however long the learner takes', async () => {
    const learner = await enrolledLearner(world, COURSE);
    const { attemptId, expiresAt } = await startAttempt(world, learner);
    expect(expiresAt).to.equal(null);
    world.clock.advance(7 * 60 * MINUTE); // within the token's 8 hours
    await api().post(`/api/v1/attempts/${attemptId}/submit`).set(learner.auth).send({ answers: {} }).expect(200);
  });
});
