import { createServer, type Server } from 'node:http';
import { expect } from 'chai';
import request from 'supertest';
import { QUIZ_ID, createQuizWorld, enrolledLearner, rightAnswers, startAttempt, type QuizWorld } from './quiz-world.js';

describe('quizzes: concurrent submits of one attempt', function () {
  this.timeout(120_000);
  let world: QuizWorld;
  let server: Server;
  before(async () => {
    world = await createQuizWorld();
    server = createServer(world.ctx.app);
    await new Promise<void>((resolve) => server.listen(0, resolve));
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await world.close();
  });

  it('100 simultaneous submits yield exactly one graded result; the others get 409 with that result', async () => {
    const learner = await enrolledLearner(world);
    const { attemptId } = await startAttempt(world, learner);
    const answers = await rightAnswers(world);
    const enrollments = world.ctx.services.enrollments;
    const recordQuizPassed = enrollments.recordQuizPassed;
    let passesRecorded = 0;
    enrollments.recordQuizPassed = async (...args) => {
      passesRecorded += 1;
      return recordQuizPassed(...args);
    };
    try {
      const responses = await Promise.all(
        Array.from({ length: 100 }, () => request(server).post(`/api/v1/attempts/${attemptId}/submit`).set(learner.auth).send({ answers })),
      );
      const graded = responses.filter((response) => response.status === 200);
      const refused = responses.filter((response) => response.status === 409);
      expect(graded).to.have.length(1);
      expect(refused).to.have.length(99);
      for (const response of refused) expect(response.body.error.details.result).to.deep.equal(graded[0]!.body);
      expect(passesRecorded).to.equal(1);
    } finally {
      enrollments.recordQuizPassed = recordQuizPassed;
    }
    const stored = await world.ctx.database.connection.collection('quiz_attempts').find({ quizId: QUIZ_ID, status: { $ne: 'in_progress' } }).toArray();
    expect(stored).to.have.length(1);
    expect(stored[0]!.result).to.include({ score: 100, passed: true });
  });
});
