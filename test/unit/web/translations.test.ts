import { expect } from 'chai';
import express from 'express';
import request from 'supertest';
import { createI18n, i18nMiddleware } from '../../../src/web/i18n.js';

/**
 * The web's `t` remembers its answers (src/web/i18n.ts): asked twice, with whatever
 * plain options, it must say exactly what i18next says, in the request's language.
 */
interface Call {
  key: string;
  options?: Record<string, unknown>;
}

const CALLS: Call[] = [
  { key: 'app.name' },
  { key: 'courses:course.moduleHeading', options: { number: 2, title: 'Planeación' } },
  { key: 'courses:course.moduleHeading', options: { number: 3, title: 'Presupuesto' } },
  { key: 'certificates:pages.verify.busy', options: { count: 1 } },
  { key: 'certificates:pages.verify.busy', options: { count: 30 } },
  { key: 'enrollments:lesson.minutes', options: { count: 12 } },
  { key: 'no.such.key' },
  { key: 'no.such.key', options: { defaultValue: 'por defecto' } },
];

function appAnswering(instance = createI18n()): express.Express {
  const app = express();
  app.use(i18nMiddleware(instance));
  app.get('/t', (req, res) => {
    // Every call twice: the second answer comes from the memo.
    const answers = CALLS.map(({ key, options }) => [req.t(key, options), req.t(key, options)]);
    const list = req.t('accounts:admin.import.formatNotes', { returnObjects: true }) as unknown;
    res.json({ answers, list, again: req.t('accounts:admin.import.formatNotes', { returnObjects: true }) as unknown });
  });
  return app;
}

describe('the web translations', () => {
  const reference = createI18n();

  for (const language of ['es', 'en'] as const) {
    it(`give what i18next gives, first and second time (${language})`, async () => {
      const { body } = await request(appAnswering()).get(`/t?lang=${language}`).expect(200);
      const fixed = reference.getFixedT(language);
      const expected = CALLS.map(({ key, options }) => fixed(key, options as never) as unknown as string);
      expect(body.answers).to.deep.equal(expected.map((text) => [text, text]));
      // Different options are different answers, not the first one remembered.
      expect(expected[1]).to.not.equal(expected[2]);
      expect(expected[3]).to.not.equal(expected[4]);
      expect(expected[7]).to.equal('por defecto');
    });
  }

  it('keep one memo per language: Spanish after English is still Spanish', async () => {
    const app = appAnswering();
    const english = (await request(app).get('/t?lang=en').expect(200)).body as { answers: string[][] };
    const spanish = (await request(app).get('/t?lang=es').expect(200)).body as { answers: string[][] };
    expect(spanish.answers[1]![0]).to.equal('Módulo 2: Planeación');
    expect(english.answers[1]![0]).to.not.equal(spanish.answers[1]![0]);
  });

  it('leave lists (returnObjects) to i18next', async () => {
    const { body } = await request(appAnswering()).get('/t?lang=es').expect(200);
    expect(body.list).to.be.an('array').that.is.not.empty;
    expect(body.again).to.deep.equal(body.list);
  });

  it('remember a plain answer for the life of the process (catalogues do not change while it runs)', async () => {
    const instance = createI18n();
    const app = appAnswering(instance);
    const before = (await request(app).get('/t?lang=es').expect(200)).body as { answers: string[][] };
    instance.addResource('es', 'web', 'app.name', 'Otro nombre');
    const after = (await request(app).get('/t?lang=es').expect(200)).body as { answers: string[][] };
    expect(after.answers[0]).to.deep.equal(before.answers[0]);
    expect(before.answers[0]![0]).to.not.equal('Otro nombre');
  });
});
