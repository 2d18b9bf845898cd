import { expect } from 'chai';
import request from 'supertest';
import { Types } from 'mongoose';
import { TestClock, createTestApp, secondInstance, type TestApp } from '../../helpers/app.js';
import { courseFixture, sampleCourseFiles, type CourseFixture } from '../../helpers/course-fixture.js';
import { registerAndSignIn, registrationBody, type SignedIn } from '../../helpers/factories.js';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from '../../helpers/smtp-sink.js';
import { eventOf, signInAgain, staffToken, type Staff } from './live-sessions-helpers.js';

const COURSE = 'curso-de-prueba';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * Invitations, updates, cancellations and reminders, delivered for real to an SMTP
 * server on loopback; each mail read back and its calendar file parsed independently.
 */
describe('live session notices', function () {
  this.timeout(60_000);
  const clock = new TestClock();
  let fixture: CourseFixture;
  let sink: SmtpSink;
  let ctx: TestApp;

  before(async () => {
    fixture = courseFixture(sampleCourseFiles());
    sink = await startSmtpSink();
    ctx = await createTestApp({ COURSES_DIR: fixture.root, SMTP_URL: sink.url, BASE_URL: 'https://capacita.example.gov.co', INSTITUTION_NAME: 'Consejería para la Juventud' }, clock);
    await ctx.services.courses.importCourses();
  });
  after(async () => {
    await ctx.close();
    await sink.close();
    fixture.cleanUp();
  });

  /** Delivers what is due, then answers the mails a person has received whose subject matches. */
  const mailsTo = async (person: SignedIn, subject: RegExp): Promise<ReceivedMail[]> => {
    await ctx.services.notifications.deliverDue();
    return sink.received.filter((mail) => mail.envelope.to.includes(person.email) && subject.test(mail.subject));
  };
  /** A learner enrolled in the course; `language` is the one their browser asked for when they registered. */
  const enrolledLearner = async (language = 'es'): Promise<SignedIn> => {
    const body = registrationBody();
    const registered = await request(ctx.app).post('/api/v1/accounts').set('Accept-Language', language).send(body).expect(201);
    const token = (await request(ctx.app).post('/api/v1/auth/tokens').send({ email: body.email, password: body.password }).expect(201)).body.token as string;
    const learner: SignedIn = { id: registered.body.id, email: String(body.email), password: String(body.password), token, auth: { Authorization: `Bearer ${token}` } };
    await request(ctx.app).post(`/api/v1/courses/${COURSE}/enrollments`).set(learner.auth).send({}).expect(201);
    return learner;
  };
  /** 09:00 in Bogotá (14:00 UTC), `days` ahead of the test clock. */
  const morningIn = (days: number): Date => {
    const day = new Date(clock.now().getTime() + days * DAY).toISOString().slice(0, 10);
    return new Date(`${day}T09:00:00-05:00`);
  };
  const schedule = (manager: Staff, startsAt: Date) =>
    request(ctx.app)
      .post(`/api/v1/courses/${COURSE}/live-sessions`)
      .set(manager.auth)
      .send({
        title: 'Encuentro regional de gestoras sociales',
        startsAt: startsAt.toISOString(),
        endsAt: new Date(startsAt.getTime() + 3 * HOUR).toISOString(),
        modality: 'hybrid',
        meetingUrl: 'https://meet.example.org/encuentro',
        venue: 'Casa de la Cultura',
        municipalityCode: '52001',
        agenda: [
          { startsAt: startsAt.toISOString(), topic: 'Instalación y saludo', responsible: 'Gestora social de Nariño' },
          { startsAt: new Date(startsAt.getTime() + 90 * 60_000).toISOString(), topic: 'Mesas de trabajo por subregión', responsible: 'Equipo territorial' },
        ],
      })
      .expect(201);

  it('invites every enrolled learner in their language, with the agenda and a REQUEST calendar; updates and cancels the same event', async () => {
    const spanish = await enrolledLearner();
    const english = await enrolledLearner('en');
    const outsider = await registerAndSignIn(ctx.app);
    const startsAt = morningIn(10);
    const manager = await staffToken(ctx, 'manager');
    const created = await schedule(manager, startsAt);

    const [invitation] = await mailsTo(spanish, /^Invitación/);
    const [englishInvitation] = await mailsTo(english, /^Invitation/);
    expect(await mailsTo(outsider, /./)).to.have.length(1); // their own address verification, nothing else
    expect(invitation!.subject).to.match(/^Invitación: Encuentro regional de gestoras sociales \(/);
    expect(invitation!.text).to.include('Hola, María José Gómez O\'Neill:');
    expect(invitation!.text).to.include('de 09:00 a 12:00 (hora de Colombia)');
    expect(invitation!.text).to.include('Casa de la Cultura, Pasto (Nariño)');
    expect(invitation!.text).to.include('09:00  Instalación y saludo — Gestora social de Nariño');
    expect(invitation!.text).to.include('10:30  Mesas de trabajo por subregión — Equipo territorial');
    expect(invitation!.text).to.include(`https://capacita.example.gov.co/live-sessions/${created.body.id}`);
    expect(invitation!.text).to.include('Equipo de Consejería para la Juventud');
    expect(invitation!.html).to.include('<th scope="col"');
    expect(invitation!.html).to.include('Mesas de trabajo por subregión');
    expect(englishInvitation!.subject).to.match(/^Invitation: /);
    expect(englishInvitation!.text).to.include('Colombia time');

    const [attachment] = invitation!.attachments;
    expect(attachment!.contentType).to.equal('text/calendar');
    expect(invitation!.raw.toString('latin1')).to.match(/Content-Type: text\/calendar;[^\r\n]*method=REQUEST/i);
    const calendarText = attachment!.content.toString('utf8');
    expect(calendarText).to.match(/^METHOD:REQUEST\r?$/m);
    const event = eventOf(calendarText);
    expect(event.uid).to.equal(`live-session-${created.body.id}@capacita`);
    expect(Number(event.sequence)).to.equal(0);
    expect(event.start.toISOString()).to.equal(startsAt.toISOString());

    // A reschedule: the same event, a higher SEQUENCE, the new instant.
    const movedTo = new Date(startsAt.getTime() + DAY + HOUR);
    await request(ctx.app)
      .patch(`/api/v1/live-sessions/${created.body.id}`)
      .set(manager.auth)
      .send({ startsAt: movedTo.toISOString(), endsAt: new Date(movedTo.getTime() + 2 * HOUR).toISOString(), agenda: [] })
      .expect(200);
    const [update] = await mailsTo(spanish, /^Cambios en la sesión/);
    expect(update!.text).to.include('de 10:00 a 12:00 (hora de Colombia)');
    const updated = eventOf(update!.attachments[0]!.content.toString('utf8'));
    expect(updated.uid).to.equal(event.uid);
    expect(Number(updated.sequence)).to.equal(1);
    expect(updated.start.toISOString()).to.equal(movedTo.toISOString());

    await request(ctx.app).delete(`/api/v1/live-sessions/${created.body.id}`).set(manager.auth).expect(200);
    const [cancellation] = await mailsTo(spanish, /cancelada/);
    const [englishCancellation] = await mailsTo(english, /cancelled/);
    expect(cancellation!.subject).to.match(/^Sesión cancelada: /);
    expect(englishCancellation!.subject).to.match(/^Session cancelled: /);
    expect(cancellation!.raw.toString('latin1')).to.match(/Content-Type: text\/calendar;[^\r\n]*method=CANCEL/i);
    const cancelled = eventOf(cancellation!.attachments[0]!.content.toString('utf8'));
    expect(cancelled.uid).to.equal(event.uid);
    expect(Number(cancelled.sequence)).to.equal(2);
    expect(cancelled.status).to.equal('CANCELLED');
    // Each version once per person: the three notices, nothing twice.
    const all = await mailsTo(spanish, /./);
    expect(all.filter((mail) => mail.attachments.length > 0).map((mail) => mail.subject.split(':')[0])).to.deep.equal(['Invitación', 'Cambios en la sesión', 'Sesión cancelada']);
  });

  it('invites to a new series with one mail listing every date, carrying one calendar file per session', async () => {
    const learner = await enrolledLearner();
    const manager = await staffToken(ctx, 'manager');
    const startsAt = morningIn(20);
    const created = await request(ctx.app)
      .post(`/api/v1/courses/${COURSE}/live-sessions`)
      .set(manager.auth)
      .send({ title: 'Asesoría semanal', startsAt: startsAt.toISOString(), endsAt: new Date(startsAt.getTime() + HOUR).toISOString(), modality: 'virtual', meetingUrl: 'https://meet.example.org/asesoria', recurrence: 'FREQ=WEEKLY;COUNT=3' })
      .expect(201);
    const mails = await mailsTo(learner, /Asesoría semanal/);
    expect(mails.map((mail) => mail.subject)).to.deep.equal(['Invitación: Asesoría semanal (3 sesiones)']);
    expect(mails[0]!.text).to.match(/Fechas\r?\n- /);
    expect(mails[0]!.text.match(/de 09:00 a 10:00 \(hora de Colombia\)/g)).to.have.length(3);
    const events = mails[0]!.attachments.map((attachment) => eventOf(attachment.content.toString('utf8')));
    const ids = (created.body.series.sessions as Array<{ id: string }>).map((session) => `live-session-${session.id}@capacita`);
    expect(events.map((event) => event.uid)).to.deep.equal(ids);
    expect(events.map((event) => event.start.toISOString())).to.deep.equal([0, 7, 14].map((days) => new Date(startsAt.getTime() + days * DAY).toISOString()));
    // Nothing left pending for the job: the series was announced whole.
    clock.advance(2 * 60_000);
    await ctx.services.liveSessions.announcePending();
    expect(await mailsTo(learner, /Asesoría semanal/)).to.have.length(1);
  });

  it('reminds 24 h and 1 h before, once each, skipping those who said no, also with two processes asking at once', async () => {
    const coming = await enrolledLearner();
    const declining = await enrolledLearner();
    const startsAt = morningIn(3);
    const manager = await staffToken(ctx, 'manager');
    const created = await schedule(manager, startsAt);
    await request(ctx.app).post(`/api/v1/live-sessions/${created.body.id}/rsvp`).set(declining.auth).send({ response: 'no' }).expect(200);
    const second = await secondInstance(ctx, clock);
    after(() => second.close());

    const remindersRound = () => Promise.all([ctx.services.liveSessions.sendDueReminders(), second.services.liveSessions.sendDueReminders(), ctx.services.liveSessions.sendDueReminders()]);
    await remindersRound();
    expect(await mailsTo(coming, /^Recordatorio/)).to.deep.equal([]);

    clock.advance(startsAt.getTime() - 24 * HOUR - clock.now().getTime() + 60_000); // 23 h 59 min before
    await remindersRound();
    await remindersRound();
    const dayBefore = await mailsTo(coming, /^Recordatorio/);
    expect(dayBefore.map((mail) => mail.subject)).to.deep.equal(['Recordatorio: Encuentro regional de gestoras sociales es mañana']);
    expect(await mailsTo(declining, /^Recordatorio/)).to.deep.equal([]);
    expect(dayBefore[0]!.text).to.include('Instalación y saludo');

    clock.advance(23 * HOUR); // 59 min before
    await remindersRound();
    await remindersRound();
    const both = await mailsTo(coming, /^Recordatorio/);
    expect(both.map((mail) => mail.subject)).to.deep.equal([
      'Recordatorio: Encuentro regional de gestoras sociales es mañana',
      'Recordatorio: Encuentro regional de gestoras sociales empieza en una hora',
    ]);
  });

  it('a session scheduled less than a day ahead gets no 24 h reminder, and a reschedule brings new reminders', async () => {
    const learner = await enrolledLearner();
    const startsAt = new Date(clock.now().getTime() + 20 * HOUR);
    const manager = await staffToken(ctx, 'manager');
    const created = await schedule(manager, startsAt);
    clock.advance(19 * HOUR + 30 * 60_000); // 30 min before
    await ctx.services.liveSessions.sendDueReminders();
    const first = await mailsTo(learner, /^Recordatorio/);
    expect(first.map((mail) => mail.subject)).to.deep.equal(['Recordatorio: Encuentro regional de gestoras sociales empieza en una hora']);

    const later = new Date(startsAt.getTime() + 2 * DAY);
    await request(ctx.app)
      .patch(`/api/v1/live-sessions/${created.body.id}`)
      .set((await signInAgain(ctx, manager)).auth) // the clock has outrun the first token's 8 hours
      .send({ startsAt: later.toISOString(), endsAt: new Date(later.getTime() + HOUR).toISOString(), agenda: [] })
      .expect(200);
    clock.advance(later.getTime() - clock.now().getTime() - 30 * 60_000);
    await ctx.services.liveSessions.sendDueReminders();
    const after = await mailsTo(learner, /^Recordatorio/);
    // The 24 h reminder came due while the clock jumped; 30 min before, only the 1 h one is still worth sending.
    expect(after.map((mail) => mail.subject)).to.deep.equal([
      'Recordatorio: Encuentro regional de gestoras sociales empieza en una hora',
      'Recordatorio: Encuentro regional de gestoras sociales empieza en una hora',
    ]);
  });

  it('finishes the notices a crash left unqueued, once the request that made the change is long gone', async () => {
    const learner = await enrolledLearner();
    const manager = await staffToken(ctx, 'manager');
    const created = await schedule(manager, morningIn(12));
    const sessions = ctx.database.connection.collection('live_sessions');
    const outbox = ctx.database.connection.collection('outbox_mails');
    // As if the process had died between saving the change and queuing its mail.
    const key = `live-session:${created.body.id}:v0:${learner.id}`;
    await outbox.deleteOne({ idempotencyKey: key });
    await sessions.updateOne({ _id: new Types.ObjectId(created.body.id) }, { $set: { noticesPending: true } });
    expect(await ctx.services.liveSessions.announcePending()).to.equal(0); // still within the request's grace
    clock.advance(2 * 60_000);
    expect(await ctx.services.liveSessions.announcePending()).to.be.greaterThan(0);
    expect(await outbox.countDocuments({ idempotencyKey: key })).to.equal(1);
    expect(await ctx.services.liveSessions.announcePending()).to.equal(0);
  });
});
