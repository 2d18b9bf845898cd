import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEngine, type RunningEngine } from '../../src/db/engine/index.js';
import { setTestDatabaseServers } from './database.js';

/**
 * The embedded engine in a temporary directory for the whole run; the application's
 * suites use the MongoDB named by MONGODB_URI instead when it is set. Suites take their
 * own database from test/helpers/database.ts, so they never see each other's data.
 */
let engine: RunningEngine | undefined;
let directory: string | undefined;

export const mochaHooks = {
  async beforeAll(): Promise<void> {
    directory = mkdtempSync(join(tmpdir(), 'capacita-test-db-'));
    engine = await startEngine({ dbpath: directory });
    setTestDatabaseServers({ app: process.env.MONGODB_URI || engine.uri, engine: engine.uri });
  },
  async afterAll(): Promise<void> {
    await engine?.close();
    if (directory) rmSync(directory, { recursive: true, force: true });
  },
};
