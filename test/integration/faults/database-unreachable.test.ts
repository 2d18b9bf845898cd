import { join } from 'node:path';
import { expect } from 'chai';
import request from 'supertest';
import { createApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config.js';
import { connectDatabase, type Database } from '../../../src/db/connection.js';
import { createLogger } from '../../../src/shared/logger.js';
import { useEngineProcesses } from '../../helpers/engine-process.js';
import { registerAndSignIn } from '../../helpers/factories.js';
import { eventually } from '../../helpers/app-processes.js';
import { useTempDirectories } from '../../helpers/temp-directory.js';

/**
 * The database process dies (SIGKILL) under a running app and comes back on the same
 * address: meanwhile the app says so (/healthz 503) and refuses work with 503 rather than
 * failing with 500s; afterwards it serves again without a restart, with the data intact.
 */
describe('the database unreachable under a running app', function () {
  this.timeout(60_000);
  const startEngine = useEngineProcesses();
  const makeDirectory = useTempDirectories('db-unreachable');
  let database: Database | undefined;
  afterEach(async () => {
    await database?.close();
    database = undefined;
  });

  it('answers 503 (healthz, API and pages) while it is gone and recovers by itself when it returns', async () => {
    const directory = makeDirectory();
    const dbpath = join(directory, 'db');
    const engine = await startEngine({ dbpath });
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: directory, MONGODB_URI: `mongodb://127.0.0.1:${engine.port}/faults` });
    const logger = createLogger('silent');
    database = await connectDatabase(config, logger);
    const app = createApp({ config, logger, database });
    const learner = await registerAndSignIn(app, { givenName: 'Yuliana' });

    await engine.kill('SIGKILL');

    const health = await request(app).get('/healthz').expect(503);
    expect(health.body).to.deep.equal({ status: 'unavailable', db: 'unreachable' });
    const first = await request(app).get('/api/v1/me').set(learner.auth).expect(503);
    expect(first.body.error.code).to.equal('service_unavailable');
    expect(first.body.error).to.not.have.property('stack');
    expect(database.availability.isReachable, 'the app has noticed').to.equal(false);
    // Known to be down: refused before any database work, with a hint when to come back.
    const refused = await request(app).post('/api/v1/auth/tokens').send({ email: learner.email, password: learner.password }).expect(503);
    expect(refused.headers['retry-after']).to.equal('5');
    expect(refused.body.error.code).to.equal('service_unavailable');
    const page = await request(app).get('/courses').expect(503);
    expect(page.headers['content-type']).to.match(/text\/html/);
    expect(page.text).to.include('Servicio no disponible');

    await startEngine({ dbpath, port: engine.port });
    await eventually(async () => (await request(app).get('/healthz')).status === 200, (done) => done, '/healthz answers 200 again', 20_000);
    await eventually(async () => (await request(app).get('/api/v1/me').set(learner.auth)).status === 200, (done) => done, 'the API serves again', 10_000);
    const me = await request(app).get('/api/v1/me').set(learner.auth).expect(200);
    expect(me.body.givenName, 'the data written before the crash').to.equal('Yuliana');
    await request(app).patch('/api/v1/me').set(learner.auth).send({ organization: 'Alcaldía de Tumaco' }).expect(200);
    const again = await request(app).get('/api/v1/me').set(learner.auth).expect(200);
    expect(again.body.organization).to.equal('Alcaldía de Tumaco');
  });
});
