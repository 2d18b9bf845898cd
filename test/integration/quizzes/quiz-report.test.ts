import { expect } from 'chai';
import request from 'supertest';
import { COURSE, QUIZ_ID, enrolledLearner, rightAnswers, staffAccount, staffEmail, startAttempt, type QuizWorld, useQuizWorld } from './quiz-world.js';

describe('the facilitator\'s quiz report', function () {
  this.timeout(60_000);
  const quizWorld = useQuizWorld();
  let world: QuizWorld;
  before(() => {
    world = quizWorld();
  });

  const submit = async (learner: Awaited<ReturnType<typeof enrolledLearner>>, answers: Record<string, unknown>) => {
    const attempt = await startAttempt(world, learner);
    return request(world.ctx.app).post(`/api/v1/attempts/${attempt.attemptId}/submit`).set(learner.auth).send({ answers }).expect(200);
  };

  it('counts attempts per learner, the score distribution and each question\'s facility, and exports CSV', async () => {
    const right = await rightAnswers(world);
    const strong = await enrolledLearner(world);
    const weak = await enrolledLearner(world);
    await submit(strong, right);
    // The weak learner gets only the true/false question right, twice.
    const onlyTrueFalse = Object.fromEntries(Object.entries(right).filter(([id]) => id === 'vf'));
    await submit(weak, onlyTrueFalse);
    await submit(weak, onlyTrueFalse);

    const report = (await request(world.ctx.app).get(`/api/v1/quizzes/${QUIZ_ID}/report`).set(world.manager.auth).expect(200)).body;
    expect(report).to.include({ quizId: QUIZ_ID, attempts: 3, learners: 2, passedLearners: 1 });
    expect(report.scoreDistribution).to.have.length(10);
    expect(report.scoreDistribution.find((band: { band: string }) => band.band === '90-100').attempts).to.equal(1);
    expect(report.scoreDistribution.find((band: { band: string }) => band.band === '10-19').attempts).to.equal(2);
    const facility = Object.fromEntries(report.questions.map((question: { id: string; facility: number }) => [question.id, question.facility]));
    expect(facility.vf).to.equal(100);
    expect(facility.unica).to.equal(33.3);
    const strongRow = report.people.find((person: { userId: string }) => person.userId === strong.id);
    expect(strongRow).to.include({ attempts: 1, bestScore: 100, passed: true });
    expect(report.people.find((person: { userId: string }) => person.userId === weak.id)).to.include({ attempts: 2, passed: false });

    const csv = await request(world.ctx.app).get(`/api/v1/quizzes/${QUIZ_ID}/report.csv`).set(world.manager.auth).expect(200);
    expect(csv.text.charCodeAt(0)).to.equal(0xfeff);
    expect(csv.text).to.include('nombre,correo,intentos,mejor_puntaje,aprobo,ultimo_envio');
    expect(csv.text).to.include(strong.email);
  });

  it('is for the course\'s facilitators and managers only', async () => {
    const learner = await enrolledLearner(world);
    await request(world.ctx.app).get(`/api/v1/quizzes/${QUIZ_ID}/report`).set(learner.auth).expect(403);
    const outsider = await staffAccount(world.ctx, 'facilitator', staffEmail('facilitador.ajeno'));
    await request(world.ctx.app).get(`/api/v1/quizzes/${QUIZ_ID}/report`).set(outsider.auth).expect(403);
    const own = await staffAccount(world.ctx, 'facilitator', staffEmail('facilitadora.propia'));
    await request(world.ctx.app).put(`/api/v1/courses/${COURSE}/facilitators`).set(world.manager.auth).send({ userIds: [own.id] }).expect(200);
    await request(world.ctx.app).get(`/api/v1/quizzes/${QUIZ_ID}/report`).set(own.auth).expect(200);
    await request(world.ctx.app).get('/api/v1/quizzes/no-existe.modulo/report').set(world.manager.auth).expect(404);
  });
});
