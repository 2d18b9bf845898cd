import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { MongoClient } from 'mongodb';
import type { TestDocument } from '../helpers/documents.js';
import { useEngineProcesses } from '../helpers/engine-process.js';
import { usePrivateEngines } from '../helpers/private-engine.js';
import { expectServerError } from '../helpers/server-errors.js';
import { useTempDirectories } from '../helpers/temp-directory.js';

/** Runs the CLI to completion (for options that make it exit straight away). */
function runCli(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/db/engine/cli.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('exit', (code) => resolve({ code, output }));
  });
}

describe('the standalone engine (npm run db)', function () {
  this.timeout(30_000);
  const makeDirectory = useTempDirectories('standalone');
  const startEngineProcess = useEngineProcesses();
  const startPrivateEngine = usePrivateEngines();

  it('serves the official driver like mongod: unique index, 11000, aggregation; SIGTERM exits 0', async () => {
    const dbpath = makeDirectory();
    const server = await startEngineProcess({ dbpath });
    expect(server.output()).to.match(/^\{.*"msg":"listening on mongodb:\/\/127\.0\.0\.1:\d+\//m);
    const client = new MongoClient(server.uri);
    try {
      const learners = client.db('capacita').collection<TestDocument>('learners');
      expect(await learners.createIndex({ email: 1 }, { unique: true })).to.equal('email_1');
      await learners.insertMany([
        { email: 'ana@example.org', cohort: 'A', score: 8 },
        { email: 'beto@example.org', cohort: 'A', score: 6 },
        { email: 'caro@example.org', cohort: 'B', score: 9 },
      ]);
      const duplicate = await expectServerError(learners.insertOne({ email: 'ana@example.org' }), 11000);
      expect(duplicate.keyValue).to.deep.equal({ email: 'ana@example.org' });
      const averages = await learners
        .aggregate([{ $group: { _id: '$cohort', average: { $avg: '$score' }, n: { $sum: 1 } } }, { $sort: { _id: 1 } }])
        .toArray();
      expect(averages).to.deep.equal([{ _id: 'A', average: 7, n: 2 }, { _id: 'B', average: 9, n: 1 }]);
    } finally {
      // The client stays connected: shutting down must not wait for it to leave.
      const exit = await server.kill('SIGTERM');
      expect(exit, server.output()).to.deep.equal({ code: 0, signal: null });
      await client.close();
    }
    expect(server.output()).to.include('journal flushed');

    const restarted = await startEngineProcess({ dbpath });
    const again = new MongoClient(restarted.uri);
    try {
      expect(await again.db('capacita').collection('learners').countDocuments()).to.equal(3);
    } finally {
      await again.close();
    }
  });

  it('SIGINT shuts down cleanly too', async () => {
    const server = await startEngineProcess({ dbpath: makeDirectory() });
    expect(await server.kill('SIGINT')).to.deep.equal({ code: 0, signal: null });
  });

  it('can listen on an owner-only Unix socket only, removed again on close', async () => {
    const socketPath = join(makeDirectory(), 'engine.sock');
    const { engine, client, stop } = await startPrivateEngine({ dbpath: makeDirectory(), socketPath });
    expect(engine.port).to.equal(undefined);
    expect(engine.uri).to.equal(engine.socketUri);
    expect(statSync(socketPath).mode & 0o777).to.equal(0o600);
    await client.db('app').collection('t').insertOne({ via: 'socket' });
    expect(await client.db('app').collection('t').countDocuments()).to.equal(1);
    await stop();
    expect(existsSync(socketPath)).to.equal(false);
  });

  it('refuses an invalid port with exit code 2, and --help exits 0', async () => {
    const invalid = await runCli(['--port', 'eighty', '--dbpath', makeDirectory()]);
    expect(invalid.code).to.equal(2);
    expect(invalid.output).to.include('invalid --port');
    const help = await runCli(['--help']);
    expect(help.code).to.equal(0);
    expect(help.output).to.include('Usage');
  });

  it('refuses to listen on a non-loopback address, since it has no authentication', async () => {
    const refused = await runCli(['--port', '0', '--dbpath', makeDirectory(), '--bind_ip', '0.0.0.0']);
    expect(refused.code).to.not.equal(0);
    expect(refused.output).to.include('loopback');
  });
});
