import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import request from 'supertest';
import { QUIZ_ID, TIMED_COURSE, TIMED_QUIZ_ID, enrolledLearner, rightAnswers, startAttempt, type QuizWorld, useQuizWorld } from './quiz-world.js';

/** `reviewOf`: what the quiz page may show of an attempt — never answers while it is open. */
describe('quizzes: reviewOf (the result and the review the quiz allows)', function () {
  this.timeout(60_000);
  const quizWorld = useQuizWorld();
  let world: QuizWorld;
  before(() => {
    world = quizWorld();
  });
  const actorOf = (learner: { id: string; email: string }) => ({ id: learner.id, email: learner.email, roles: ['learner' as const] });

  it('an open attempt: its questions and saved answers, and no answer data', async () => {
    const learner = await enrolledLearner(world);
    const { attemptId } = await startAttempt(world, learner);
    await request(world.ctx.app).put(`/api/v1/attempts/${attemptId}/answers`).set(learner.auth).send({ answers: { vf: true } }).expect(200);
    const review = await world.ctx.services.quizzes.reviewOf(actorOf(learner), attemptId);
    expect(review.status).to.equal('in_progress');
    if (review.status !== 'in_progress') return;
    expect(review).to.include({ quizId: QUIZ_ID, courseSlug: 'curso-de-prueba', moduleSlug: 'primer-modulo', number: 1 });
    expect(review.attempt.answers).to.deep.equal({ vf: true });
    expect(JSON.stringify(review)).not.to.match(/"(answer|correct|given|weight|isTrue|accepted|numeric|pairs|feedback|fraction|fractions|result)":/);
    expect(review).not.to.have.property('result');
  });

  it('a submitted attempt with show_correct_answers: each question with the answer given, the right one and the share earned', async () => {
    const learner = await enrolledLearner(world);
    const { attemptId } = await startAttempt(world, learner);
    const right = await rightAnswers(world);
    await request(world.ctx.app).post(`/api/v1/attempts/${attemptId}/submit`).set(learner.auth).send({ answers: { ...right, vf: false, varias: ['a'] } }).expect(200);
    const review = await world.ctx.services.quizzes.reviewOf(actorOf(learner), attemptId);
    if (review.status === 'in_progress') throw new Error('still open');
    expect(review.review).to.equal('show_correct_answers');
    expect(review.result).to.include({ correctCount: 4, questionCount: 6, passed: true });
    const byId = Object.fromEntries(review.questions!.map((question) => [question.id, question]));
    expect(byId.vf).to.include({ given: false, correct: true, fraction: 0 });
    expect(byId.varias).to.deep.include({ given: ['a'], correct: ['a', 'b'], fraction: 0.5 });
    expect(byId.numero!.correct).to.deep.equal({ value: 32, tolerance: 0 });
    expect(byId.unica).to.include({ given: 'a', correct: 'a', fraction: 1 });
  });

  it('a quiz with show_score_only: the result without questions', async () => {
    const yaml = readFileSync(`${world.fixture.root}/curso-de-prueba/course.yaml`, 'utf8');
    world.fixture.write('curso-de-prueba/course.yaml', yaml.replace('attemptsAllowed: 3', 'attemptsAllowed: 3\n      review: show_score_only'));
    await world.ctx.services.courses.importCourses();
    try {
      const learner = await enrolledLearner(world);
      const { attemptId } = await startAttempt(world, learner);
      await request(world.ctx.app).post(`/api/v1/attempts/${attemptId}/submit`).set(learner.auth).send({ answers: {} }).expect(200);
      const review = await world.ctx.services.quizzes.reviewOf(actorOf(learner), attemptId);
      if (review.status === 'in_progress') throw new Error('still open');
      expect(review.review).to.equal('show_score_only');
      expect(review).not.to.have.property('questions');
      expect(review.result.score).to.equal(0);
    } finally {
      world.fixture.write('curso-de-prueba/course.yaml', yaml);
      await world.ctx.services.courses.importCourses();
    }
  });

  it('an open attempt past its deadline is closed (timed_out) before anything is shown', async () => {
    const learner = await enrolledLearner(world, TIMED_COURSE);
    const { attemptId } = await startAttempt(world, learner, TIMED_QUIZ_ID);
    world.clock.advance(11 * 60_000);
    const review = await world.ctx.services.quizzes.reviewOf(actorOf(learner), attemptId);
    expect(review.status).to.equal('timed_out');
  });

  it("another person's attempt, or a malformed id, is not found", async () => {
    const owner = await enrolledLearner(world);
    const { attemptId } = await startAttempt(world, owner);
    const other = await enrolledLearner(world);
    for (const id of [attemptId, 'nope']) {
      const error = await world.ctx.services.quizzes.reviewOf(actorOf(other), id).then(() => undefined, (caught: unknown) => caught);
      expect((error as { code?: string } | undefined)?.code, id).to.equal('not_found');
    }
  });
});
