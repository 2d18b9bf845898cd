import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { expect } from 'chai';
import { pino } from 'pino';
import { checkConsistency, formatReport, runLearners, scenarioCourse, waitForQuiescence, writeScenarioCourse } from '../../../bench/load-scenario.js';
import { createApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config.js';
import { connectDatabase, type Database } from '../../../src/db/connection.js';
import { startJobScheduler, type JobScheduler } from '../../../src/jobs/index.js';
import { buildServices } from '../../../src/services.js';
import { useEngineProcesses } from '../../helpers/engine-process.js';
import { useTempDirectories } from '../../helpers/temp-directory.js';

/**
 * The database process is killed (SIGKILL) while learners work through a course, and
 * started again on the same data directory and port. The app lives on: it answers 503
 * meanwhile (the clients retry), reconnects by itself, and afterwards every write a
 * client was told about is there — the engine acknowledged it only once journalled —,
 * nothing is duplicated, and the work a failed request left half-done (a completion not
 * yet announced, a mail not yet sent) is finished by the background jobs.
 */
describe('the database engine killed under load', function () {
  this.timeout(300_000);
  const startEngine = useEngineProcesses();
  const makeDirectory = useTempDirectories('engine-killed');
  let database: Database | undefined;
  let server: Server | undefined;
  let stopDelivery: (() => Promise<void>) | undefined;
  let scheduler: JobScheduler | undefined;
  afterEach(async () => {
    if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
    await scheduler?.stop();
    await stopDelivery?.();
    await database?.close();
    server = scheduler = stopDelivery = database = undefined;
  });

  it('keeps every acknowledged write, duplicates nothing, and finishes what failed requests left half-done', async () => {
    const directory = makeDirectory();
    const dbpath = join(directory, 'db');
    const course = scenarioCourse();
    writeScenarioCourse(join(directory, 'courses'), course);
    const engine = await startEngine({ dbpath });
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      DATA_DIR: join(directory, 'data'),
      COURSES_DIR: join(directory, 'courses'),
      MONGODB_URI: `mongodb://127.0.0.1:${engine.port}/faults`,
      // A mail claimed in a write whose answer the crash swallowed is taken again after 5 s.
      WORK_LEASE_SECONDS: '5',
    });
    // Errors the app logs go into the failure message, should a learner get stuck.
    const logged: string[] = [];
    const errorLog = new Writable({
      write(chunk, _encoding, done) {
        logged.push(String(chunk));
        done();
      },
    });
    const logger = pino({ level: 'error' }, errorLog);
    database = await connectDatabase(config, logger);
    const services = buildServices({ config, logger, database });
    await services.courses.importCourses();
    stopDelivery = services.notifications.startDelivery({ pollIntervalMs: 100 });
    // The jobs as in production, only due every half second instead of every minute, and a
    // job whose unlock the outage swallowed is taken again after 2 s instead of 5 minutes.
    const jobs = services.jobs.map((job) => ({ ...job, intervalMs: 500 }));
    scheduler = await startJobScheduler({ connection: database.connection, logger, jobs, pollIntervalMs: 100, lockLifetimeMs: 2_000 });
    server = createServer(createApp({ config, logger, database, services }));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    // The outage lasts until the clients have been turned away a few times, so that it is
    // seen (the driver would otherwise hide a short one by waiting for the server).
    let refusals = 0;
    let enoughRefusals!: () => void;
    const refusedEnough = new Promise<void>((resolve) => (enoughRefusals = resolve));
    server.on('request', (_request, response) => {
      response.on('finish', () => {
        if (response.statusCode === 503 && ++refusals === 5) enoughRefusals();
      });
    });

    let restarted: Promise<unknown> | undefined;
    const ledger = await runLearners({
      baseUrl: () => `http://127.0.0.1:${port}`,
      learners: 40,
      concurrency: 16,
      course,
      retryDeadlineMs: 60_000,
      onLearnerFinished: (_learner, finished) => {
        if (finished !== 8) return;
        restarted = (async () => {
          await engine.kill('SIGKILL');
          await refusedEnough;
          return startEngine({ dbpath, port: engine.port });
        })();
      },
    });
    expect(restarted, 'the engine was killed while learners were in flight').to.not.equal(undefined);
    await restarted;
    const stuck = ledger.learners.filter((learner) => !learner.done).map((learner) => `learner ${learner.index}: ${learner.error}`);
    expect(stuck, `every learner got through; the app logged:\n${logged.filter((line) => line.includes('unhandled error')).join('\n')}`).to.deep.equal([]);
    expect(ledger.serverErrors['503'] ?? 0, 'clients were told 503 while the engine was down, and retried').to.be.greaterThan(0);

    const db = database.connection.db!;
    const quiet = await waitForQuiescence(db, ledger, { timeoutMs: 150_000 });
    expect(quiet.pending, 'still pending after the deadline').to.deep.equal([]);
    const report = await checkConsistency(db, ledger, { faultsInjected: true });
    expect(report.ok, formatReport(report)).to.equal(true);
    expect(ledger.serverErrors['500'] ?? 0, 'no 500 answers').to.equal(0);
  });
});
