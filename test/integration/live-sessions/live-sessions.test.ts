import { expect } from 'chai';
import request from 'supertest';
import { TestClock, createTestApp, type TestApp } from '../../helpers/app.js';
import { courseFixture, liveSessionCourseFiles, sampleCourseFiles, type CourseFixture } from '../../helpers/course-fixture.js';
import { registerAndSignIn, type SignedIn } from '../../helpers/factories.js';
import { eventOf, staffToken, type Staff } from './live-sessions-helpers.js';

const COURSE = 'curso-de-prueba';
/** One lesson, no quiz, and one live session to attend. */
const WITH_SESSIONS = 'curso-con-sesiones';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('live sessions', function () {
  this.timeout(60_000);
  let fixture: CourseFixture;
  let ctx: TestApp;
  let manager: Staff;
  const clock = new TestClock();

  before(async () => {
    fixture = courseFixture({
      ...sampleCourseFiles(),
      ...liveSessionCourseFiles(WITH_SESSIONS),
    });
    ctx = await createTestApp({ COURSES_DIR: fixture.root }, clock);
    await ctx.services.courses.importCourses();
    manager = await staffToken(ctx, 'manager');
  });
  after(async () => {
    await ctx.close();
    fixture.cleanUp();
  });

  /** A start `days` from now (the test clock), on the hour. */
  const inDays = (days: number, hours = 0): Date => new Date(Math.floor((clock.now().getTime() + days * DAY) / HOUR) * HOUR + hours * HOUR);
  const sessionBody = (startsAt: Date, overrides: Record<string, unknown> = {}) => ({
    title: 'Encuentro regional de gestoras sociales',
    startsAt: startsAt.toISOString(),
    endsAt: new Date(startsAt.getTime() + 2 * HOUR).toISOString(),
    modality: 'virtual',
    meetingUrl: 'https://meet.example.org/encuentro',
    ...overrides,
  });
  const schedule = (who: Staff, body: Record<string, unknown>, course = COURSE) => request(ctx.app).post(`/api/v1/courses/${course}/live-sessions`).set(who.auth).send(body);
  const enrolledLearner = async (course = COURSE, body: Record<string, unknown> = {}): Promise<SignedIn> => {
    const learner = await registerAndSignIn(ctx.app);
    await request(ctx.app).post(`/api/v1/courses/${course}/enrollments`).set(learner.auth).send(body).expect(201);
    return learner;
  };

  describe('scheduling', () => {
    it('a facilitator of the course schedules a session with an agenda; times with offsets are stored and answered in UTC', async () => {
      const facilitator = await staffToken(ctx, 'facilitator');
      await request(ctx.app).put(`/api/v1/courses/${COURSE}/facilitators`).set(manager.auth).send({ userIds: [facilitator.id] }).expect(200);
      const day = inDays(10).toISOString().slice(0, 10);
      const response = await schedule(facilitator, {
        title: 'Seminario regional: participación ciudadana',
        startsAt: `${day}T09:00:00-05:00`,
        endsAt: `${day}T12:00:00-05:00`,
        modality: 'hybrid',
        meetingUrl: 'https://meet.example.org/seminario',
        venue: 'Biblioteca Pública Piloto',
        municipalityCode: '05001',
        capacity: 40,
        agenda: [
          { startsAt: `${day}T10:30:00-05:00`, topic: 'Mesas de trabajo', responsible: 'Equipo territorial' },
          { startsAt: `${day}T09:00:00-05:00`, topic: 'Instalación', responsible: 'Gestora social de Antioquia' },
        ],
      }).expect(201);
      expect(response.body).to.include({
        courseSlug: COURSE,
        facilitatorId: facilitator.id,
        status: 'scheduled',
        startsAt: `${day}T14:00:00.000Z`,
        endsAt: `${day}T17:00:00.000Z`,
        modality: 'hybrid',
        capacity: 40,
        cohortId: null,
        sequence: 0,
      });
      expect(response.body.id).to.be.a('string');
      expect(response.body.agenda.map((item: { topic: string }) => item.topic)).to.deep.equal(['Instalación', 'Mesas de trabajo']);
      expect(response.body.agenda[0].startsAt).to.equal(`${day}T14:00:00.000Z`);
      expect(response.body.warnings).to.be.an('array');
    });

    it('refuses facilitators of other courses and learners (403)', async () => {
      const outsider = await staffToken(ctx, 'facilitator');
      expect((await schedule(outsider, sessionBody(inDays(11)))).status).to.equal(403);
      const learner = await registerAndSignIn(ctx.app);
      expect((await schedule({ id: learner.id, email: learner.email, auth: learner.auth }, sessionBody(inDays(11)))).status).to.equal(403);
    });

    it('answers 400 when the end is not after the start, the start is past, or the modality lacks what it needs', async () => {
      const start = inDays(12);
      const fieldsOf = async (body: Record<string, unknown>) => (await schedule(manager, body).expect(400)).body.error.details.fields as Record<string, string>;
      expect(await fieldsOf(sessionBody(start, { endsAt: start.toISOString() }))).to.have.property('endsAt');
      expect(await fieldsOf(sessionBody(start, { endsAt: new Date(start.getTime() - HOUR).toISOString() }))).to.have.property('endsAt');
      expect(await fieldsOf(sessionBody(new Date(clock.now().getTime() - HOUR)))).to.have.property('startsAt');
      expect(await fieldsOf(sessionBody(start, { meetingUrl: undefined }))).to.have.property('meetingUrl');
      expect(await fieldsOf(sessionBody(start, { meetingUrl: 'http://meet.example.org/x' }))).to.have.property('meetingUrl');
      expect(await fieldsOf(sessionBody(start, { modality: 'in_person', meetingUrl: undefined }))).to.include.keys('venue', 'municipalityCode');
      expect(await fieldsOf(sessionBody(start, { modality: 'in_person', venue: 'Casa de la cultura', municipalityCode: '05999' }))).to.have.property('municipalityCode');
      expect(await fieldsOf(sessionBody(start, { agenda: [{ startsAt: new Date(start.getTime() + 3 * HOUR).toISOString(), topic: 'Tarde', responsible: 'Nadie' }] }))).to.have.property('agenda.0.startsAt');
      expect(await fieldsOf(sessionBody(start, { facilitatorId: manager.id }))).to.have.property('facilitatorId');
      expect(await fieldsOf(sessionBody(start, { title: { $gt: '' } }))).to.have.property('title');
    });

    it('warns, without refusing, when the session falls on a Colombian public holiday', async () => {
      const year = clock.now().getUTCFullYear() + 1;
      const holiday = await schedule(manager, sessionBody(new Date(`${year}-12-08T09:00:00-05:00`))).expect(201);
      expect(holiday.body.warnings).to.deep.equal(['holiday:Inmaculada Concepción']);
      // 20:00 on the 7th in Bogotá is already the 8th in UTC: the day counted is Colombia's.
      const eve = await schedule(manager, sessionBody(new Date(`${year}-12-07T19:00:00-05:00`), { endsAt: `${year}-12-07T20:00:00-05:00` })).expect(201);
      expect(eve.body.warnings).to.deep.equal([]);
    });

    it('refuses to double-book a facilitator (409) but allows back-to-back sessions and other facilitators', async () => {
      const first = await staffToken(ctx, 'manager');
      const second = await staffToken(ctx, 'manager');
      const start = inDays(14);
      await schedule(first, sessionBody(start)).expect(201);
      const overlap = await schedule(first, sessionBody(new Date(start.getTime() + HOUR))).expect(409);
      expect(overlap.body.error).to.deep.include({ code: 'conflict' });
      expect(overlap.body.error.details.reason).to.equal('overlap');
      await schedule(first, sessionBody(new Date(start.getTime() + 2 * HOUR))).expect(201);
      await schedule(second, sessionBody(start)).expect(201);
    });

    it('of eight simultaneous overlapping requests for one facilitator, exactly one is scheduled', async () => {
      const busy = await staffToken(ctx, 'manager');
      const start = inDays(15);
      const responses = await Promise.all(Array.from({ length: 8 }, (_, index) => schedule(busy, sessionBody(new Date(start.getTime() + index * 10 * 60_000)))));
      expect(responses.map((response) => response.status).sort()).to.deep.equal([201, 409, 409, 409, 409, 409, 409, 409]);
      const listed = (await request(ctx.app).get(`/api/v1/courses/${COURSE}/live-sessions`).set(busy.auth).expect(200)).body.items;
      expect(listed.filter((item: { facilitatorId: string }) => item.facilitatorId === busy.id)).to.have.length(1);
    });
  });

  describe('recurring series', () => {
    /** The next Tuesday at least a week ahead of the test clock, as a Bogotá calendar day. */
    const nextTuesday = (): string => {
      const day = new Date(clock.now().getTime() + 8 * DAY);
      day.setUTCDate(day.getUTCDate() + ((2 - day.getUTCDay() + 7) % 7));
      return day.toISOString().slice(0, 10);
    };

    it('schedules one session per occurrence, weekly on Bogotá wall time, each with its own id and the shifted agenda', async () => {
      const host = await staffToken(ctx, 'manager');
      const day = nextTuesday();
      // 19:00 in Bogotá is already Wednesday in UTC: the rule must still mean Tuesdays.
      const response = await schedule(
        host,
        sessionBody(new Date(`${day}T19:00:00-05:00`), {
          title: 'Preguntas y respuestas semanales',
          endsAt: `${day}T20:00:00-05:00`,
          recurrence: 'FREQ=WEEKLY;BYDAY=TU;COUNT=6',
          agenda: [{ startsAt: `${day}T19:30:00-05:00`, topic: 'Preguntas del foro', responsible: 'Tutora' }],
        }),
      ).expect(201);
      expect(response.body.startsAt).to.equal(new Date(`${day}T19:00:00-05:00`).toISOString());
      const series = response.body.series as { id: string; sessions: Array<{ id: string; startsAt: string }> };
      expect(response.body.seriesId).to.equal(series.id);
      expect(series.sessions).to.have.length(6);
      expect(new Set(series.sessions.map((session) => session.id)).size).to.equal(6);
      for (const [index, occurrence] of series.sessions.entries()) {
        expect(occurrence.startsAt).to.equal(new Date(new Date(`${day}T19:00:00-05:00`).getTime() + index * 7 * DAY).toISOString());
        const stored = (await request(ctx.app).get(`/api/v1/live-sessions/${occurrence.id}`).set(host.auth).expect(200)).body;
        expect(stored.seriesId).to.equal(series.id);
        expect(stored.agenda[0].startsAt).to.equal(new Date(new Date(occurrence.startsAt).getTime() + 30 * 60_000).toISOString());
      }
    });

    it('refuses rules that never end, run past 52 sessions, cannot be read or make the occurrences overlap, creating nothing', async () => {
      const spanish = (key: string): string => ctx.services.i18n.getFixedT('es')(key);
      const host = await staffToken(ctx, 'manager');
      const start = new Date(`${nextTuesday()}T09:00:00-05:00`);
      for (const [recurrence, key] of [
        ['FREQ=WEEKLY', 'validation.recurrenceUnbounded'],
        ['FREQ=WEEKLY;COUNT=53', 'validation.recurrenceTooLong'],
        ['FREQ=SOMETIMES;COUNT=3', 'validation.recurrenceInvalid'],
        ['FREQ=WEEKLY;BYDAY=MO;COUNT=3', 'validation.recurrenceInvalid'],
        ['FREQ=WEEKLY;COUNT=1', 'validation.recurrenceSingle'],
      ] as const) {
        const refused = await schedule(host, sessionBody(start, { recurrence })).expect(400);
        expect(refused.body.error.details.fields, recurrence).to.deep.equal({ recurrence: spanish(key) });
      }
      const overlapping = await schedule(host, sessionBody(start, { endsAt: new Date(start.getTime() + 25 * HOUR).toISOString(), recurrence: 'FREQ=DAILY;COUNT=3' })).expect(400);
      expect(overlapping.body.error.details.fields).to.deep.equal({ recurrence: spanish('validation.recurrenceOverlaps') });
      const listed = (await request(ctx.app).get(`/api/v1/courses/${COURSE}/live-sessions`).set(host.auth).expect(200)).body.items;
      expect(listed.filter((item: { facilitatorId: string }) => item.facilitatorId === host.id)).to.deep.equal([]);
    });

    it('is all or nothing when one occurrence would double-book the facilitator (409)', async () => {
      const host = await staffToken(ctx, 'manager');
      const start = new Date(`${nextTuesday()}T09:00:00-05:00`);
      await schedule(host, sessionBody(new Date(start.getTime() + 14 * DAY))).expect(201);
      const refused = await schedule(host, sessionBody(start, { recurrence: 'FREQ=WEEKLY;COUNT=4' })).expect(409);
      expect(refused.body.error.details.reason).to.equal('overlap');
      const listed = (await request(ctx.app).get(`/api/v1/courses/${COURSE}/live-sessions`).set(host.auth).expect(200)).body.items;
      expect(listed.filter((item: { facilitatorId: string }) => item.facilitatorId === host.id)).to.have.length(1);
    });
  });

  describe('reading, editing and cancelling', () => {
    it('lists the course sessions; one session shows its agenda and rsvpCounts; PATCH raises the sequence and ignores the session itself for overlap', async () => {
      const owner = await staffToken(ctx, 'manager');
      const start = inDays(20);
      const created = (await schedule(owner, sessionBody(start)).expect(201)).body;
      const other = (await schedule(owner, sessionBody(new Date(start.getTime() + 4 * HOUR))).expect(201)).body;
      const items = (await request(ctx.app).get(`/api/v1/courses/${COURSE}/live-sessions`).set(owner.auth).expect(200)).body.items as Array<{ id: string }>;
      expect(items.map((item) => item.id)).to.include.members([created.id, other.id]);
      const one = (await request(ctx.app).get(`/api/v1/live-sessions/${created.id}`).set(owner.auth).expect(200)).body;
      expect(one).to.include({ id: created.id, title: created.title });
      expect(one.agenda).to.deep.equal([]);
      expect(one.rsvpCounts).to.deep.equal({ yes: 0, no: 0 });

      // Moving it by an hour overlaps only its own old slot.
      const moved = await request(ctx.app)
        .patch(`/api/v1/live-sessions/${created.id}`)
        .set(owner.auth)
        .send({ startsAt: new Date(start.getTime() + HOUR).toISOString(), endsAt: new Date(start.getTime() + 3 * HOUR).toISOString() })
        .expect(200);
      expect(moved.body).to.include({ id: created.id, sequence: 1, startsAt: new Date(start.getTime() + HOUR).toISOString() });
      const renamed = await request(ctx.app).patch(`/api/v1/live-sessions/${created.id}`).set(owner.auth).send({ title: 'Encuentro reprogramado' }).expect(200);
      expect(renamed.body).to.include({ sequence: 2, title: 'Encuentro reprogramado' });
      // Onto the other session: 409; ending before it starts: 400.
      await request(ctx.app).patch(`/api/v1/live-sessions/${created.id}`).set(owner.auth).send({ endsAt: new Date(start.getTime() + 5 * HOUR).toISOString() }).expect(409);
      await request(ctx.app).patch(`/api/v1/live-sessions/${created.id}`).set(owner.auth).send({ endsAt: start.toISOString() }).expect(400);
      await request(ctx.app).patch(`/api/v1/live-sessions/${created.id}`).set(owner.auth).send({ status: 'cancelled' }).expect(400);

      const cancelled = await request(ctx.app).delete(`/api/v1/live-sessions/${created.id}`).set(owner.auth).expect(200);
      expect(cancelled.body.status).to.equal('cancelled');
      const after = (await request(ctx.app).get(`/api/v1/live-sessions/${created.id}`).set(owner.auth).expect(200)).body;
      expect(after).to.include({ status: 'cancelled', sequence: 3 });
      // A cancelled session no longer books the facilitator.
      await schedule(owner, sessionBody(new Date(start.getTime() + HOUR))).expect(201);
      await request(ctx.app).patch(`/api/v1/live-sessions/${created.id}`).set(owner.auth).send({ title: 'Otra vez' }).expect(409);
    });

    it('learners see the sessions of their course (and of their cohort), not others; an unknown session is 404', async () => {
      const cohortA = (await request(ctx.app).post(`/api/v1/courses/${COURSE}/cohorts`).set(manager.auth).send({
        name: 'Cohorte A',
        enrollmentOpensAt: new Date(clock.now().getTime() - DAY).toISOString(),
        enrollmentClosesAt: new Date(clock.now().getTime() + 60 * DAY).toISOString(),
        startsAt: inDays(1).toISOString(),
        endsAt: inDays(90).toISOString(),
      }).expect(201)).body as { id: string };
      const owner = await staffToken(ctx, 'manager');
      const forAll = (await schedule(owner, sessionBody(inDays(21))).expect(201)).body;
      const forCohort = (await schedule(owner, sessionBody(inDays(22), { cohortId: cohortA.id })).expect(201)).body;
      const inCourse = await enrolledLearner();
      const items = (await request(ctx.app).get(`/api/v1/courses/${COURSE}/live-sessions`).set(inCourse.auth).expect(200)).body.items as Array<{ id: string }>;
      expect(items.map((item) => item.id)).to.include(forAll.id).and.not.include(forCohort.id);
      await request(ctx.app).get(`/api/v1/live-sessions/${forCohort.id}`).set(inCourse.auth).expect(403);
      const inCohort = await enrolledLearner(COURSE, { cohortId: cohortA.id });
      await request(ctx.app).get(`/api/v1/live-sessions/${forCohort.id}`).set(inCohort.auth).expect(200);
      await request(ctx.app).post(`/api/v1/live-sessions/${forCohort.id}/rsvp`).set(inCourse.auth).send({ response: 'yes' }).expect(403);
      await request(ctx.app).post(`/api/v1/live-sessions/${forCohort.id}/rsvp`).set(inCohort.auth).send({ response: 'yes' }).expect(200);
      const stranger = await registerAndSignIn(ctx.app);
      await request(ctx.app).get(`/api/v1/live-sessions/${forAll.id}`).set(stranger.auth).expect(403);
      await request(ctx.app).get(`/api/v1/courses/${COURSE}/live-sessions`).set(stranger.auth).expect(403);
      await request(ctx.app).get('/api/v1/live-sessions/0123456789abcdef01234567').set(inCourse.auth).expect(404);
      await schedule(owner, sessionBody(inDays(23), { cohortId: '0123456789abcdef01234567' })).expect(400);
    });
  });

  describe('calendar file', () => {
    it('parses with an independent parser, at the right instants for Bogotá; UID stays and SEQUENCE rises across an update and a cancellation', async () => {
      const owner = await staffToken(ctx, 'manager');
      const learner = await enrolledLearner();
      const day = inDays(25).toISOString().slice(0, 10);
      const created = (
        await schedule(owner, sessionBody(new Date(`${day}T08:30:00-05:00`), {
          endsAt: `${day}T10:00:00-05:00`,
          agenda: [{ startsAt: `${day}T08:30:00-05:00`, topic: 'Bienvenida', responsible: 'Secretaría de Gobierno' }],
        })).expect(201)
      ).body;
      const download = await request(ctx.app).get(`/api/v1/live-sessions/${created.id}/ics`).set(learner.auth).expect(200);
      expect(download.headers['content-type']).to.match(/^text\/calendar/);
      expect(download.text).to.match(/^METHOD:REQUEST\r?$/m);
      const first = eventOf(download.text);
      expect(new Date(first.start!).toISOString()).to.equal(`${day}T13:30:00.000Z`);
      expect(new Date(first.end!).toISOString()).to.equal(`${day}T15:00:00.000Z`);
      expect(first.summary).to.equal(created.title);
      expect(String(first.description)).to.contain('08:30 — Bienvenida');
      expect(Number(first.sequence)).to.equal(0);

      await request(ctx.app).patch(`/api/v1/live-sessions/${created.id}`).set(owner.auth).send({ startsAt: `${day}T08:00:00-05:00`, endsAt: `${day}T10:30:00-05:00` }).expect(200);
      const updated = eventOf((await request(ctx.app).get(`/api/v1/live-sessions/${created.id}/ics`).set(learner.auth).expect(200)).text);
      expect(updated.uid).to.equal(first.uid);
      expect(Number(updated.sequence)).to.equal(1);
      expect(new Date(updated.start!).toISOString()).to.equal(`${day}T13:00:00.000Z`);

      await request(ctx.app).delete(`/api/v1/live-sessions/${created.id}`).set(owner.auth).expect(200);
      const cancelledText = (await request(ctx.app).get(`/api/v1/live-sessions/${created.id}/ics`).set(learner.auth).expect(200)).text;
      expect(cancelledText).to.match(/^METHOD:CANCEL\r?$/m);
      const cancelled = eventOf(cancelledText);
      expect(cancelled.uid).to.equal(first.uid);
      expect(Number(cancelled.sequence)).to.equal(2);
      expect(cancelled.status).to.equal('CANCELLED');
    });
  });

  describe('RSVP', () => {
    it('enrolled learners answer yes or no; rsvpCounts follows; strangers and other cohorts are refused', async () => {
      const owner = await staffToken(ctx, 'manager');
      const session = (await schedule(owner, sessionBody(inDays(30))).expect(201)).body;
      const learner = await enrolledLearner();
      await request(ctx.app).post(`/api/v1/live-sessions/${session.id}/rsvp`).set(learner.auth).send({ response: 'yes' }).expect(200);
      await request(ctx.app).post(`/api/v1/live-sessions/${session.id}/rsvp`).set(learner.auth).send({ response: 'yes' }).expect(200);
      expect((await request(ctx.app).get(`/api/v1/live-sessions/${session.id}`).set(learner.auth).expect(200)).body.rsvpCounts).to.deep.equal({ yes: 1, no: 0 });
      await request(ctx.app).post(`/api/v1/live-sessions/${session.id}/rsvp`).set(learner.auth).send({ response: 'no' }).expect(200);
      expect((await request(ctx.app).get(`/api/v1/live-sessions/${session.id}`).set(learner.auth).expect(200)).body.rsvpCounts).to.deep.equal({ yes: 0, no: 1 });
      await request(ctx.app).post(`/api/v1/live-sessions/${session.id}/rsvp`).set(learner.auth).send({ response: 'maybe' }).expect(400);
      const stranger = await registerAndSignIn(ctx.app);
      await request(ctx.app).post(`/api/v1/live-sessions/${session.id}/rsvp`).set(stranger.auth).send({ response: 'yes' }).expect(403);
    });

    it('capacity limits the yes answers, also when they arrive at once (409 full); a no frees a seat', async () => {
      const owner = await staffToken(ctx, 'manager');
      const session = (await schedule(owner, sessionBody(inDays(31), { capacity: 3 })).expect(201)).body;
      const learners = await Promise.all(Array.from({ length: 10 }, () => enrolledLearner()));
      const responses = await Promise.all(learners.map((learner) => request(ctx.app).post(`/api/v1/live-sessions/${session.id}/rsvp`).set(learner.auth).send({ response: 'yes' })));
      expect(responses.filter((response) => response.status === 200)).to.have.length(3);
      const refused = responses.filter((response) => response.status === 409);
      expect(refused).to.have.length(7);
      expect(refused.every((response) => response.body.error.details.reason === 'full')).to.equal(true);
      expect((await request(ctx.app).get(`/api/v1/live-sessions/${session.id}`).set(owner.auth).expect(200)).body.rsvpCounts).to.deep.equal({ yes: 3, no: 0 });
      const accepted = learners[responses.findIndex((response) => response.status === 200)]!;
      const waiting = learners[responses.findIndex((response) => response.status === 409)]!;
      await request(ctx.app).post(`/api/v1/live-sessions/${session.id}/rsvp`).set(accepted.auth).send({ response: 'no' }).expect(200);
      await request(ctx.app).post(`/api/v1/live-sessions/${session.id}/rsvp`).set(waiting.auth).send({ response: 'yes' }).expect(200);
      expect((await request(ctx.app).get(`/api/v1/live-sessions/${session.id}`).set(owner.auth).expect(200)).body.rsvpCounts).to.deep.equal({ yes: 3, no: 1 });
      // Capacity cannot drop below the seats already taken.
      await request(ctx.app).patch(`/api/v1/live-sessions/${session.id}`).set(owner.auth).send({ capacity: 2 }).expect(400);
    });
  });

  describe('attendance', () => {
    it('opens one hour before the start; counts present and absent invitees; a re-save replaces the list', async () => {
      const owner = await staffToken(ctx, 'manager');
      // Close in time: the suite's clock moves forward, and tokens last 8 hours.
      const start = new Date(clock.now().getTime() + 2 * HOUR);
      const session = (await schedule(owner, sessionBody(start), WITH_SESSIONS).expect(201)).body;
      const [first, second, third] = await Promise.all([enrolledLearner(WITH_SESSIONS), enrolledLearner(WITH_SESSIONS), enrolledLearner(WITH_SESSIONS)]);
      const invitees = (await ctx.services.enrollments.enrolledUserIds(WITH_SESSIONS, null)).length;
      const take = (present: string[]) => request(ctx.app).put(`/api/v1/live-sessions/${session.id}/attendance`).set(owner.auth).send({ present });
      expect((await take([first!.id]).expect(409)).body.error.details.reason).to.equal('too_early');
      clock.advance(start.getTime() - clock.now().getTime() - HOUR + 60_000);
      expect((await take([first!.id, second!.id]).expect(200)).body).to.deep.equal({ present: 2, absent: invitees - 2 });
      expect((await take([third!.id]).expect(200)).body).to.deep.equal({ present: 1, absent: invitees - 1 });
      const stranger = await registerAndSignIn(ctx.app);
      expect((await take([stranger.id]).expect(400)).body.error.details.notInvited).to.deep.equal([stranger.id]);
      const learnerTry = await request(ctx.app).put(`/api/v1/live-sessions/${session.id}/attendance`).set(first!.auth).send({ present: [] });
      expect(learnerTry.status).to.equal(403);
    });

    it('a course asking for one attended session completes only once attendance is taken, and a cancelled session does not count', async () => {
      const owner = await staffToken(ctx, 'manager');
      const start = new Date(clock.now().getTime() + 2 * HOUR);
      const session = (await schedule(owner, sessionBody(start), WITH_SESSIONS).expect(201)).body;
      const learner = await enrolledLearner(WITH_SESSIONS);
      const status = async () => (await request(ctx.app).get('/api/v1/me/enrollments').set(learner.auth).expect(200)).body.items.find((item: { courseSlug: string }) => item.courseSlug === WITH_SESSIONS);
      const completed = await request(ctx.app).post(`/api/v1/courses/${WITH_SESSIONS}/lessons/inicio/complete`).set(learner.auth).expect(200);
      expect(completed.body.progress).to.equal(99);
      expect((await status()).status).to.equal('active');
      clock.advance(Math.max(0, start.getTime() - clock.now().getTime()));
      await request(ctx.app).put(`/api/v1/live-sessions/${session.id}/attendance`).set(owner.auth).send({ present: [learner.id] }).expect(200);
      const after = await status();
      expect(after).to.include({ status: 'completed', progress: 100 });
      // Saving it again changes nothing.
      await request(ctx.app).put(`/api/v1/live-sessions/${session.id}/attendance`).set(owner.auth).send({ present: [learner.id] }).expect(200);
      expect(await status()).to.deep.equal(after);

      // Another learner, attending only a session that is then cancelled, is not completed.
      const other = await enrolledLearner(WITH_SESSIONS);
      await request(ctx.app).post(`/api/v1/courses/${WITH_SESSIONS}/lessons/inicio/complete`).set(other.auth).expect(200);
      const laterStart = new Date(clock.now().getTime() + 2 * HOUR);
      const later = (await schedule(owner, sessionBody(laterStart), WITH_SESSIONS).expect(201)).body;
      clock.advance(laterStart.getTime() - clock.now().getTime());
      await request(ctx.app).put(`/api/v1/live-sessions/${session.id}/attendance`).set(owner.auth).send({ present: [learner.id] }).expect(200);
      await request(ctx.app).delete(`/api/v1/live-sessions/${later.id}`).set(owner.auth).expect(200);
      await request(ctx.app).put(`/api/v1/live-sessions/${later.id}/attendance`).set(owner.auth).send({ present: [other.id] }).expect(409);
      const otherStatus = (await request(ctx.app).get('/api/v1/me/enrollments').set(other.auth).expect(200)).body.items[0];
      expect(otherStatus.status).to.equal('active');
    });
  });
});
