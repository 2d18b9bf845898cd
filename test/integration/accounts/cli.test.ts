import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { MongoClient } from 'mongodb';
import { testServerUri, uniqueDatabaseName, uriForDatabase } from '../../helpers/database.js';
import { killAllChildren, spawnChild } from '../../helpers/processes.js';

/** `npm run user:create -- …`, as the script runs it. */
function userCreate(args: string[], env: Record<string, string>) {
  return spawnChild(process.execPath, ['--import', 'tsx', 'src/accounts/cli.ts', ...args], { env: { LOG_LEVEL: 'warn', ...env } });
}

describe('npm run user:create', function () {
  this.timeout(60_000);
  const databaseName = uniqueDatabaseName('cli');
  let dataDir: string;
  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'capacita-cli-'));
  });
  after(async () => {
    killAllChildren();
    rmSync(dataDir, { recursive: true, force: true });
    const client = new MongoClient(testServerUri());
    await client.db(databaseName).dropDatabase();
    await client.close();
  });
  const env = () => ({ DATA_DIR: dataDir, MONGODB_URI: uriForDatabase(databaseName) });

  it('creates an account with the roles given and prints a generated password once', async () => {
    const run = userCreate(['--email', 'Coordinacion@Example.org', '--role', 'manager', '--role', 'facilitator'], env());
    expect(await run.exited).to.equal(0);
    const output = run.output.join('\n');
    expect(output).to.include('created coordinacion@example.org (manager, facilitator)');
    expect(output).to.match(/password: [A-Za-z0-9]{20}/);
    const client = new MongoClient(testServerUri());
    const user = await client.db(databaseName).collection('users').findOne({ email: 'coordinacion@example.org' });
    await client.close();
    expect(user?.roles).to.deep.equal(['manager', 'facilitator']);
    expect(user?.passwordHash).to.match(/^\$argon2id\$/);
  });

  it('refuses a second account with the same email (exit 1) and unknown roles (exit 2)', async () => {
    const duplicate = userCreate(['--email', 'coordinacion@example.org', '--role', 'admin', '--password', 'clave-larga-de-prueba'], env());
    expect(await duplicate.exited).to.equal(1);
    expect(duplicate.output.join('\n')).to.include('already exists');
    const badRole = userCreate(['--email', 'otra@example.org', '--role', 'superuser'], env());
    expect(await badRole.exited).to.equal(2);
  });

  it('works next to a running server on the embedded engine, through its socket', async () => {
    const ownDir = mkdtempSync(join(tmpdir(), 'capacita-cli-server-'));
    const server = spawnChild(process.execPath, ['--import', 'tsx', 'src/server.ts'], { env: { PORT: '0', DATA_DIR: ownDir, MONGODB_URI: '', LOG_LEVEL: 'info' } });
    try {
      await server.waitForLine(/Capacita listening on/);
      const run = userCreate(['--email', 'facilitadora@example.org', '--role', 'facilitator', '--password', 'clave-facilitadora-1'], { DATA_DIR: ownDir, MONGODB_URI: '' });
      expect(await run.exited, run.output.join('\n')).to.equal(0);
      const url = /"url":"([^"]+)"/.exec(server.output.find((line) => line.includes('Capacita listening on'))!)![1];
      const signIn = await fetch(`${url}/api/v1/auth/tokens`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: 'facilitadora@example.org', password: 'clave-facilitadora-1' }),
      });
      expect(signIn.status).to.equal(201);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
      rmSync(ownDir, { recursive: true, force: true });
    }
  });
});
