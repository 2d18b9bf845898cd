import { join } from 'node:path';
import { expect } from 'chai';
import { MongoClient } from 'mongodb';
import { checkConsistency, formatReport, runLearners, scenarioCourse, waitForQuiescence, writeScenarioCourse } from '../../../bench/load-scenario.js';
import { useEngineProcesses } from '../../helpers/engine-process.js';
import { useTempDirectories } from '../../helpers/temp-directory.js';
import { spawnApp, waitUntilListening, type AppProcess } from '../../helpers/app-processes.js';

/**
 * The app process is killed (SIGKILL, no goodbye) while learners register, enroll, read,
 * take quizzes and get certificates, and is started again. Every enrollment, attempt and
 * certificate a client was told about is there, nothing is duplicated, the clients saw
 * no 500, and the mail the dead process had queued or was sending goes out.
 */
describe('the app killed under load and restarted', function () {
  this.timeout(300_000);
  const startEngine = useEngineProcesses();
  const makeDirectory = useTempDirectories('app-killed');
  const apps: AppProcess[] = [];
  afterEach(async () => {
    for (const app of apps.splice(0)) {
      if (app.child.exitCode === null && app.child.signalCode === null) app.child.kill('SIGKILL');
      await app.exited;
    }
  });

  it('keeps every acknowledged write, duplicates nothing, and resumes the pending mail', async () => {
    const directory = makeDirectory();
    const course = scenarioCourse();
    writeScenarioCourse(join(directory, 'courses'), course);
    const engine = await startEngine({ dbpath: join(directory, 'db') });
    const uri = `mongodb://127.0.0.1:${engine.port}/faults?directConnection=true`;
    // A mail the dead process was sending is taken over once its lease (5 s here) runs out.
    const environment = { MONGODB_URI: uri, DATA_DIR: join(directory, 'data'), COURSES_DIR: join(directory, 'courses'), HOST: '127.0.0.1', WORK_LEASE_SECONDS: '5', LOG_LEVEL: 'warn' };
    const start = async (): Promise<AppProcess> => {
      const app = await waitUntilListening(spawnApp({ ...environment, LOG_LEVEL: 'info' }));
      apps.push(app);
      return app;
    };
    let app = await start();
    let restarted: Promise<void> | undefined;
    let learnersFinishedAtKill = -1;

    const ledger = await runLearners({
      baseUrl: () => app.url,
      learners: 40,
      concurrency: 16,
      course,
      retryDeadlineMs: 60_000,
      onLearnerFinished: (_learner, finished) => {
        if (finished !== 8) return;
        learnersFinishedAtKill = finished;
        restarted = (async () => {
          app.child.kill('SIGKILL');
          await app.exited;
          app = await start();
        })();
      },
    });
    await restarted;
    expect(learnersFinishedAtKill, 'the app was killed while learners were in flight').to.equal(8);
    const stuck = ledger.learners.filter((learner) => !learner.done).map((learner) => `learner ${learner.index}: ${learner.error}`);
    expect(stuck, 'every learner got through').to.deep.equal([]);
    expect(ledger.lost.length, 'requests in flight were cut off by the kill').to.be.greaterThan(0);

    const client = await MongoClient.connect(uri);
    try {
      const db = client.db();
      const quiet = await waitForQuiescence(db, ledger, { timeoutMs: 150_000 });
      expect(quiet.pending, 'still pending after the deadline').to.deep.equal([]);
      const report = await checkConsistency(db, ledger, { faultsInjected: true });
      expect(report.ok, formatReport(report)).to.equal(true);
      expect(ledger.serverErrors['500'] ?? 0, 'no 500 answers').to.equal(0);
    } finally {
      await client.close();
    }
  });
});
