import { expect } from 'chai';
import { Types } from 'mongoose';
import request from 'supertest';
import { createApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config.js';
import { connectDatabase, type Database } from '../../../src/db/connection.js';
import { buildServices } from '../../../src/services.js';
import { createLogger } from '../../../src/shared/logger.js';
import { TestClock, type TestApp } from '../../helpers/app.js';
import { courseFixture, sampleCourseFiles, shortCourseFiles, type CourseFixture } from '../../helpers/course-fixture.js';
import { useEngineProcesses } from '../../helpers/engine-process.js';
import { registerAndSignIn, type SignedIn } from '../../helpers/factories.js';
import { killAllChildren } from '../../helpers/processes.js';
import { useSmtpSinks, type ReceivedMail } from '../../helpers/smtp-sink.js';
import { useTempDirectories } from '../../helpers/temp-directory.js';
import { staffToken } from '../live-sessions/live-sessions-helpers.js';
import { Browser, eventually, spawnApp, waitUntilListening, type AppProcess } from '../../helpers/app-processes.js';

const SESSIONS_COURSE = 'curso-con-sesiones';
const CERTIFIED_COURSE = 'curso-certificado';
const SESSION_SECRET = 'un-secreto-compartido-por-los-dos-procesos-2026';
const HOUR = 3_600_000;

/**
 * Two `npm start` processes on one database (the standalone engine, `npm run db`), as
 * behind a load balancer: what was left for "the server" to do — mails in the outbox,
 * reminders come due, completions a crash left unannounced — is done once, not once
 * per process, and a web session made on one process is honoured by the other.
 */
describe('two app processes against one database', function () {
  this.timeout(60_000);
  const fixtures: CourseFixture[] = [];
  const connections: Database[] = [];
  // Registered first, so it runs first: the apps and connections go before their engine.
  afterEach(async () => {
    killAllChildren();
    for (const database of connections.splice(0)) await database.close().catch(() => undefined);
    for (const fixture of fixtures.splice(0)) fixture.cleanUp();
  });
  const startEngine = useEngineProcesses();
  const startSink = useSmtpSinks();
  const makeDirectory = useTempDirectories('two-processes');

  /** The database the processes will share, on a standalone engine of its own. */
  async function sharedDatabase(): Promise<string> {
    const engine = await startEngine({ dbpath: makeDirectory() });
    return `mongodb://127.0.0.1:${engine.port}/capacita?directConnection=true`;
  }

  /** Both processes started in the same tick, each with its own data directory; resolves once both listen. */
  async function startTwoApps(env: Record<string, string>): Promise<[AppProcess, AppProcess]> {
    const started = [spawnApp({ ...env, DATA_DIR: makeDirectory() }), spawnApp({ ...env, DATA_DIR: makeDirectory() })];
    const [first, second] = await Promise.all(started.map((handle) => waitUntilListening(handle)));
    return [first!, second!];
  }

  async function stopBoth(apps: AppProcess[]): Promise<void> {
    for (const app of apps) app.child.kill('SIGTERM');
    const codes = await Promise.all(apps.map((app) => app.exited));
    expect(codes, apps.map((app) => app.output.slice(-20).join('\n')).join('\n---\n')).to.deep.equal([0, 0]);
  }

  it('each queued mail, each reminder and each certificate of an unannounced completion goes out once; sessions work on either process', async () => {
    const uri = await sharedDatabase();
    const sink = await startSink();
    const fixture = courseFixture({
      ...shortCourseFiles(SESSIONS_COURSE, { title: 'Curso con sesiones en vivo' }),
      ...shortCourseFiles(CERTIFIED_COURSE, { title: 'Curso con certificado', signatories: [{ name: 'Ana Pérez', role: 'Coordinación académica' }] }),
    });
    fixtures.push(fixture);

    // --- The state the processes find, made in this process on the same database --------
    // Two hours behind: the session below, 23 h ahead of real time, is then created while
    // its 24-hour reminder is still ahead, and is due by the time the processes start.
    const clock = new TestClock();
    clock.advance(-2 * HOUR);
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: makeDirectory(), MONGODB_URI: uri, COURSES_DIR: fixture.root, SMTP_URL: sink.url, SESSION_SECRET });
    const logger = createLogger('silent');
    const database = await connectDatabase(config, logger);
    connections.push(database);
    const services = buildServices({ config, logger, database, clock });
    const ctx: TestApp = { app: createApp({ config, logger, database, services }), config, database, services, close: () => database.close() };
    await services.courses.importCourses();
    // Someone is administrator already: this test is about the work, not the first start.
    await services.accounts.auth.ensureInitialAdmin('admin@example.org', 'clave-de-administracion-2026');
    const outbox = database.connection.collection('outbox_mails');

    // (a) Mails already in the outbox, never sent (the registrations below add theirs).
    for (let index = 1; index <= 3; index += 1) {
      await services.notifications.mailer.queue({ to: `buzon.${index}@example.org`, subject: `Aviso en cola ${index}`, text: `Aviso número ${index}.` });
    }

    // (b) A live session whose 24-hour reminder is due for three invitees.
    const invitees: SignedIn[] = [];
    for (const givenName of ['Amalia', 'Berta', 'Celmira']) {
      const learner = await registerAndSignIn(ctx.app, { givenName, familyName: 'Compartida' });
      await request(ctx.app).post(`/api/v1/courses/${SESSIONS_COURSE}/enrollments`).set(learner.auth).send({}).expect(201);
      invitees.push(learner);
    }
    const manager = await staffToken(ctx, 'manager');
    const startsAt = new Date(Math.floor((Date.now() + 23 * HOUR) / HOUR) * HOUR);
    const session = await request(ctx.app)
      .post(`/api/v1/courses/${SESSIONS_COURSE}/live-sessions`)
      .set(manager.auth)
      .send({ title: 'Mesa de trabajo', startsAt: startsAt.toISOString(), endsAt: new Date(startsAt.getTime() + HOUR).toISOString(), modality: 'virtual', meetingUrl: 'https://meet.example.org/mesa' })
      .expect(201);
    const sessionId = String(session.body.id);
    const stored = await database.connection.collection('live_sessions').findOne({ _id: new Types.ObjectId(sessionId) });
    expect(stored?.remindersDue).to.include('reminder24h');

    // (c) Completions stored but never announced, as a process that died right after
    // recording them leaves them: no certificate yet.
    const completers: SignedIn[] = [];
    for (const givenName of ['Dora', 'Elvira', 'Fabiola']) {
      const learner = await registerAndSignIn(ctx.app, { givenName, familyName: 'Certificada' });
      await request(ctx.app).post(`/api/v1/courses/${CERTIFIED_COURSE}/enrollments`).set(learner.auth).send({}).expect(201);
      completers.push(learner);
    }
    await database.connection
      .collection('enrollments')
      .updateMany(
        { courseSlug: CERTIFIED_COURSE },
        { $set: { status: 'completed', completedAt: clock.now(), completedLessons: ['inicio'], completionPublishedAt: null } },
      );
    const certificates = database.connection.collection('certificates');
    expect(await certificates.countDocuments({})).to.equal(0);

    const queuedBefore = await outbox.find({}, { projection: { _id: 1, status: 1 } }).toArray();
    expect(queuedBefore.length).to.be.at.least(3 + invitees.length + completers.length);
    expect(queuedBefore.every((mail) => mail.status === 'queued')).to.equal(true);
    expect(sink.received).to.have.length(0);

    // --- Two processes, started at the same moment ---------------------------------------
    const apps = await startTwoApps({ MONGODB_URI: uri, SMTP_URL: sink.url, SESSION_SECRET, COURSES_DIR: fixture.root });
    const [a, b] = apps;

    // Both ran the start-up repairs before listening: one certificate per completion.
    const issued = await certificates.find({ courseSlug: CERTIFIED_COURSE }, { projection: { userId: 1, mailPending: 1 } }).toArray();
    expect(issued.map((certificate) => String(certificate.userId)).sort()).to.deep.equal(completers.map((learner) => learner.id).sort());
    expect(await database.connection.collection('enrollments').countDocuments({ courseSlug: CERTIFIED_COURSE, completionPublishedAt: null })).to.equal(0);

    // Each declared the jobs; agenda keeps one document per job.
    const jobs = await database.connection.collection('scheduled_jobs').find({}, { projection: { name: 1 } }).toArray();
    expect(jobs.map((job) => String(job.name)).sort()).to.deep.equal(services.jobs.map((job) => job.name).sort());

    // A web session made on A is honoured by B, and ended on B it is ended on A too.
    const person = invitees[0]!;
    const browser = new Browser();
    await browser.signIn(a.url, person);
    const onA = await browser.accountPage(a.url);
    expect(onA.status).to.equal(200);
    expect(onA.text).to.include('Amalia Compartida');
    const onB = await browser.accountPage(b.url);
    expect(onB.status).to.equal(200);
    expect(onB.text).to.include('Amalia Compartida');
    const signedInCookie = browser.cookie;
    await browser.signOut(b.url);
    const stale = new Browser();
    stale.cookie = signedInCookie;
    const afterSignOut = await stale.accountPage(a.url);
    expect(afterSignOut.status).to.equal(303);

    // The reminders, queued once by whichever process took the job, then everything sent.
    const reminderKey = new RegExp(`^live-session:${sessionId}:reminder24h:`);
    await eventually(() => outbox.countDocuments({ idempotencyKey: { $regex: reminderKey } }), (count) => count >= invitees.length, 'reminders queued');
    const expectedCount = queuedBefore.length + invitees.length + completers.length;
    await eventually(
      async () => ({ all: await outbox.countDocuments({}), unsent: await outbox.countDocuments({ status: { $ne: 'sent' } }) }),
      ({ all, unsent }) => all >= expectedCount && unsent === 0,
      'every mail sent',
    );
    // Stopped gracefully, a process finishes the send it is in: after this nothing more can arrive.
    await stopBoth(apps);

    const mails = await outbox.find({}, { projection: { _id: 1, to: 1, idempotencyKey: 1 } }).toArray();
    expect(mails).to.have.length(expectedCount);
    const receivedById = new Map<string, ReceivedMail[]>();
    for (const mail of sink.received) {
      const id = /^<([0-9a-f]{24})@/.exec(mail.messageId)?.[1] ?? mail.messageId;
      receivedById.set(id, [...(receivedById.get(id) ?? []), mail]);
    }
    const timesReceived = mails.map((mail) => `${String(mail.idempotencyKey ?? mail.to)} ×${receivedById.get(mail._id.toHexString())?.length ?? 0}`);
    expect(timesReceived).to.deep.equal(mails.map((mail) => `${String(mail.idempotencyKey ?? mail.to)} ×1`));
    expect(sink.received).to.have.length(mails.length);

    // Which is to say, among others: each queued mail, each invitee's reminder and each certificate, once.
    for (const mail of queuedBefore) expect(receivedById.get(mail._id.toHexString()), String(mail._id)).to.have.length(1);
    const reminders = sink.received.filter((mail) => mail.subject === 'Recordatorio: Mesa de trabajo es mañana');
    expect(reminders.map((mail) => mail.envelope.to.join()).sort()).to.deep.equal(invitees.map((learner) => learner.email).sort());
    const certificateMails = sink.received.filter((mail) => mail.subject === 'Tu certificado: Curso con certificado');
    expect(certificateMails.map((mail) => mail.envelope.to.join()).sort()).to.deep.equal(completers.map((learner) => learner.email).sort());
    for (const mail of certificateMails) expect(mail.attachments.map((attachment) => attachment.contentType)).to.deep.equal(['application/pdf']);
    expect(await certificates.countDocuments({})).to.equal(completers.length);
    expect(await certificates.countDocuments({ mailPending: true })).to.equal(0);
  });

  it('both come up on an empty database: one first administrator, the shipped courses imported once', async () => {
    const uri = await sharedDatabase();
    const fixture = courseFixture({ ...sampleCourseFiles(), ...shortCourseFiles('curso-corto', { title: 'Curso corto' }) });
    fixtures.push(fixture);

    const apps = await startTwoApps({ MONGODB_URI: uri, SESSION_SECRET, COURSES_DIR: fixture.root });
    const output = apps.map((app) => app.output.join('\n'));
    const announcements = output.join('\n').match(/First administrator created\./g) ?? [];
    expect(announcements, output.join('\n---\n')).to.have.length(1);
    const password = /Password: +([A-Za-z0-9]{20})/.exec(output.join('\n'))![1]!;

    for (const app of apps) {
      expect((await fetch(`${app.url}/healthz`)).status).to.equal(200);
      // The one administrator signs in on either process.
      const token = await fetch(`${app.url}/api/v1/auth/tokens`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: 'admin@capacita.local', password }),
      });
      expect(token.status).to.equal(201);
      const catalog = await fetch(`${app.url}/api/v1/courses`);
      expect(catalog.status).to.equal(200);
      const courses = (await catalog.json()) as { items: Array<{ slug: string }> };
      expect(courses.items.map((course) => course.slug).sort()).to.deep.equal(['curso-corto', 'curso-de-prueba']);
    }

    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: makeDirectory(), MONGODB_URI: uri, SESSION_SECRET });
    const database = await connectDatabase(config, createLogger('silent'));
    connections.push(database);
    const db = database.connection;
    const services = buildServices({ config, logger: createLogger('silent'), database });
    expect(await db.collection('users').countDocuments({ roles: 'admin' })).to.equal(1);
    expect(await db.collection('courses').countDocuments({})).to.equal(2);
    expect(await db.collection('course_quizzes').countDocuments({})).to.equal(1);
    const jobs = await db.collection('scheduled_jobs').find({}, { projection: { name: 1 } }).toArray();
    expect(jobs.map((job) => String(job.name)).sort()).to.deep.equal(services.jobs.map((job) => job.name).sort());
    await stopBoth(apps);
  });
});
