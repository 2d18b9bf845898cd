import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Express } from 'express';
import { createApp } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { connectDatabase, type Database } from '../../src/db/connection.js';
import { buildServices, type Services } from '../../src/services.js';
import type { Clock } from '../../src/shared/clock.js';
import { createLogger } from '../../src/shared/logger.js';
import { uniqueDatabaseName, uriForDatabase } from './database.js';

export interface TestApp {
  app: Express;
  config: Readonly<Config>;
  database: Database;
  services: Services;
  close(): Promise<void>;
}

/** A clock a test can move: `clock.advance(15 * 60_000)`. */
export class TestClock implements Clock {
  private offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  advance(milliseconds: number): void {
    this.offsetMs += milliseconds;
  }
}

/** The real application on a database of its own, with a throwaway data directory. */
export async function createTestApp(environment: Record<string, string> = {}, clock?: Clock): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'capacita-test-data-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir,
    MONGODB_URI: uriForDatabase(uniqueDatabaseName('app')),
    ...environment,
  });
  const logger = createLogger(config.logLevel);
  const database = await connectDatabase(config, logger);
  const services = buildServices({ config, logger, database, ...(clock ? { clock } : {}) });
  const app = createApp({ config, logger, database, services });
  return {
    app,
    config,
    database,
    services,
    async close() {
      await database.connection.dropDatabase();
      await database.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Gives the calling suite one app for all its tests: `const ctx = useTestApp();` then `ctx().app`. */
export function useTestApp(environment?: Record<string, string>, clock?: Clock): () => TestApp {
  let testApp: TestApp | undefined;
  before(async () => {
    testApp = await createTestApp(environment, clock);
  });
  after(async () => {
    await testApp?.close();
  });
  return () => {
    if (!testApp) throw new Error('useTestApp: the suite has not started');
    return testApp;
  };
}

export interface SecondInstance {
  database: Database;
  services: Services;
  close(): Promise<void>;
}

/**
 * What a second app process would have: its own connection to the same database and
 * its own services (jobs, outbox, locks), for tests of work shared between processes.
 */
export async function secondInstance(ctx: TestApp, clock?: Clock): Promise<SecondInstance> {
  const logger = createLogger(ctx.config.logLevel);
  const database = await connectDatabase(ctx.config, logger);
  return {
    database,
    services: buildServices({ config: ctx.config, logger, database, ...(clock ? { clock } : {}) }),
    close: () => database.close(),
  };
}
