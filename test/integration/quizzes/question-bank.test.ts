import { expect } from 'chai';
import request from 'supertest';
import { parseGift, type QuizQuestion } from '../../../src/courses/gift.js';
import { registerAndSignIn } from '../../helpers/factories.js';
import { EVERY_FEATURE } from '../../helpers/gift-banks.js';
import { COURSE, TIMED_COURSE, createQuizWorld, staffAccount, staffEmail, type QuizWorld, type Staff } from './quiz-world.js';

/** A course whose bank only the round-trip test touches. */
const ROUND_TRIP_COURSE = 'curso-ida-y-vuelta';

const withoutSource = (questions: QuizQuestion[]) => questions.map(({ source: _source, line: _line, ...question }) => question);

describe('quizzes: a course\'s question bank, in GIFT', function () {
  this.timeout(60_000);
  let world: QuizWorld;
  let facilitator: Staff;
  before(async () => {
    world = await createQuizWorld([ROUND_TRIP_COURSE]);
    facilitator = await staffAccount(world.ctx, 'facilitator', staffEmail('facilitadora.banco'));
    for (const course of [COURSE, ROUND_TRIP_COURSE]) {
      await request(world.ctx.app).put(`/api/v1/courses/${course}/facilitators`).set(world.manager.auth).send({ userIds: [facilitator.id] }).expect(200);
    }
  });
  after(async () => {
    await world.close();
  });
  const api = () => request(world.ctx.app);
  const importGift = (who: Staff | { auth: { Authorization: string } }, gift: string, course = COURSE) =>
    api().post(`/api/v1/courses/${course}/question-bank`).set(who.auth).set('Content-Type', 'text/plain; charset=utf-8').send(gift);
  const exported = async (course = COURSE) => (await api().get(`/api/v1/courses/${course}/question-bank.gift`).set(facilitator.auth).expect(200)).text;

  it('imports a GIFT file, exports it, and export → import gives the same questions back', async () => {
    const imported = await importGift(facilitator, EVERY_FEATURE, ROUND_TRIP_COURSE).expect(200);
    const expected = parseGift(EVERY_FEATURE);
    expect(imported.body).to.deep.equal({ imported: expected.length, errors: [] });
    const response = await api().get(`/api/v1/courses/${ROUND_TRIP_COURSE}/question-bank.gift`).set(facilitator.auth).expect(200);
    expect(response.headers['content-type']).to.equal('text/plain; charset=utf-8');
    expect(response.headers['content-disposition']).to.equal(`attachment; filename=${ROUND_TRIP_COURSE}.gift`);
    expect(withoutSource(parseGift(response.text))).to.deep.equal(withoutSource(expected));
    const listed = (await api().get(`/api/v1/courses/${ROUND_TRIP_COURSE}/question-bank`).set(facilitator.auth).expect(200)).body.items;
    await importGift(facilitator, response.text, ROUND_TRIP_COURSE).expect(200);
    expect(await exported(ROUND_TRIP_COURSE)).to.equal(response.text);
    expect((await api().get(`/api/v1/courses/${ROUND_TRIP_COURSE}/question-bank`).set(facilitator.auth).expect(200)).body.items).to.deep.equal(listed);
  });

  it('lists the questions with their answers for the course team', async () => {
    await importGift(facilitator, '::banco-vf:: El DANE produce la DIVIPOLA. {T}').expect(200);
    const items = (await api().get(`/api/v1/courses/${COURSE}/question-bank`).set(world.manager.auth).expect(200)).body.items as Array<{ id: string }>;
    expect(items.find((item) => item.id === 'banco-vf')).to.deep.equal({ id: 'banco-vf', type: 'true_false', prompt: 'El DANE produce la DIVIPOLA.', answer: true });
  });

  it('merges by question id: a question imported again replaces itself, a new one is added at the end', async () => {
    await importGift(facilitator, '::uno:: Primera {T}\n\n::dos:: Segunda {F}', TIMED_COURSE).expect(403); // not her course
    await importGift(world.manager, '::uno:: Primera {T}\n\n::dos:: Segunda {F}', TIMED_COURSE).expect(200);
    await importGift(world.manager, '::dos:: Segunda, corregida {T}\n\n::tres:: Tercera {F}', TIMED_COURSE).expect(200);
    const items = (await api().get(`/api/v1/courses/${TIMED_COURSE}/question-bank`).set(world.manager.auth).expect(200)).body.items;
    expect(items.map((item: { id: string; prompt: string; answer: boolean }) => [item.id, item.prompt, item.answer])).to.deep.equal([
      ['uno', 'Primera', true],
      ['dos', 'Segunda, corregida', true],
      ['tres', 'Tercera', false],
    ]);
  });

  it('imports nothing when any question is wrong, and names every problem with its line', async () => {
    const before = await exported();
    const response = await importGift(facilitator, '::nueva:: Buena {T}\n\n::ensayo:: Escriba sobre su municipio. {}\n\n\n::rota:: Sin cerrar {=uno ~dos\n').expect(200);
    expect(response.body.imported).to.equal(0);
    expect(response.body.errors.map((error: { line: number }) => error.line)).to.deep.equal([3, 6]);
    expect(response.body.errors[0].message).to.match(/essay questions .* not supported/);
    expect(await exported()).to.equal(before);
  });

  it('says so when the file has no questions', async () => {
    expect((await importGift(facilitator, '// solo un comentario\n').expect(200)).body).to.deep.equal({ imported: 0, errors: [{ line: 1, message: 'the file has no questions' }] });
  });

  it('wants text/plain, the course\'s facilitators or managers, and an existing course', async () => {
    await api().post(`/api/v1/courses/${COURSE}/question-bank`).set(facilitator.auth).send({ gift: '::a:: x {T}' }).expect(400);
    const learner = await registerAndSignIn(world.ctx.app);
    await importGift(learner, '::a:: x {T}').expect(403);
    await api().get(`/api/v1/courses/${COURSE}/question-bank.gift`).set(learner.auth).expect(403);
    const other = await staffAccount(world.ctx, 'facilitator', staffEmail('facilitador.otro.banco'));
    await importGift(other, '::a:: x {T}').expect(403);
    await api().get(`/api/v1/courses/${COURSE}/question-bank.gift`).set(other.auth).expect(403);
    await api().get(`/api/v1/courses/${COURSE}/question-bank`).set(other.auth).expect(403);
    await importGift(world.manager, '::a:: x {T}', 'no-existe').expect(404);
    await api().get(`/api/v1/courses/${COURSE}/question-bank.gift`).expect(401);
  });

});
