import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEngine, type RunningEngine } from '../../src/db/engine/index.js';
import { setTestDatabaseServer } from './database.js';

/**
 * One isolated database server for the whole run: the embedded engine in a temporary
 * directory, or the MongoDB named by MONGODB_URI. Suites take their own database
 * from test/helpers/database.ts, so they never see each other's data.
 */
let engine: RunningEngine | undefined;
let directory: string | undefined;

export const mochaHooks = {
  async beforeAll(): Promise<void> {
    const external = process.env.MONGODB_URI;
    if (external) {
      setTestDatabaseServer(external);
      return;
    }
    directory = mkdtempSync(join(tmpdir(), 'capacita-test-db-'));
    engine = await startEngine({ dbpath: directory });
    setTestDatabaseServer(engine.uri);
  },
  async afterAll(): Promise<void> {
    await engine?.close();
    if (directory) rmSync(directory, { recursive: true, force: true });
  },
};
