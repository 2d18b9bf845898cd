import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import request from 'supertest';
import { registerAndSignIn } from '../../helpers/factories.js';
import { COURSE, QUIZ_ID, TIMED_COURSE, TIMED_QUIZ_ID, enrolledLearner, rightAnswers, staffAccount, staffEmail, startAttempt, type QuizWorld, useQuizWorld } from './quiz-world.js';

describe('quizzes: the quiz, attempts, autosave and submit', function () {
  this.timeout(60_000);
  const quizWorld = useQuizWorld();
  let world: QuizWorld;
  before(() => {
    world = quizWorld();
  });
  const api = () => request(world.ctx.app);

  describe('GET /quizzes/:id', () => {
    it('shows an enrolled learner the settings and attempts used, without questions', async () => {
      const learner = await enrolledLearner(world);
      const response = await api().get(`/api/v1/quizzes/${QUIZ_ID}`).set(learner.auth).expect(200);
      expect(response.body).to.deep.equal({
        id: QUIZ_ID,
        title: 'Evaluación del primer módulo',
        courseSlug: COURSE,
        moduleSlug: 'primer-modulo',
        questionCount: 6,
        passingScore: 70,
        attemptsAllowed: 3,
        timeLimitSeconds: null,
        attemptsUsed: 0,
      });
      await startAttempt(world, learner);
      expect((await api().get(`/api/v1/quizzes/${QUIZ_ID}`).set(learner.auth).expect(200)).body.attemptsUsed).to.equal(1);
    });

    it('refuses a learner who is not enrolled (403), and answers 404 for an unknown quiz and 401 without a token', async () => {
      const stranger = await registerAndSignIn(world.ctx.app);
      expect((await api().get(`/api/v1/quizzes/${QUIZ_ID}`).set(stranger.auth).expect(403)).body.error.code).to.equal('forbidden');
      expect((await api().get('/api/v1/quizzes/curso-de-prueba.no-existe').set(stranger.auth).expect(404)).body.error.code).to.equal('not_found');
      await api().get(`/api/v1/quizzes/${QUIZ_ID}`).expect(401);
    });

    it('gives the course facilitator and managers every question with its answer, in the ids of the attempt view', async () => {
      const facilitator = await staffAccount(world.ctx, 'facilitator', staffEmail('facilitadora.quiz'));
      await api().put(`/api/v1/courses/${COURSE}/facilitators`).set(world.manager.auth).send({ userIds: [facilitator.id] }).expect(200);
      const response = await api().get(`/api/v1/quizzes/${QUIZ_ID}`).set(facilitator.auth).expect(200);
      type KeyedQuestion = { id: string; answer: unknown; right?: Array<{ id: string; text: string }> };
      const byId: Record<string, KeyedQuestion> = Object.fromEntries((response.body.questions as KeyedQuestion[]).map((question) => [question.id, question]));
      expect(byId.unica).to.deep.equal({
        id: 'unica',
        type: 'single',
        prompt: '¿Qué entidad produce la DIVIPOLA?',
        options: [{ id: 'a', text: 'El DANE' }, { id: 'b', text: 'El ICBF' }, { id: 'c', text: 'La Registraduría' }],
        answer: 'a',
      });
      expect(byId.varias!.answer).to.deep.equal(['a', 'b']);
      expect(byId.vf!.answer).to.equal(true);
      expect(byId.corta!.answer).to.deep.equal(['DANE', 'el DANE']);
      expect(byId.numero!.answer).to.deep.equal({ value: 32, tolerance: 0 });
      const rights = Object.fromEntries(byId.parejas!.right!.map((right) => [right.text, right.id]));
      expect(byId.parejas!.answer).to.deep.equal({ l1: rights.Antioquia, l2: rights['Bogotá D.C.'], l3: rights['Valle del Cauca'] });
      const managerView = await api().get(`/api/v1/quizzes/${QUIZ_ID}`).set(world.manager.auth).expect(200);
      expect(managerView.body.questions).to.deep.equal(response.body.questions);
    });

    it('refuses a facilitator of other courses (403) and hides an archived quiz (404)', async () => {
      const other = await staffAccount(world.ctx, 'facilitator', staffEmail('facilitador.ajeno'));
      await api().get(`/api/v1/quizzes/${QUIZ_ID}`).set(other.auth).expect(403);
      // Archived: its module no longer has a quiz file (the importer archives it).
      const learner = await enrolledLearner(world, TIMED_COURSE);
      const yamlPath = join(world.fixture.root, TIMED_COURSE, 'course.yaml');
      const quizPath = join(world.fixture.root, TIMED_COURSE, 'primer-modulo', 'quiz.gift');
      const [yaml, quiz] = [readFileSync(yamlPath, 'utf8'), readFileSync(quizPath, 'utf8')];
      world.fixture.remove(`${TIMED_COURSE}/primer-modulo/quiz.gift`);
      writeFileSync(yamlPath, yaml.replace(/    quiz:\n(?:      .*\n)+/, ''));
      try {
        await world.ctx.services.courses.importCourses();
        await api().get(`/api/v1/quizzes/${TIMED_QUIZ_ID}`).set(learner.auth).expect(404);
        await api().get(`/api/v1/quizzes/${TIMED_QUIZ_ID}`).set(world.manager.auth).expect(404);
      } finally {
        writeFileSync(yamlPath, yaml);
        writeFileSync(quizPath, quiz);
        await world.ctx.services.courses.importCourses();
      }
    });
  });

  describe('starting an attempt', () => {
    it('answers 201 with the questions; starting again gives back the attempt in progress (200) with what was saved', async () => {
      const learner = await enrolledLearner(world);
      const started = await startAttempt(world, learner);
      expect(started.attemptId).to.match(/^[0-9a-f]{24}$/);
      expect(started.expiresAt).to.equal(null);
      expect(started.questions.map((question) => question.id)).to.deep.equal(['unica', 'varias', 'vf', 'corta', 'numero', 'parejas']);
      await api().put(`/api/v1/attempts/${started.attemptId}/answers`).set(learner.auth).send({ answers: { vf: true } }).expect(200);
      const again = await api().post(`/api/v1/quizzes/${QUIZ_ID}/attempts`).set(learner.auth).send({}).expect(200);
      expect(again.body.attemptId).to.equal(started.attemptId);
      expect(again.body.questions).to.deep.equal(started.questions);
      expect(again.body.answers).to.deep.equal({ vf: true });
      expect((await api().get(`/api/v1/quizzes/${QUIZ_ID}`).set(learner.auth).expect(200)).body.attemptsUsed).to.equal(1);
    });

    it('refuses a learner who is not enrolled (403), an unknown quiz (404) and a body with fields (400)', async () => {
      const stranger = await registerAndSignIn(world.ctx.app);
      await startAttempt(world, stranger, QUIZ_ID, 403);
      const learner = await enrolledLearner(world);
      await startAttempt(world, learner, `${COURSE}.segundo-modulo`, 404);
      await api().post(`/api/v1/quizzes/${QUIZ_ID}/attempts`).set(learner.auth).send({ trampa: 1 }).expect(400);
    });

    it('answers 409 once every allowed attempt is used', async () => {
      const learner = await enrolledLearner(world);
      for (let attempt = 0; attempt < 3; attempt += 1) {
        const { attemptId } = await startAttempt(world, learner);
        await api().post(`/api/v1/attempts/${attemptId}/submit`).set(learner.auth).send({ answers: {} }).expect(200);
      }
      const refused = await api().post(`/api/v1/quizzes/${QUIZ_ID}/attempts`).set(learner.auth).send({}).expect(409);
      expect(refused.body.error.details.reason).to.equal('no_attempts_left');
    });

    it('never lets simultaneous starts exceed the attempts allowed or open two attempts', async () => {
      const learner = await enrolledLearner(world);
      const responses = await Promise.all(Array.from({ length: 10 }, () => api().post(`/api/v1/quizzes/${QUIZ_ID}/attempts`).set(learner.auth).send({})));
      expect(responses.map((response) => response.status).filter((status) => status >= 400)).to.deep.equal([]);
      expect(new Set(responses.map((response) => response.body.attemptId)).size).to.equal(1);
      expect(responses.filter((response) => response.status === 201)).to.have.length(1);
    });
  });

  describe('autosave', () => {
    it('merges answers into the learner\'s own open attempt; null clears one', async () => {
      const learner = await enrolledLearner(world);
      const { attemptId } = await startAttempt(world, learner);
      const saved = await api().put(`/api/v1/attempts/${attemptId}/answers`).set(learner.auth).send({ answers: { unica: 'b', vf: false } }).expect(200);
      expect(saved.body.attemptId).to.equal(attemptId);
      expect(saved.body.savedAt).to.be.a('string');
      await api().put(`/api/v1/attempts/${attemptId}/answers`).set(learner.auth).send({ answers: { unica: 'a', vf: null } }).expect(200);
      const resumed = await startAttempt(world, learner, QUIZ_ID, 200);
      expect((resumed as unknown as { answers: unknown }).answers).to.deep.equal({ unica: 'a' });
    });

    it('refuses answers that do not fit their question (400 naming the field) and unknown fields', async () => {
      const learner = await enrolledLearner(world);
      const { attemptId } = await startAttempt(world, learner);
      const put = (body: unknown) => api().put(`/api/v1/attempts/${attemptId}/answers`).set(learner.auth).send(body as object);
      const wrongOption = await put({ answers: { unica: 'z' } }).expect(400);
      expect(wrongOption.body.error.details.fields).to.have.property('answers.unica');
      expect((await put({ answers: { 'no-existe': 'a' } }).expect(400)).body.error.details.fields).to.have.property('answers.no-existe');
      await put({ answers: { vf: 'true' } }).expect(400);
      await put({ answers: { numero: '32' } }).expect(400);
      await put({ answers: { parejas: { l1: 'r-no-existe' } } }).expect(400);
      await put({ answers: { corta: { $gt: '' } } }).expect(400);
      await put({ answers: {}, extra: 1 }).expect(400);
      await put({}).expect(400);
    });

    it('answers 404 for another learner\'s attempt or an unknown one, and 409 after the submit', async () => {
      const owner = await enrolledLearner(world);
      const other = await enrolledLearner(world);
      const { attemptId } = await startAttempt(world, owner);
      await api().put(`/api/v1/attempts/${attemptId}/answers`).set(other.auth).send({ answers: {} }).expect(404);
      await api().put('/api/v1/attempts/0123456789abcdef01234567/answers').set(owner.auth).send({ answers: {} }).expect(404);
      await api().put('/api/v1/attempts/no-es-un-id/answers').set(owner.auth).send({ answers: {} }).expect(404);
      await api().post(`/api/v1/attempts/${attemptId}/submit`).set(owner.auth).send({ answers: {} }).expect(200);
      const late = await api().put(`/api/v1/attempts/${attemptId}/answers`).set(owner.auth).send({ answers: { vf: true } }).expect(409);
      expect(late.body.error.details.reason).to.equal('already_submitted');
    });
  });

  describe('submitting', () => {
    it('grades on the server: the answer key scores 100 and passes', async () => {
      const learner = await enrolledLearner(world);
      const { attemptId } = await startAttempt(world, learner);
      const response = await api().post(`/api/v1/attempts/${attemptId}/submit`).set(learner.auth).send({ answers: await rightAnswers(world) }).expect(200);
      expect(response.body).to.include({ attemptId, score: 100, passed: true, correctCount: 6, questionCount: 6 });
      expect(response.body.submittedAt).to.be.a('string');
      expect(Object.keys(response.body).sort()).to.deep.equal(['attemptId', 'correctCount', 'passed', 'questionCount', 'score', 'submittedAt']);
    });

    it('grades what was autosaved together with what the submit brings, with partial credit to one decimal', async () => {
      const learner = await enrolledLearner(world);
      const { attemptId } = await startAttempt(world, learner);
      await api().put(`/api/v1/attempts/${attemptId}/answers`).set(learner.auth).send({ answers: { unica: 'a', varias: ['a'] } }).expect(200);
      const response = await api().post(`/api/v1/attempts/${attemptId}/submit`).set(learner.auth).send({ answers: { corta: '  dane ' } }).expect(200);
      // unica 1 + varias 0.5 + corta 1 out of 6 → 41.7 %.
      expect(response.body).to.include({ score: 41.7, passed: false, correctCount: 2, questionCount: 6 });
    });

    it('answers 409 to a second submit, with the first result in details.result', async () => {
      const learner = await enrolledLearner(world);
      const { attemptId } = await startAttempt(world, learner);
      const first = await api().post(`/api/v1/attempts/${attemptId}/submit`).set(learner.auth).send({ answers: { vf: true } }).expect(200);
      const again = await api().post(`/api/v1/attempts/${attemptId}/submit`).set(learner.auth).send({ answers: await rightAnswers(world) }).expect(409);
      expect(again.body.error.code).to.equal('conflict');
      expect(again.body.error.details.result).to.deep.equal(first.body);
    });

    it('answers 404 for another learner\'s attempt, and 400 for answers that do not fit', async () => {
      const owner = await enrolledLearner(world);
      const other = await enrolledLearner(world);
      const { attemptId } = await startAttempt(world, owner);
      await api().post(`/api/v1/attempts/${attemptId}/submit`).set(other.auth).send({ answers: {} }).expect(404);
      await api().post(`/api/v1/attempts/${attemptId}/submit`).set(owner.auth).send({ answers: { unica: ['a'] } }).expect(400);
      await api().post(`/api/v1/attempts/${attemptId}/submit`).set(owner.auth).send({ answers: {} }).expect(200);
    });

    it('records a passed quiz in the enrollment\'s progress; a later failed attempt does not undo it', async () => {
      const learner = await enrolledLearner(world);
      const progress = async () => ((await api().get('/api/v1/me/enrollments').set(learner.auth).expect(200)).body.items as Array<{ courseSlug: string; progress: number }>).find((item) => item.courseSlug === COURSE)!.progress;
      const failed = await startAttempt(world, learner);
      await api().post(`/api/v1/attempts/${failed.attemptId}/submit`).set(learner.auth).send({ answers: { vf: true } }).expect(200);
      expect(await progress()).to.equal(0);
      const passed = await startAttempt(world, learner);
      await api().post(`/api/v1/attempts/${passed.attemptId}/submit`).set(learner.auth).send({ answers: await rightAnswers(world) }).expect(200);
      // Three lessons and one quiz: the quiz is a quarter of the course.
      expect(await progress()).to.equal(25);
      const failedAgain = await startAttempt(world, learner);
      await api().post(`/api/v1/attempts/${failedAgain.attemptId}/submit`).set(learner.auth).send({ answers: {} }).expect(200);
      expect(await progress()).to.equal(25);
    });
  });

  describe('what a crash or a re-import cannot change', () => {
    it('grades a running attempt on the questions it asked, even when the course is re-imported with other answers', async () => {
      const learner = await enrolledLearner(world);
      const { attemptId } = await startAttempt(world, learner);
      const quizPath = join(world.fixture.root, COURSE, 'primer-modulo', 'quiz.gift');
      const quiz = readFileSync(quizPath, 'utf8');
      writeFileSync(quizPath, quiz.replace('{=El DANE ~El ICBF', '{~El DANE =El ICBF'));
      try {
        await world.ctx.services.courses.importCourses();
        const response = await api().post(`/api/v1/attempts/${attemptId}/submit`).set(learner.auth).send({ answers: { unica: 'a' } }).expect(200);
        expect(response.body.correctCount).to.equal(1);
      } finally {
        writeFileSync(quizPath, quiz);
        await world.ctx.services.courses.importCourses();
      }
    });

    it('records at start-up a pass that a crash kept from reaching the enrollment', async () => {
      const learner = await enrolledLearner(world);
      const { attemptId } = await startAttempt(world, learner);
      await api().post(`/api/v1/attempts/${attemptId}/submit`).set(learner.auth).send({ answers: await rightAnswers(world) }).expect(200);
      // As if the process had died between grading and telling enrollments.
      const { ObjectId } = await import('mongodb');
      await world.ctx.database.connection.collection('quiz_attempts').updateOne({ _id: new ObjectId(attemptId) }, { $set: { passRecordedAt: null } });
      await world.ctx.database.connection.collection('enrollments').updateOne({ userId: new ObjectId(learner.id), courseSlug: COURSE }, { $set: { passedQuizzes: [] } });
      const progress = async () => ((await api().get('/api/v1/me/enrollments').set(learner.auth).expect(200)).body.items as Array<{ progress: number }>)[0]!.progress;
      expect(await progress()).to.equal(0);
      expect(await world.ctx.services.quizzes.recordPendingPasses()).to.equal(1);
      expect(await progress()).to.equal(25);
      expect(await world.ctx.services.quizzes.recordPendingPasses()).to.equal(0);
    });
  });

  describe('GET /me/attempts', () => {
    it('lists the caller\'s own attempts only, narrowed by ?quizId=', async () => {
      const learner = await enrolledLearner(world);
      const other = await enrolledLearner(world);
      const first = await startAttempt(world, learner);
      const submitted = await api().post(`/api/v1/attempts/${first.attemptId}/submit`).set(learner.auth).send({ answers: await rightAnswers(world) }).expect(200);
      const second = await startAttempt(world, learner);
      await startAttempt(world, other);
      const list = await api().get('/api/v1/me/attempts').query({ quizId: QUIZ_ID }).set(learner.auth).expect(200);
      expect(list.body.items).to.have.length(2);
      expect(list.body.items[0]).to.deep.equal({
        attemptId: first.attemptId,
        quizId: QUIZ_ID,
        status: 'submitted',
        score: 100,
        passed: true,
        startedAt: list.body.items[0].startedAt,
        submittedAt: submitted.body.submittedAt,
      });
      expect(list.body.items[1]).to.include({ attemptId: second.attemptId, status: 'in_progress', score: null, passed: null, submittedAt: null });
      expect((await api().get('/api/v1/me/attempts').query({ quizId: 'otro.quiz' }).set(learner.auth).expect(200)).body.items).to.deep.equal([]);
      expect((await api().get('/api/v1/me/attempts').set(learner.auth).expect(200)).body.items).to.have.length(2);
      await api().get('/api/v1/me/attempts').expect(401);
    });
  });
});
