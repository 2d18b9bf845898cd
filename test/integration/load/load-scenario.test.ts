import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { ObjectId, type Db } from 'mongodb';
import { checkConsistency, formatReport, runLearners, scenarioCourse, waitForQuiescence, type Ledger, type Report } from '../../../bench/load-scenario.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { courseFixture, type CourseFixture } from '../../helpers/course-fixture.js';

/**
 * The load scenario (bench/load-scenario.ts) on a small scale against the app in this
 * process: its consistency check comes out clean, and it names what was broken when
 * the database is tampered with behind the clients' backs.
 */
describe('load scenario: learners to certificates, and the consistency check', function () {
  this.timeout(60_000);
  const course = scenarioCourse();
  let fixture: CourseFixture;
  let ctx: TestApp;
  let server: Server;
  let stopDelivery: () => Promise<void>;
  let db: Db;
  let ledger: Ledger;

  const problemsOf = (report: Report, name: string): string[] => report.lines.find((line) => line.name.startsWith(name))?.problems ?? [];

  before(async () => {
    fixture = courseFixture(course.files);
    ctx = await createTestApp({ COURSES_DIR: fixture.root });
    await ctx.services.courses.importCourses();
    stopDelivery = ctx.services.notifications.startDelivery({ pollIntervalMs: 100 });
    server = createServer(ctx.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    db = ctx.database.connection.db!;
    const { port } = server.address() as AddressInfo;
    ledger = await runLearners({ baseUrl: () => `http://127.0.0.1:${port}`, learners: 20, concurrency: 8, course, retryDeadlineMs: 10_000, certificateWaitMs: 10_000 });
    const quiet = await waitForQuiescence(db, ledger, { timeoutMs: 20_000, pollIntervalMs: 100 });
    expect(quiet.pending, 'still pending after the deadline').to.deep.equal([]);
  });

  after(async () => {
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await stopDelivery?.();
    await ctx?.close();
    fixture?.cleanUp();
  });

  it('every learner completes and is certified, and every count matches what the clients were told', async () => {
    expect(ledger.learners.filter((learner) => learner.done)).to.have.length(20);
    expect(ledger.learners.filter((learner) => learner.failsFirst)).to.have.length(4);
    // Four learners failed the first quiz once: 20 × 2 passed attempts + 4 failed ones.
    expect(ledger.learners.flatMap((learner) => learner.attempts)).to.have.length(44);
    const report = await checkConsistency(db, ledger);
    expect(report.ok, formatReport(report)).to.equal(true);
    const found = Object.fromEntries(report.lines.map((line) => [line.name, line.found]));
    expect(found).to.include({
      users: 20,
      enrollments: 20,
      'completed enrollments': 20,
      'quiz attempts': 44,
      'certificates (one per completed enrollment)': 20,
      'certificate mails': 20,
      'verification mails (one per account)': 20,
      'mails delivered (outbox: sent)': 40,
    });
  });

  it('names a certificate deleted behind the clients’ backs', async () => {
    const learner = ledger.learners[3]!;
    const certificates = db.collection('certificates');
    const stored = await certificates.findOne({ code: learner.certificateCode });
    expect(stored).to.not.equal(null);
    await certificates.deleteOne({ _id: stored!._id });
    try {
      const report = await checkConsistency(db, ledger);
      expect(report.ok).to.equal(false);
      expect(problemsOf(report, 'certificates (one per')).to.have.length(1);
      expect(problemsOf(report, 'certificates (one per')[0]).to.include(`told code ${learner.certificateCode}`).and.include('has no certificate');
      expect(problemsOf(report, 'certificate codes as told')[0]).to.include(`told certificate ${learner.certificateCode}`);
      expect(problemsOf(report, 'certificate mails')[0]).to.include(`certificate ${learner.certificateCode}, which does not exist`);
    } finally {
      await certificates.insertOne(stored!);
    }
    expect((await checkConsistency(db, ledger)).ok).to.equal(true);
  });

  it('names a certificate mail queued twice', async () => {
    const code = ledger.learners[5]!.certificateCode!;
    const outbox = db.collection('outbox_mails');
    const mail = await outbox.findOne({ idempotencyKey: `certificate:${code}` });
    expect(mail).to.not.equal(null);
    // The same mail again, as a queue without the idempotency key would have left it.
    const { _id, idempotencyKey: _key, ...copy } = mail!;
    const { insertedId } = await outbox.insertOne(copy);
    try {
      const report = await checkConsistency(db, ledger);
      expect(report.ok).to.equal(false);
      expect(problemsOf(report, 'certificate mails')).to.deep.equal([`certificate ${code}: 2 mails (duplicated: ${_id.toHexString()}, ${insertedId.toHexString()})`]);
    } finally {
      await outbox.deleteOne({ _id: insertedId });
    }
  });

  it('names an attempt whose stored score differs from the one told, and an attempt nobody was told of', async () => {
    const attempt = ledger.learners[1]!.attempts[0]!;
    expect(attempt.result).to.include({ score: 0, passed: false });
    const attempts = db.collection('quiz_attempts');
    const stored = await attempts.findOne({ _id: new ObjectId(attempt.attemptId) });
    await attempts.updateOne({ _id: stored!._id }, { $set: { 'result.score': 50 } });
    const { _id: _omit, ...extra } = stored!;
    const { insertedId } = await attempts.insertOne({ ...extra, number: 99, status: 'in_progress', result: null });
    try {
      const report = await checkConsistency(db, ledger);
      expect(problemsOf(report, 'attempt scores as told')).to.deep.equal([`attempt ${attempt.attemptId} of learner 1: told 0 (failed), stored submitted 50 (failed)`]);
      expect(problemsOf(report, 'quiz attempts')).to.deep.equal([`attempt ${insertedId.toHexString()} of user ${ledger.learners[1]!.userId} (in_progress) was never acknowledged`]);
      // With faults injected but no lost attempt start, the extra is still not allowed.
      expect(problemsOf(await checkConsistency(db, ledger, { faultsInjected: true }), 'quiz attempts')).to.have.length(1);
    } finally {
      await attempts.updateOne({ _id: stored!._id }, { $set: { 'result.score': 0 } });
      await attempts.deleteOne({ _id: insertedId });
    }
  });
});
