import { expect } from 'chai';
import { Writable } from 'node:stream';
import { Types } from 'mongoose';
import { pino } from 'pino';
import ical, { type VEvent } from 'node-ical';
import request from 'supertest';
import { createApp } from '../../../src/app.js';
import { TestClock, createTestApp, type TestApp } from '../../helpers/app.js';
import { courseFixture, sampleCourseFiles, type CourseFixture } from '../../helpers/course-fixture.js';
import { registerAndSignIn, type SignedIn } from '../../helpers/factories.js';
import { signInThroughForm } from '../../helpers/web-session.js';

/**
 * The personal calendar feed (API.md, "Live sessions"; src/live-sessions/README.md): a
 * secret address that calendar programs poll without signing in.
 */

const COURSE = 'curso-de-prueba';
const FACILITATED = 'curso-facilitado';
const UNRELATED = 'curso-ajeno';
const BASE_URL = 'https://capacita.example.org';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const FEED_URL = new RegExp(`^${BASE_URL.replace(/\./g, '\\.')}/api/v1/calendar-feeds/[A-Za-z0-9_-]{43}\\.ics$`);
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

interface Person {
  id: string;
  auth: { Authorization: string };
  email: string;
  password: string;
}

let accountSequence = 0;

/** The path of a feed URL, to ask the app under test for it. */
const pathOf = (url: string): string => new URL(url).pathname;

/** The URL with one character of its token replaced by `replacement(original)`. */
function withTokenCharacter(url: string, index: number, replacement: (original: string) => string): string {
  const [, prefix, token] = /^(.*\/)([^/]+)\.ics$/.exec(url)!;
  const characters = [...token!];
  characters[index] = replacement(characters[index]!);
  return `${prefix}${characters.join('')}.ics`;
}

function eventsOf(text: string): Map<string, VEvent> {
  const events = Object.values(ical.sync.parseICS(text)).filter((component) => component?.type === 'VEVENT') as VEvent[];
  return new Map(events.map((event) => [event.uid, event]));
}

const uidOf = (sessionId: string): string => `live-session-${sessionId}@capacita`;

describe('the personal calendar feed', function () {
  this.timeout(60_000);
  const clock = new TestClock();
  let fixture: CourseFixture;
  let ctx: TestApp;
  let manager: Person;

  const staff = async (role: 'manager' | 'facilitator'): Promise<Person> => {
    accountSequence += 1;
    const email = `feed.${role}.${Date.now().toString(36)}${accountSequence}@example.org`;
    const password = 'clave-del-calendario-2026';
    await ctx.services.accounts.auth.createSystemAccount({ email, roles: [role], password, givenName: 'Luz', familyName: 'Mosquera' });
    const response = await request(ctx.app).post('/api/v1/auth/tokens').send({ email, password }).expect(201);
    return { id: String(response.body.user.id), auth: { Authorization: `Bearer ${String(response.body.token)}` }, email, password };
  };
  const feedUrlOf = async (person: { auth: { Authorization: string } }): Promise<string> =>
    String((await request(ctx.app).get('/api/v1/me/calendar-feed').set(person.auth).expect(200)).body.url);
  /** The feed as a calendar program fetches it: no Authorization header, no cookie. */
  const fetchFeed = (url: string) => request(ctx.app).get(pathOf(url));
  const inDays = (days: number): Date => new Date(Math.floor((clock.now().getTime() + days * DAY) / HOUR) * HOUR);
  const schedule = async (course: string, startsAt: Date, overrides: Record<string, unknown> = {}): Promise<{ id: string; startsAt: string; endsAt: string }> =>
    (
      await request(ctx.app)
        .post(`/api/v1/courses/${course}/live-sessions`)
        .set(manager.auth)
        .send({
          title: 'Mesa de trabajo con juntas de acción comunal',
          startsAt: startsAt.toISOString(),
          endsAt: new Date(startsAt.getTime() + 2 * HOUR).toISOString(),
          modality: 'virtual',
          meetingUrl: 'https://meet.example.org/mesa',
          ...overrides,
        })
        .expect(201)
    ).body;
  const createCohort = async (name: string): Promise<string> =>
    (
      await ctx.services.enrollments.createCohort(COURSE, {
        name,
        enrollmentOpensAt: new Date(clock.now().getTime() - DAY),
        enrollmentClosesAt: new Date(clock.now().getTime() + 60 * DAY),
        startsAt: inDays(1),
        endsAt: inDays(200),
      })
    ).id;
  const enroll = (person: { auth: { Authorization: string } }, course: string, body: Record<string, unknown> = {}) =>
    request(ctx.app).post(`/api/v1/courses/${course}/enrollments`).set(person.auth).send(body).expect(201);

  before(async () => {
    fixture = courseFixture({ ...sampleCourseFiles(), ...sampleCourseFiles(FACILITATED), ...sampleCourseFiles(UNRELATED) });
    ctx = await createTestApp({ COURSES_DIR: fixture.root, BASE_URL }, clock);
    await ctx.services.courses.importCourses();
    manager = await staff('manager');
  });
  after(async () => {
    await ctx.close();
    fixture.cleanUp();
  });

  describe('the address', () => {
    it('is absolute, under BASE_URL, and the same on every call until it is reset; no token is stored', async () => {
      const learner = await registerAndSignIn(ctx.app);
      const url = await feedUrlOf(learner);
      expect(url).to.match(FEED_URL);
      expect(await feedUrlOf(learner)).to.equal(url);

      const reset = await request(ctx.app).post('/api/v1/me/calendar-feed/reset').set(learner.auth).expect(200);
      expect(reset.body.url).to.match(FEED_URL).and.not.equal(url);
      expect(await feedUrlOf(learner)).to.equal(reset.body.url);
      // What is kept is a version number, not the address.
      const stored = await ctx.database.connection.collection<{ _id: string }>('calendar_feeds').find({ _id: learner.id }).toArray();
      expect(stored).to.have.length(1);
      expect(Object.keys(stored[0]!).sort()).to.deep.equal(['_id', 'resetAt', 'version']);
      expect(JSON.stringify(stored)).not.to.include(pathOf(reset.body.url).split('/').at(-1)!.replace('.ics', ''));
    });

    it('two first resets at once both succeed, with different addresses; the later one is the one that works', async () => {
      const learner = await registerAndSignIn(ctx.app);
      const resets = await Promise.all([0, 1].map(() => request(ctx.app).post('/api/v1/me/calendar-feed/reset').set(learner.auth)));
      expect(resets.map((response) => response.status)).to.deep.equal([200, 200]);
      const [first, second] = resets.map((response) => String(response.body.url));
      expect(first).not.to.equal(second);
      const current = await feedUrlOf(learner);
      expect([first, second]).to.include(current);
      await fetchFeed(current).expect(200);
      await fetchFeed(current === first ? second! : first!).expect(404);
    });

    it('keeps the token out of the request log, like the tokens of mailed links', async () => {
      const lines: string[] = [];
      const sink = new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(chunk.toString('utf8'));
          done();
        },
      });
      const logged = createApp({ config: ctx.config, logger: pino({ level: 'info' }, sink), database: ctx.database, services: ctx.services });
      const learner = await registerAndSignIn(ctx.app);
      const url = await feedUrlOf(learner);
      const token = pathOf(url).split('/').at(-1)!.replace('.ics', '');
      await request(logged).get(pathOf(url)).expect(200);
      const entry = lines.map((line) => JSON.parse(line) as { req?: { url?: string } }).find((line) => line.req?.url?.includes('/calendar-feeds/'));
      expect(entry?.req?.url).to.equal('/api/v1/calendar-feeds/[redacted]');
      expect(lines.join('')).not.to.include(token);
      // Mailed links carry their token in the query: the same rule keeps it out.
      await request(logged).get('/reset-password?token=secreto-de-un-solo-uso&lang=es');
      const reset = lines.map((line) => JSON.parse(line) as { req?: { url?: string } }).find((line) => line.req?.url?.startsWith('/reset-password'));
      expect(reset?.req?.url).to.equal('/reset-password?token=[redacted]&lang=es');
      expect(lines.join('')).not.to.include('secreto-de-un-solo-uso');
    });

    it('needs a signed-in person to be read or reset (401)', async () => {
      await request(ctx.app).get('/api/v1/me/calendar-feed').expect(401);
      await request(ctx.app).post('/api/v1/me/calendar-feed/reset').expect(401);
    });
  });

  describe('the calendar', () => {
    it('holds, without any sign-in, the sessions of the person\'s courses and cohort and of the courses they facilitate, from 90 days back, cancelled ones marked', async () => {
      const cohortA = await createCohort('Cohorte Montes de María');
      const cohortB = await createCohort('Cohorte Urabá');
      // A facilitator of one course who is also enrolled, in cohort A, in another.
      const person = await staff('facilitator');
      await ctx.services.courses.setFacilitators(FACILITATED, [person.id]);
      await enroll(person, COURSE, { cohortId: cohortA });

      const day = inDays(20).toISOString().slice(0, 10);
      const forEveryone = await schedule(COURSE, new Date(`${day}T08:30:00-05:00`), { endsAt: `${day}T10:00:00-05:00` });
      const forCohortA = await schedule(COURSE, inDays(21), { cohortId: cohortA });
      const forCohortB = await schedule(COURSE, inDays(22), { cohortId: cohortB });
      const facilitated = await schedule(FACILITATED, inDays(23));
      const unrelated = await schedule(UNRELATED, inDays(24));
      const cancelled = await schedule(COURSE, inDays(25));
      await request(ctx.app).delete(`/api/v1/live-sessions/${cancelled.id}`).set(manager.auth).expect(200);
      const recent = await schedule(COURSE, inDays(26));
      const old = await schedule(COURSE, inDays(27));
      // Sessions cannot be scheduled in the past: two are moved back as if time had passed.
      const sessions = ctx.database.connection.collection('live_sessions');
      const moveBack = (id: string, days: number) => {
        const startsAt = new Date(clock.now().getTime() - days * DAY);
        return sessions.updateOne({ _id: new Types.ObjectId(id) }, { $set: { startsAt, endsAt: new Date(startsAt.getTime() + HOUR) } });
      };
      await moveBack(recent.id, 80);
      await moveBack(old.id, 91);

      // A bearer token of someone else changes nothing: the address alone decides.
      const stranger = await registerAndSignIn(ctx.app);
      const feed = await fetchFeed(await feedUrlOf(person)).set(stranger.auth).expect(200);
      expect(feed.headers['content-type']).to.match(/^text\/calendar; charset=utf-8/);
      expect(feed.headers['cache-control']).to.equal('private, max-age=300');
      expect(feed.text).to.match(/^X-WR-CALNAME:Capacita — mis sesiones en vivo\r?$/m);
      expect(feed.text).to.match(/^METHOD:PUBLISH\r?$/m);
      expect(feed.text).to.match(/^REFRESH-INTERVAL;VALUE=DURATION:PT1H\r?$/m);
      expect(feed.text).not.to.match(/^ORGANIZER/m);

      const events = eventsOf(feed.text);
      expect([...events.keys()].sort()).to.deep.equal([forEveryone, forCohortA, facilitated, cancelled, recent].map((session) => uidOf(session.id)).sort());
      for (const absent of [forCohortB, unrelated, old]) expect(events.has(uidOf(absent.id))).to.equal(false);

      const first = events.get(uidOf(forEveryone.id))!;
      expect(new Date(first.start!).toISOString()).to.equal(`${day}T13:30:00.000Z`);
      expect(new Date(first.end!).toISOString()).to.equal(`${day}T15:00:00.000Z`);
      expect(Number(first.sequence)).to.equal(0);
      expect(first.status).to.equal('CONFIRMED');
      expect(new Date(events.get(uidOf(forCohortA.id))!.start!).toISOString()).to.equal(forCohortA.startsAt);

      const gone = events.get(uidOf(cancelled.id))!;
      expect(gone.status).to.equal('CANCELLED');
      expect(Number(gone.sequence)).to.equal(1);
    });

    it('follows the changes to a session: same UID, higher SEQUENCE, new times', async () => {
      const learner = await registerAndSignIn(ctx.app);
      await enroll(learner, COURSE);
      const session = await schedule(COURSE, inDays(30));
      const url = await feedUrlOf(learner);
      expect(Number(eventsOf((await fetchFeed(url).expect(200)).text).get(uidOf(session.id))!.sequence)).to.equal(0);
      const moved = inDays(31);
      await request(ctx.app)
        .patch(`/api/v1/live-sessions/${session.id}`)
        .set(manager.auth)
        .send({ startsAt: moved.toISOString(), endsAt: new Date(moved.getTime() + HOUR).toISOString() })
        .expect(200);
      const event = eventsOf((await fetchFeed(url).expect(200)).text).get(uidOf(session.id))!;
      expect(Number(event.sequence)).to.equal(1);
      expect(new Date(event.start!).toISOString()).to.equal(moved.toISOString());
    });

    it('is named in English for a calendar program that asks for English', async () => {
      const learner = await registerAndSignIn(ctx.app);
      const feed = await fetchFeed(await feedUrlOf(learner)).set('Accept-Language', 'en-GB,en;q=0.8').expect(200);
      expect(feed.text).to.match(/^X-WR-CALNAME:Capacita — my live sessions\r?$/m);
      expect(eventsOf(feed.text).size).to.equal(0);
    });
  });

  describe('addresses that do not work (404, in the API error shape)', () => {
    const expectNotFound = async (url: string): Promise<void> => {
      const response = await fetchFeed(url).expect(404);
      expect(response.body.error.code).to.equal('not_found');
      expect(response.headers['cache-control']).not.to.equal('private, max-age=300');
    };

    it('a reset address: the old one is 404 from then on, the new one works', async () => {
      const learner = await registerAndSignIn(ctx.app);
      const old = await feedUrlOf(learner);
      await fetchFeed(old).expect(200);
      const fresh = String((await request(ctx.app).post('/api/v1/me/calendar-feed/reset').set(learner.auth).expect(200)).body.url);
      await expectNotFound(old);
      await fetchFeed(fresh).expect(200);
      // A second reset revokes the second address too.
      await request(ctx.app).post('/api/v1/me/calendar-feed/reset').set(learner.auth).expect(200);
      await expectNotFound(fresh);
    });

    it('a forged one: any character changed, another spelling of the same bytes, a made-up or malformed token', async () => {
      const learner = await registerAndSignIn(ctx.app);
      const url = await feedUrlOf(learner);
      await fetchFeed(url).expect(200);
      // In the user id, in the version, in the MAC, and the last character.
      for (const index of [0, 17, 21, 30, 42]) await expectNotFound(withTokenCharacter(url, index, (original) => (original === 'A' ? 'B' : 'A')));
      // The last character carries two unused bits: changing one of them decodes to the same bytes.
      await expectNotFound(withTokenCharacter(url, 42, (original) => BASE64URL[BASE64URL.indexOf(original) ^ 1]!));
      await expectNotFound(`${BASE_URL}/api/v1/calendar-feeds/${'A'.repeat(43)}.ics`);
      await expectNotFound(`${BASE_URL}/api/v1/calendar-feeds/corto.ics`);
      await expectNotFound(`${BASE_URL}/api/v1/calendar-feeds/${'A'.repeat(44)}.ics`);
      // Someone else's user id with this person's MAC.
      const other = await registerAndSignIn(ctx.app);
      const otherToken = pathOf(await feedUrlOf(other)).split('/').at(-1)!;
      const token = pathOf(url).split('/').at(-1)!;
      await expectNotFound(`${BASE_URL}/api/v1/calendar-feeds/${otherToken.slice(0, 16)}${token.slice(16)}`);
    });

    it('the address of an account that was deleted (anonymised)', async () => {
      const learner = await registerAndSignIn(ctx.app);
      const url = await feedUrlOf(learner);
      await fetchFeed(url).expect(200);
      await request(ctx.app).delete('/api/v1/me').set(learner.auth).send({ password: learner.password }).expect(204);
      await expectNotFound(url);
    });
  });

  it('limits the requests from one address (429 with Retry-After), counting failed ones, until the window passes', async () => {
    const learner = await registerAndSignIn(ctx.app);
    const url = await feedUrlOf(learner);
    const forged = withTokenCharacter(url, 30, (original) => (original === 'A' ? 'B' : 'A'));
    let limited: request.Response | undefined;
    // Other tests of this suite may have used part of this minute's allowance (120).
    for (let attempt = 0; attempt <= 120 && !limited; attempt += 1) {
      const response = await fetchFeed(forged);
      if (response.status === 429) limited = response;
      else expect(response.status).to.equal(404);
    }
    expect(limited, 'no 429 after 121 requests').not.to.equal(undefined);
    expect(limited!.body.error.code).to.equal('rate_limited');
    expect(Number(limited!.headers['retry-after'])).to.be.within(1, 60);
    await fetchFeed(url).expect(429);
    clock.advance(61_000);
    await fetchFeed(url).expect(200);
  });

  describe('on "My account"', () => {
    it('shows the address with how to subscribe, and a form (with its CSRF token) that makes a new one', async () => {
      const learner: SignedIn = await registerAndSignIn(ctx.app);
      const session = await signInThroughForm(ctx.app, learner);
      const url = await feedUrlOf(learner);
      const page = await session.agent.get('/account').expect(200);
      expect(page.text).to.include('<h2>Calendario personal</h2>');
      expect(page.text).to.include(`<input type="text" id="calendar-feed-url" value="${url}" readonly`);
      expect(page.text).to.include('Google Calendar');
      expect(page.text).to.include('Outlook');
      expect(page.text).to.match(/<form method="post" action="\/account\/calendar-feed\/reset">\s*<input type="hidden" name="_csrf"/);

      // Without its token the form changes nothing.
      await session.agent.post('/account/calendar-feed/reset').type('form').send({}).expect(403);
      expect(await feedUrlOf(learner)).to.equal(url);

      const reset = await session.post('/account/calendar-feed/reset');
      expect(reset.status).to.equal(303);
      expect(reset.headers.location).to.equal('/account');
      const after = await session.agent.get('/account').expect(200);
      expect(after.text).to.include('Tu calendario tiene una dirección nueva y la anterior ya no funciona.');
      const fresh = await feedUrlOf(learner);
      expect(fresh).not.to.equal(url);
      expect(after.text).to.include(`value="${fresh}"`);
      await fetchFeed(url).expect(404);
      await fetchFeed(fresh).expect(200);

      const english = await session.agent.get('/account?lang=en').expect(200);
      expect(english.text).to.include('<h2>Personal calendar</h2>');
      expect(english.text).to.include('Make a new address');
    });
  });
});
