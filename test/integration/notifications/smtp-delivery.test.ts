import { expect } from 'chai';
import { ObjectId } from 'mongodb';
import request from 'supertest';
import { MAX_ATTEMPTS } from '../../../src/notifications/notifications.backoff.js';
import { LEASE_MS } from '../../../src/notifications/notifications.delivery.js';
import { AppError } from '../../../src/shared/errors.js';
import { useSmtpSinks } from '../../helpers/smtp-sink.js';
import {
  CERTIFICATE_BYTES,
  MAIL_FROM,
  buildNotifications,
  capturingLogger,
  createTestClock,
  outboxApp,
  spanishMail,
  useDataDirectories,
  useTestDatabases,
} from './notifications-fixtures.js';

const DAY = 24 * 60 * 60_000;
const withUnixNewlines = (text: string): string => text.replace(/\r\n/g, '\n');

describe('mail delivery through an SMTP server', () => {
  const openDatabase = useTestDatabases();
  const startSink = useSmtpSinks();
  const makeDataDir = useDataDirectories();

  async function setUp(clock = createTestClock()) {
    const sink = await startSink();
    const database = await openDatabase();
    const notifications = buildNotifications(await database.connect(), { smtpUrl: sink.url, dataDir: makeDataDir(), clock });
    const storedMail = (id: string) => database.outbox().findOne({ _id: new ObjectId(id) });
    return { sink, database, notifications, clock, storedMail };
  }

  it('delivers a queued mail with its subject, recipient, Spanish text and attachment intact', async () => {
    const { sink, notifications, clock, storedMail } = await setUp();
    const mail = spanishMail({
      html: '<p>Hola, Lucía: tu inscripción quedó confirmada.</p>',
      attachments: [{ filename: 'constancia-inscripción.pdf', contentType: 'application/pdf', content: CERTIFICATE_BYTES }],
    });

    const { id, isDuplicate } = await notifications.mailer.queue(mail);
    expect(isDuplicate).to.equal(false);
    expect(await notifications.deliverDue()).to.equal(1);

    const received = await sink.nextMail();
    expect(received.envelope.to).to.deep.equal([mail.to]);
    expect(received.to).to.equal(mail.to);
    expect(received.from).to.equal(MAIL_FROM);
    expect(received.subject).to.equal(mail.subject);
    expect(withUnixNewlines(received.text).trimEnd()).to.equal(mail.text);
    expect(received.html).to.include('Lucía');
    expect(received.messageId).to.equal(`<${id}@capacita.test>`);
    expect(received.headers.get('auto-submitted')).to.equal('auto-generated');
    expect(received.attachments).to.have.length(1);
    expect(received.attachments[0]?.filename).to.equal('constancia-inscripción.pdf');
    expect(received.attachments[0]?.contentType).to.equal('application/pdf');
    expect(received.attachments[0]?.content.equals(CERTIFICATE_BYTES)).to.equal(true);

    const stored = await storedMail(id);
    expect(stored).to.include({ status: 'sent', attempts: 1 });
    expect(stored?.sentAt).to.deep.equal(clock.now());
    expect(stored).not.to.have.property('leaseOwner');
  });

  it('rejects an invalid mail with validation_failed naming the field, storing nothing', async () => {
    const { notifications, database } = await setUp();
    let failure: unknown;
    try {
      await notifications.mailer.queue(spanishMail({ to: 'no es un correo' }));
    } catch (error) {
      failure = error;
    }
    expect(failure).to.be.instanceOf(AppError);
    expect((failure as AppError).code).to.equal('validation_failed');
    expect((failure as AppError).details?.fields).to.have.property('to');
    expect(await database.outbox().countDocuments()).to.equal(0);
  });

  it('gives one mail for one idempotency key, however often and however concurrently it is queued', async () => {
    const { sink, notifications, database } = await setUp();
    const mail = spanishMail({ idempotencyKey: 'enrollment-confirmed:64f1c0ffee' });

    const first = await notifications.mailer.queue(mail);
    const again = await notifications.mailer.queue(mail);
    const racing = await Promise.all(Array.from({ length: 5 }, () => notifications.mailer.queue(mail)));

    expect(again).to.deep.equal({ id: first.id, isDuplicate: true });
    for (const result of racing) expect(result).to.deep.equal({ id: first.id, isDuplicate: true });
    expect(await database.outbox().countDocuments()).to.equal(1);
    expect(await notifications.deliverDue()).to.equal(1);
    expect(await notifications.deliverDue()).to.equal(0);
    expect(sink.received).to.have.length(1);
  });

  it('keeps the mail queued while the SMTP server is down, then sends it exactly once after the backoff', async () => {
    const { sink, notifications, clock, storedMail } = await setUp();
    await sink.stop();
    const { id } = await notifications.mailer.queue(spanishMail());

    expect(await notifications.deliverDue()).to.equal(1);
    const afterFailure = await storedMail(id);
    expect(afterFailure).to.include({ status: 'queued', attempts: 1 });
    expect(afterFailure?.nextAttemptAt).to.deep.equal(new Date(clock.now().getTime() + 30_000));
    expect(afterFailure?.lastError).to.match(/ECONNREFUSED|ESOCKET|ECONNECTION/);

    await sink.start();
    expect(await notifications.deliverDue(), 'not due before the backoff has passed').to.equal(0);
    expect(sink.received).to.have.length(0);

    clock.advance(30_000);
    expect(await notifications.deliverDue()).to.equal(1);
    expect((await sink.nextMail()).subject).to.equal(spanishMail().subject);
    expect(await storedMail(id)).to.include({ status: 'sent', attempts: 2 });

    clock.advance(DAY);
    expect(await notifications.deliverDue()).to.equal(0);
    expect(sink.received).to.have.length(1);
  });

  it('marks the mail failed after its last attempt, and the outbox retry puts it back in the queue', async () => {
    const { sink, notifications, clock, storedMail } = await setUp();
    sink.refuse({ code: 451, message: 'Buzón temporalmente no disponible' });
    const { id } = await notifications.mailer.queue(spanishMail());

    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
      expect(await notifications.deliverDue(), `attempt ${attempt}`).to.equal(1);
      clock.advance(DAY);
    }
    const failed = await storedMail(id);
    expect(failed).to.include({ status: 'failed', attempts: MAX_ATTEMPTS });
    expect(failed?.lastError).to.include('451');
    expect(await notifications.deliverDue(), 'a failed mail is not retried on its own').to.equal(0);

    await request(outboxApp(notifications))
      .post(`/admin/outbox/${id}/retry`)
      .expect(303)
      .expect('Location', `/admin/outbox/${id}?retried=1`);
    expect(await storedMail(id)).to.include({ status: 'queued', attempts: 0 });

    sink.refuse(false);
    expect(await notifications.deliverDue()).to.equal(1);
    expect((await sink.nextMail()).to).to.equal(spanishMail().to);
    expect(await storedMail(id)).to.include({ status: 'sent', attempts: 1 });
  });

  it('takes over a mail whose sender died mid-send once its lease has run out, and not before', async () => {
    const { sink, notifications, database, clock, storedMail } = await setUp();
    const { id } = await notifications.mailer.queue(spanishMail());
    // What a process that claimed the mail and then died leaves behind.
    await database.outbox().updateOne(
      { _id: new ObjectId(id) },
      { $set: { status: 'sending', leaseOwner: 'a-process-that-died', leaseUntil: new Date(clock.now().getTime() + LEASE_MS) }, $inc: { attempts: 1 } },
    );

    expect(await notifications.deliverDue(), 'the lease still holds').to.equal(0);
    clock.advance(LEASE_MS);
    expect(await notifications.deliverDue()).to.equal(1);

    expect((await sink.nextMail()).subject).to.equal(spanishMail().subject);
    const stored = await storedMail(id);
    expect(stored).to.include({ status: 'sent', attempts: 2 });
    expect(stored).not.to.have.property('leaseOwner');
    expect(stored).not.to.have.property('leaseUntil');
  });

  it('delivers in the background as soon as a mail is queued, without waiting for the poll interval', async () => {
    const { sink, notifications } = await setUp();
    const stop = notifications.startDelivery({ pollIntervalMs: 60 * 60_000 });
    try {
      await notifications.mailer.queue(spanishMail({ subject: 'Primera sesión programada' }));
      expect((await sink.nextMail()).subject).to.equal('Primera sesión programada');
      // The worker has had its first round: only the nudge from queue() can send this one within the hour.
      await notifications.mailer.queue(spanishMail({ subject: 'Recordatorio: la sesión empieza en 1 hora' }));
      expect((await sink.nextMail()).subject).to.equal('Recordatorio: la sesión empieza en 1 hora');
    } finally {
      await stop();
    }
  });

  it('lets a send in progress finish and record its outcome before stopping', async () => {
    const { sink, notifications, storedMail } = await setUp();
    const release = sink.hold();
    const stop = notifications.startDelivery({ pollIntervalMs: 60 * 60_000 });
    const { id } = await notifications.mailer.queue(spanishMail());
    await sink.nextMail(); // the server has the message and keeps the sender waiting

    let hasStopped = false;
    const stopped = stop().then(() => {
      hasStopped = true;
    });
    expect(await storedMail(id)).to.include({ status: 'sending' });
    expect(hasStopped, 'stop resolved while a send was in progress').to.equal(false);

    release();
    await stopped;
    expect(await storedMail(id)).to.include({ status: 'sent', attempts: 1 });
  });

  it('keeps the mail text, the recipient and the SMTP password out of the logs and out of lastError', async () => {
    const sink = await startSink();
    const database = await openDatabase();
    const { logger, lines } = capturingLogger();
    const clock = createTestClock();
    // The sink offers no AUTH and nodemailer then sends without it: the URL's password is only there to be leaked.
    const smtpUrl = sink.url.replace('smtp://', 'smtp://capacita:contrasena-secreta-123@');
    const notifications = buildNotifications(await database.connect(), { smtpUrl, dataDir: makeDataDir(), logger, clock });
    sink.refuse({ code: 451, message: 'Servicio no disponible' });
    const { id } = await notifications.mailer.queue(spanishMail());
    expect(await notifications.deliverDue()).to.equal(1);
    const stored = await database.outbox().findOne({ _id: new ObjectId(id) });
    expect(stored).to.include({ status: 'queued', attempts: 1 });
    expect(stored?.lastError).to.be.a('string').and.not.include('contrasena-secreta-123');

    sink.refuse(false);
    clock.advance(DAY);
    expect(await notifications.deliverDue()).to.equal(1);
    await sink.nextMail();

    const logged = lines.join('');
    expect(logged).to.include(id);
    expect(logged).to.include('mail sent');
    expect(logged).not.to.include('contrasena-secreta-123');
    expect(logged).not.to.include('Nos vemos pronto');
    expect(logged).not.to.include(spanishMail().to);
  });
});
