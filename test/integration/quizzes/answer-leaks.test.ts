import { expect } from 'chai';
import request from 'supertest';
import type { Response } from 'supertest';
import { QUIZ_ID, TIMED_COURSE, TIMED_QUIZ_ID, enrolledLearner, rightAnswers, type QuizWorld, useQuizWorld } from './quiz-world.js';

/**
 * "The API never sends correct answers to a learner before their submission": every
 * response body of the attempt flow is searched for answer data — the fields the bank
 * keeps answers in, the facilitator view's `answer`, feedback — and the items shown
 * (questions, options, left and right) may carry only what the contract lists.
 */

const ANSWER_KEYS = new Set(['answer', 'weight', 'isTrue', 'accepted', 'numeric', 'pairs', 'rightId', 'leftId', 'feedback', 'fractions', 'min', 'max', 'source']);
const QUESTION_KEYS = new Set(['id', 'type', 'prompt', 'options', 'left', 'right']);
const ITEM_KEYS = new Set(['id', 'text']);

/** Every place in a JSON body that carries answer data, as paths ("$.questions[2].answer"). */
function answerDataIn(body: unknown, path = '$', parentKey = ''): string[] {
  if (Array.isArray(body)) return body.flatMap((item, index) => answerDataIn(item, `${path}[${index}]`, parentKey));
  if (typeof body !== 'object' || body === null) return [];
  const found: string[] = [];
  for (const [key, value] of Object.entries(body)) {
    if (ANSWER_KEYS.has(key)) found.push(`${path}.${key}`);
    if (parentKey === 'questions' && !QUESTION_KEYS.has(key)) found.push(`${path}.${key}`);
    if (['options', 'left', 'right'].includes(parentKey) && !ITEM_KEYS.has(key)) found.push(`${path}.${key}`);
    found.push(...answerDataIn(value, `${path}.${key}`, key));
  }
  return found;
}

describe('quizzes: no answer data reaches a learner before their submission', function () {
  this.timeout(60_000);
  const quizWorld = useQuizWorld();
  let world: QuizWorld;
  before(() => {
    world = quizWorld();
  });

  it('the detector finds answer data where it is (the facilitator view, nested feedback, extra fields on options)', async () => {
    const staffView = await request(world.ctx.app).get(`/api/v1/quizzes/${QUIZ_ID}`).set(world.manager.auth).expect(200);
    expect(answerDataIn(staffView.body)).to.include('$.questions[0].answer');
    expect(answerDataIn({ questions: [{ id: 'q', options: [{ id: 'a', text: 'x', isCorrect: true }] }] })).to.deep.equal(['$.questions[0].options[0].isCorrect']);
    expect(answerDataIn({ a: { b: [{ feedback: 'bien' }] } })).to.deep.equal(['$.a.b[0].feedback']);
    expect(answerDataIn({ questions: [{ id: 'q', left: [{ id: 'l1', text: 'x', rightId: 'r' }] }] })).to.include('$.questions[0].left[0].rightId');
  });

  for (const [label, quizId, course] of [
    ['in file order', QUIZ_ID, undefined],
    ['shuffled and timed', TIMED_QUIZ_ID, TIMED_COURSE],
  ] as const) {
    it(`inspects every response of the attempt flow (${label})`, async () => {
      const learner = await enrolledLearner(world, course);
      const app = () => request(world.ctx.app);
      const bodies: Array<[string, Response]> = [];
      const keep = async (step: string, response: Promise<Response>): Promise<Response> => {
        const answered = await response;
        bodies.push([step, answered]);
        return answered;
      };
      await keep('quiz', app().get(`/api/v1/quizzes/${quizId}`).set(learner.auth).expect(200));
      const started = await keep('start', app().post(`/api/v1/quizzes/${quizId}/attempts`).set(learner.auth).send({}).expect(201));
      const attemptId = started.body.attemptId as string;
      expect(started.body.questions.map((question: { type: string }) => question.type)).to.have.members(['single', 'multiple', 'true_false', 'short_answer', 'numeric', 'matching']);
      await keep('autosave', app().put(`/api/v1/attempts/${attemptId}/answers`).set(learner.auth).send({ answers: { vf: false, unica: 'b' } }).expect(200));
      await keep('autosave refused', app().put(`/api/v1/attempts/${attemptId}/answers`).set(learner.auth).send({ answers: { unica: 'zz' } }).expect(400));
      await keep('resume', app().post(`/api/v1/quizzes/${quizId}/attempts`).set(learner.auth).send({}).expect(200));
      await keep('quiz in progress', app().get(`/api/v1/quizzes/${quizId}`).set(learner.auth).expect(200));
      await keep('my attempts in progress', app().get('/api/v1/me/attempts').query({ quizId }).set(learner.auth).expect(200));
      await keep('submit', app().post(`/api/v1/attempts/${attemptId}/submit`).set(learner.auth).send({ answers: await rightAnswers(world, quizId) }).expect(200));
      await keep('submit again', app().post(`/api/v1/attempts/${attemptId}/submit`).set(learner.auth).send({ answers: {} }).expect(409));
      await keep('autosave after submit', app().put(`/api/v1/attempts/${attemptId}/answers`).set(learner.auth).send({ answers: {} }).expect(409));
      await keep('my attempts', app().get('/api/v1/me/attempts').query({ quizId }).set(learner.auth).expect(200));
      if (course) {
        const late = await keep('late start', app().post(`/api/v1/quizzes/${quizId}/attempts`).set(learner.auth).send({}).expect(201));
        world.clock.advance(11 * 60_000);
        await keep('late submit', app().post(`/api/v1/attempts/${late.body.attemptId}/submit`).set(learner.auth).send({ answers: {} }).expect(410));
      }
      for (const [step, response] of bodies) {
        expect(answerDataIn(response.body), `${step}: ${JSON.stringify(response.body)}`).to.deep.equal([]);
        expect(response.headers['content-type'], step).to.match(/^application\/json/);
      }
    });
  }
});
