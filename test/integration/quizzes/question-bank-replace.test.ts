import { expect } from 'chai';
import request from 'supertest';
import { parseGift } from '../../../src/courses/gift.js';
import type { Actor } from '../../../src/shared/authorization.js';
import { isAppError } from '../../../src/shared/errors.js';
import { COURSE, TIMED_COURSE, createQuizWorld, staffAccount, staffEmail, type QuizWorld } from './quiz-world.js';

/** The bank service's one-question edit (the bank's edit page uses it): in place, all or nothing. */
describe('quizzes: replacing one question of the bank', function () {
  this.timeout(60_000);
  let world: QuizWorld;
  let facilitator: Actor;
  const service = () => world.ctx.services.questionBank;
  const ids = async () => (await service().listQuestions(facilitator, COURSE)).map((question) => question.id);
  const codeOf = async (promise: Promise<unknown>): Promise<string | undefined> => {
    try {
      await promise;
      return undefined;
    } catch (error) {
      return isAppError(error) ? error.code : String(error);
    }
  };

  before(async () => {
    world = await createQuizWorld();
    const email = staffEmail('facilitadora.reemplazo');
    const staff = await staffAccount(world.ctx, 'facilitator', email);
    await request(world.ctx.app).put(`/api/v1/courses/${COURSE}/facilitators`).set(world.manager.auth).send({ userIds: [staff.id] }).expect(200);
    facilitator = { id: staff.id, email, roles: ['facilitator'] };
    await service().importGift(facilitator, COURSE, '::uno:: Primera {T}\n\n::dos:: Segunda {F}\n\n::tres:: Tercera {T}');
  });
  after(async () => {
    await world.close();
  });

  it('gives one question with its title and GIFT text, 404 for an unknown one', async () => {
    const question = await service().getQuestion(facilitator, COURSE, 'dos');
    expect(question).to.deep.include({ id: 'dos', title: 'dos', type: 'true_false', prompt: 'Segunda', answer: false });
    const [parsed, ...more] = parseGift(question.gift);
    expect(more).to.deep.equal([]);
    expect(parsed).to.deep.include({ id: 'dos', type: 'true_false', prompt: 'Segunda', isTrue: false });
    expect(await codeOf(service().getQuestion(facilitator, COURSE, 'nada'))).to.equal('not_found');
  });

  it('replaces in place, under the same id or a new one', async () => {
    expect(await service().replaceQuestion(facilitator, COURSE, 'dos', '::dos:: Segunda, corregida {T}')).to.deep.include({ errors: [] });
    expect(await service().replaceQuestion(facilitator, COURSE, 'uno', '::cero:: Primera, renombrada {F}')).to.deep.include({ errors: [] });
    const questions = await service().listQuestions(facilitator, COURSE);
    expect(questions.map((question) => [question.id, question.prompt, question.answer])).to.deep.equal([
      ['cero', 'Primera, renombrada', false],
      ['dos', 'Segunda, corregida', true],
      ['tres', 'Tercera', true],
    ]);
  });

  it('refuses, storing nothing: GIFT errors with their line, not exactly one question, another question\'s id', async () => {
    const before = await service().listQuestions(facilitator, COURSE);
    expect((await service().replaceQuestion(facilitator, COURSE, 'tres', '::tres:: Bien {T}\n\n::tres:: Sin cerrar {=a ~b')).errors.map((error) => error.line)).to.deep.equal([3]);
    expect((await service().replaceQuestion(facilitator, COURSE, 'tres', '')).errors).to.deep.equal([{ line: 1, message: 'write exactly one question' }]);
    expect((await service().replaceQuestion(facilitator, COURSE, 'tres', '::tres:: a {T}\n\n::cuatro:: b {T}')).errors).to.deep.equal([{ line: 3, message: 'write exactly one question' }]);
    expect((await service().replaceQuestion(facilitator, COURSE, 'tres', '\n::dos:: Choca {T}')).errors).to.deep.equal([{ line: 2, message: 'another question of the bank has the id "dos": give this one a different ::title::' }]);
    expect(await service().listQuestions(facilitator, COURSE)).to.deep.equal(before);
  });

  it('is for the course\'s team (403) and needs the question (404)', async () => {
    expect(await codeOf(service().replaceQuestion(facilitator, TIMED_COURSE, 'tres', '::tres:: x {T}'))).to.equal('forbidden');
    expect(await codeOf(service().replaceQuestion(facilitator, COURSE, 'nada', '::nada:: x {T}'))).to.equal('not_found');
    expect(await codeOf(service().replaceQuestion(facilitator, 'no-existe', 'tres', '::tres:: x {T}'))).to.equal('not_found');
  });
});
