import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import request from 'supertest';
import { createApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config.js';
import { connectDatabase } from '../../../src/db/connection.js';
import { startEngine } from '../../../src/db/engine/index.js';
import { createLogger } from '../../../src/shared/logger.js';
import { useTestApp } from '../../helpers/app.js';

describe('GET /healthz', () => {
  const ctx = useTestApp();

  it('answers 200 {status: ok, db: ok} when the database answers', async () => {
    const response = await request(ctx().app).get('/healthz').expect(200);
    expect(response.body).to.deep.equal({ status: 'ok', db: 'ok' });
    expect(response.headers['cache-control']).to.equal('no-store');
  });

  it('answers 503 when the database has gone away', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'capacita-health-'));
    const engine = await startEngine({ dbpath: join(directory, 'db') });
    const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: directory, LOG_LEVEL: 'silent', MONGODB_URI: engine.uri.replace('/?', '/health?') });
    const logger = createLogger('silent');
    const database = await connectDatabase(config, logger);
    try {
      const app = createApp({ config, logger, database });
      await request(app).get('/healthz').expect(200);
      await engine.close();
      const response = await request(app).get('/healthz').expect(503);
      expect(response.body.db).to.equal('unreachable');
    } finally {
      await database.close();
      await engine.close();
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
