import { expect } from 'chai';
import express from 'express';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import request from 'supertest';
import { AppError } from '../../../src/shared/errors.js';
import { errorHandler } from '../../../src/web/errors.js';
import { createI18n, i18nMiddleware } from '../../../src/web/i18n.js';
import { configureViews } from '../../../src/web/views.js';

/** A minimal app around the real error middleware, with routes that fail on purpose. */
function appThatFails(logLines: string[]): express.Express {
  const app = express();
  configureViews(app, new URL('../../../views', import.meta.url).pathname);
  app.use(i18nMiddleware(createI18n()));
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  const failure = (): never => {
    throw new Error('database password is hunter2 at /srv/secret/path');
  };
  app.get('/api/v1/boom', failure);
  app.get('/boom', failure);
  app.get('/api/v1/conflict', () => {
    throw new AppError('conflict', 'The cohort is full.', { reason: 'full' });
  });
  app.use(errorHandler(pino({ level: 'error' }, sink)));
  return app;
}

describe('the error middleware', () => {
  it('answers an unexpected API failure with 500 internal and no internals in the body', async () => {
    const logLines: string[] = [];
    const response = await request(appThatFails(logLines)).get('/api/v1/boom').expect(500);
    expect(response.body.error.code).to.equal('internal');
    expect(JSON.stringify(response.body)).not.to.match(/hunter2|\/srv\/secret|at .*\.ts/);
    expect(logLines.join('')).to.include('hunter2');
  });

  it('answers an unexpected page failure with the error page and no internals', async () => {
    const response = await request(appThatFails([])).get('/boom').expect(500);
    expect(response.text).to.include('Algo salió mal');
    expect(response.text).not.to.include('hunter2');
  });

  it('maps an AppError code to its status and keeps its details', async () => {
    const response = await request(appThatFails([])).get('/api/v1/conflict').expect(409);
    expect(response.body.error).to.include({ code: 'conflict', message: 'The cohort is full.' });
    expect(response.body.error.details).to.deep.equal({ reason: 'full' });
  });
});
