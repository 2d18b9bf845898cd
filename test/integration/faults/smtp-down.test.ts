import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import type { Db } from 'mongodb';
import { checkConsistency, formatReport, runLearners, scenarioCourse, waitForQuiescence } from '../../../bench/load-scenario.js';
import { TestClock, createTestApp, type TestApp } from '../../helpers/app.js';
import { courseFixture, type CourseFixture } from '../../helpers/course-fixture.js';
import { eventually } from '../../helpers/app-processes.js';
import { useSmtpSinks } from '../../helpers/smtp-sink.js';

/**
 * The mail server is down while learners register and earn certificates: nothing the
 * app does waits for it, every mail stays queued with the reason, and once the server is
 * back (and the backoff has passed) each one goes out, exactly once.
 */
describe('the mail server down under load', function () {
  this.timeout(120_000);
  const startSink = useSmtpSinks();
  const clock = new TestClock();
  const course = scenarioCourse();
  let fixture: CourseFixture | undefined;
  let ctx: TestApp | undefined;
  let server: Server | undefined;
  let stopDelivery: (() => Promise<void>) | undefined;
  afterEach(async () => {
    if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
    await stopDelivery?.();
    await ctx?.close();
    fixture?.cleanUp();
    server = stopDelivery = ctx = fixture = undefined;
  });

  it('keeps every mail queued while it is down and sends each exactly once when it is back', async () => {
    const sink = await startSink();
    await sink.stop();
    fixture = courseFixture(course.files);
    ctx = await createTestApp({ COURSES_DIR: fixture.root, SMTP_URL: sink.url }, clock);
    await ctx.services.courses.importCourses();
    stopDelivery = ctx.services.notifications.startDelivery({ pollIntervalMs: 100 });
    server = createServer(ctx.app);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const db: Db = ctx.database.connection.db!;
    const outbox = db.collection('outbox_mails');

    const ledger = await runLearners({ baseUrl: () => `http://127.0.0.1:${port}`, learners: 12, concurrency: 6, course, retryDeadlineMs: 20_000, certificateWaitMs: 20_000 });
    expect(ledger.learners.filter((learner) => learner.done)).to.have.length(12);
    // A verification mail per account and a certificate mail per learner, each tried once and waiting.
    await eventually(async () => (await outbox.countDocuments({ status: 'queued', attempts: 1 })) === 24, (done) => done, 'every mail tried once and queued again', 20_000);
    const waiting = await outbox.find({}).toArray();
    expect(waiting.map((mail) => mail.lastError)).to.satisfy((errors: string[]) => errors.every((error) => /ECONNREFUSED|ECONNECTION|ESOCKET/.test(error)));
    expect(sink.received).to.have.length(0);

    await sink.start();
    clock.advance(31_000);
    const quiet = await waitForQuiescence(db, ledger, { timeoutMs: 30_000 });
    expect(quiet.pending, 'still pending after the deadline').to.deep.equal([]);
    const report = await checkConsistency(db, ledger);
    expect(report.ok, formatReport(report)).to.equal(true);
    const messageIds = sink.received.map((mail) => mail.messageId);
    expect(messageIds, 'each mail once').to.have.length(24);
    expect(new Set(messageIds).size).to.equal(24);
    expect(await outbox.countDocuments({ status: 'sent', attempts: 2 })).to.equal(24);
  });
});
