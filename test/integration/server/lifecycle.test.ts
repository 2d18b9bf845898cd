import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { MongoClient } from 'mongodb';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/shared/logger.js';
import { startServer } from '../../../src/server.js';
import { uniqueDatabaseName, uriForDatabase } from '../../helpers/database.js';
import { killAllChildren, spawnChild, type ChildHandle } from '../../helpers/processes.js';

/**
 * The command `npm start` runs, started directly: npm itself answers SIGTERM with exit
 * code 143 whatever its child does, so the server's own exit code is what we check.
 */
function npmStart(dataDir: string): ChildHandle {
  const script = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } }).scripts.start;
  const [command, ...args] = script.split(' ');
  expect(command).to.equal('node');
  return spawnChild(process.execPath, args, {
    env: { PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'info', MONGODB_URI: '', NODE_ENV: 'production' },
  });
}

async function listeningUrl(server: ChildHandle): Promise<string> {
  const line = await server.waitForLine(/Capacita listening on/, 15_000);
  return /"url":"([^"]+)"/.exec(line)![1]!;
}

describe('running Capacita as npm start does', function () {
  this.timeout(60_000);
  let dataDir: string;
  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'capacita-start-'));
  });
  after(() => {
    killAllChildren();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves /healthz on the embedded database within 15 s, keeps data across restarts, and exits 0 on SIGTERM', async () => {
    const first = npmStart(dataDir);
    const url = await listeningUrl(first);
    const health = await fetch(`${url}/healthz`);
    expect(health.status).to.equal(200);
    expect(await health.json()).to.deep.equal({ status: 'ok', db: 'ok' });

    // The embedded engine listens on an owner-only socket in the data directory.
    const socketUri = `mongodb://${encodeURIComponent(join(dataDir, 'db', 'engine.sock'))}/?directConnection=true`;
    const client = new MongoClient(socketUri);
    await client.db('capacita').collection('persistence_check').insertOne({ _id: 'kept' as never, at: new Date() });
    await client.close();

    // First start on an empty database: an administrator with a password shown once.
    expect(first.output.join('\n')).to.match(/First administrator created\.[\s\S]*Email: +admin@capacita\.local[\s\S]*Password: +[A-Za-z0-9]{20}/);
    const signIn = await fetch(`${url}/api/v1/auth/tokens`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: 'admin@capacita.local', password: /Password: +([A-Za-z0-9]{20})/.exec(first.output.join('\n'))![1] }),
    });
    expect(signIn.status).to.equal(201);

    first.child.kill('SIGTERM');
    expect(await first.exited).to.equal(0);

    const second = npmStart(dataDir);
    const secondUrl = await listeningUrl(second);
    expect((await fetch(`${secondUrl}/healthz`)).status).to.equal(200);
    const again = new MongoClient(socketUri);
    const kept = await again.db('capacita').collection('persistence_check').findOne({ _id: 'kept' as never });
    await again.close();
    expect(kept).to.not.equal(null);

    second.child.kill('SIGINT');
    expect(await second.exited).to.equal(0);
    expect(second.output.join('\n')).not.to.include('First administrator created');
  });
});

describe('graceful shutdown', () => {
  it('stops accepting, lets an in-flight request finish, then closes the database', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'capacita-stop-'));
    const config = loadConfig({
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      MONGODB_URI: uriForDatabase(uniqueDatabaseName('shutdown')),
    });
    const running = await startServer(config, createLogger('silent'));
    const port = Number(new URL(running.url).port);
    try {
      // A request whose body is still arriving when the stop begins.
      const socket = connect(port, '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      const body = '{"email":"late@example.org"}';
      socket.write(`POST /api/v1/unknown HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 5)}`);
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      const answered = new Promise((resolve) => socket.once('end', resolve));

      let isStopped = false;
      const stopped = running.stop().then(() => {
        isStopped = true;
      });
      // New connections are refused from now on.
      const refused = await new Promise<boolean>((resolve) => {
        const probe = connect(port, '127.0.0.1');
        probe.once('connect', () => {
          probe.destroy();
          resolve(false);
        });
        probe.once('error', () => resolve(true));
      });
      expect(refused).to.equal(true);
      expect(isStopped).to.equal(false);

      socket.end(body.slice(5));
      await answered;
      await stopped;
      const response = Buffer.concat(chunks).toString('utf8');
      expect(response).to.match(/^HTTP\/1\.1 404/);
      expect(response).to.include('"code":"not_found"');
      expect(running.server.listening).to.equal(false);
    } finally {
      await running.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
