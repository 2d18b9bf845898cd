import { TZDate } from '@date-fns/tz';
import { expect } from 'chai';
import ical, { type VEvent } from 'node-ical';
import request from 'supertest';
import { holidaysDuring } from '../../../src/live-sessions/index.js';
import { TestClock, createTestApp, type TestApp } from '../../helpers/app.js';
import { courseFixture, liveSessionCourseFiles, sampleCourseFiles, type CourseFixture } from '../../helpers/course-fixture.js';
import { registerAndSignIn } from '../../helpers/factories.js';
import { csrfTokenIn, signInThroughForm, type WebSession } from '../../helpers/web-session.js';

/**
 * The live-session pages as people use them in a browser (cookie session, CSRF token in
 * every form): the schedule form with its agenda table, the session page with RSVP and
 * calendar file, editing, cancelling, the attendance roster, the printable agenda, and
 * the sessions listed on the course page and on "My courses".
 *
 * Every test schedules its own sessions, with a facilitator of its own, at times taken
 * from the suite's clock, so that what one test books never stands in another's way.
 */

const COURSE = 'curso-de-prueba';
/** One lesson and one live session to attend: attendance completes it. */
const WITH_SESSIONS = 'curso-con-sesiones';
/** A course that the "other" facilitators facilitate. */
const OTHER_COURSE = 'otro-curso';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const INSTITUTION = 'Consejería Presidencial para la Equidad';

function flashesOf(html: string): string[] {
  return [...html.matchAll(/<div class="flash flash-(\w+)"[^>]*>\s*<p>([^<]*)<\/p>/g)].map((match) => `${match[1]}: ${match[2]}`);
}

/** The error summary's items, as text. */
function summaryOf(html: string): string[] {
  const box = /<div class="error-summary"[\s\S]*?<\/ul>/.exec(html)?.[0] ?? '';
  return [...box.matchAll(/<li>(?:<a href="[^"]*">)?([^<]*)/g)].map((match) => match[1]!);
}

/** The day and clock time of an instant in Bogotá, as the form takes them. */
function bogotaFields(instant: Date): { date: string; time: string } {
  const local = new TZDate(instant.getTime(), 'America/Bogota');
  const pad = (value: number): string => String(value).padStart(2, '0');
  return { date: `${local.getFullYear()}-${pad(local.getMonth() + 1)}-${pad(local.getDate())}`, time: `${pad(local.getHours())}:${pad(local.getMinutes())}` };
}

function eventOf(text: string): VEvent {
  const events = Object.values(ical.sync.parseICS(text)).filter((component) => component?.type === 'VEVENT') as VEvent[];
  expect(events).to.have.length(1);
  return events[0]!;
}

describe('live-session pages: schedule, session, RSVP, calendar, edit, cancel, attendance, agenda', function () {
  this.timeout(60_000);
  const clock = new TestClock();
  let fixture: CourseFixture;
  let ctx: TestApp;
  let sequence = 0;

  before(async () => {
    fixture = courseFixture({
      ...sampleCourseFiles(),
      ...sampleCourseFiles(OTHER_COURSE),
      ...liveSessionCourseFiles(WITH_SESSIONS),
    });
    fixture.write(`${OTHER_COURSE}/course.yaml`, sampleCourseFiles(OTHER_COURSE)[`${OTHER_COURSE}/course.yaml`]!.replace('Curso de prueba', 'Otro curso'));
    ctx = await createTestApp({ COURSES_DIR: fixture.root, INSTITUTION_NAME: INSTITUTION }, clock);
    await ctx.services.courses.importCourses();
  });
  after(async () => {
    await ctx.close();
    fixture.cleanUp();
  });

  /** Signed in through the form, any welcome message already shown. */
  const signedIn = async (credentials: { email: string; password: string }): Promise<WebSession> => {
    const session = await signInThroughForm(ctx.app, credentials);
    await session.agent.get('/account').expect(200);
    return session;
  };

  type Person = WebSession & { id: string; actor: { id: string; email: string; roles: Array<'learner' | 'facilitator' | 'manager'> } };

  /** A facilitator of `course` (or a manager), signed in on the web. */
  const staff = async (role: 'facilitator' | 'manager', course?: string): Promise<Person> => {
    sequence += 1;
    const email = `equipo.paginas.${role}.${Date.now().toString(36)}${sequence}@example.org`;
    const password = 'clave-de-equipo-2026';
    await ctx.services.accounts.auth.createSystemAccount({ email, roles: [role], password, givenName: 'Luz Marina', familyName: 'Mosquera' });
    const token = await request(ctx.app).post('/api/v1/auth/tokens').send({ email, password }).expect(201);
    const id = String(token.body.user.id);
    if (course) await ctx.services.courses.setFacilitators(course, [...(await ctx.services.courses.getCourse(course)).facilitatorIds, id]);
    return Object.assign(await signedIn({ email, password }), { id, actor: { id, email, roles: [role] } });
  };

  const learner = async (course?: string, names: Record<string, string> = {}): Promise<Person> => {
    const person = await registerAndSignIn(ctx.app, names);
    const actor = { id: person.id, email: person.email, roles: ['learner' as const] };
    if (course) await ctx.services.enrollments.enroll(actor, course);
    return Object.assign(await signedIn(person), { id: person.id, actor });
  };

  /** A start `days` ahead on the hour, on a day that is not a Colombian holiday (no warning to expect). */
  const workdayStart = (days: number, hour = 9): Date => {
    for (let offset = days; ; offset += 1) {
      const { date } = bogotaFields(new Date(clock.now().getTime() + offset * DAY));
      const start = new Date(`${date}T${String(hour).padStart(2, '0')}:00:00-05:00`);
      if (holidaysDuring(start, new Date(start.getTime() + 3 * HOUR)).length === 0) return start;
    }
  };

  /** The form's fields for a session from `start`, `hours` long, with `overrides`. */
  const formFor = (start: Date, overrides: Record<string, string> = {}, hours = 3): Record<string, string> => ({
    title: 'Seminario regional de gestión social',
    date: bogotaFields(start).date,
    startTime: bogotaFields(start).time,
    endTime: bogotaFields(new Date(start.getTime() + hours * HOUR)).time,
    modality: 'virtual',
    meetingUrl: 'https://meet.example.org/seminario',
    ...overrides,
  });

  const follow = async (session: WebSession, response: request.Response): Promise<request.Response> => {
    expect(response.status, response.text.slice(0, 500)).to.equal(303);
    return session.agent.get(String(response.headers.location)).expect(200);
  };

  const sessionIdOf = (response: request.Response): string => {
    const match = /^\/live-sessions\/([0-9a-f]{24})$/.exec(String(response.headers.location));
    expect(match, `redirected to ${String(response.headers.location)}`).to.not.equal(null);
    return match![1]!;
  };

  /** Schedules through the form; answers the new session's id. */
  const scheduleThroughForm = async (who: WebSession, fields: Record<string, string>, course = COURSE): Promise<string> =>
    sessionIdOf(await who.post(`/courses/${course}/live-sessions`, fields));

  describe('the schedule form', () => {
    it('shows the course team a form in Colombian time with six agenda rows, the modalities, the cohorts and the DIVIPOLA picker', async () => {
      await ctx.services.enrollments.createCohort(COURSE, {
        name: 'Cohorte Nariño 2026',
        enrollmentOpensAt: new Date(clock.now().getTime() - DAY),
        enrollmentClosesAt: new Date(clock.now().getTime() + 30 * DAY),
        startsAt: new Date(clock.now().getTime() + 40 * DAY),
        endsAt: new Date(clock.now().getTime() + 120 * DAY),
      });
      const facilitator = await staff('facilitator', COURSE);
      const page = await facilitator.agent.get(`/courses/${COURSE}/live-sessions/new`).expect(200);
      expect(page.text).to.include('<h1>Programar una sesión en vivo</h1>');
      expect(page.text).to.include(`<form method="post" action="/courses/${COURSE}/live-sessions" novalidate class="form">`);
      expect(csrfTokenIn(page.text)).to.be.a('string');
      expect(page.text).to.include('<legend><h2 class="group-title">Fecha y hora</h2></legend>');
      expect(page.text).to.include('En hora de Colombia.');
      expect(page.text).to.match(/<input type="date" id="field-date" name="date"/);
      expect(page.text).to.match(/<input type="time" id="field-startTime" name="startTime"/);
      for (const modality of ['Virtual', 'Presencial', 'Híbrida']) expect(page.text).to.include(`>${modality}</label>`);
      expect(page.text).to.include('<option value="52">Nariño</option>');
      expect(page.text).to.include('name="action" value="loadMunicipalities"');
      expect(page.text).to.include('>Cohorte Nariño 2026</option>');
      expect(page.text.match(/name="agenda-\d+-topic"/g)).to.have.length(6);
      expect(page.text).to.include('<label class="visually-hidden" for="field-agenda-0-time">Hora del punto 1</label>');
      expect(page.text).to.include('<th scope="col">Hora</th>');
      expect(page.text).to.include('src="/js/live-session-form.js"');
      expect(page.text).not.to.match(/<script>|style="/);
    });

    it('refuses a facilitator of another course and a learner (403), and answers 404 for an unknown course', async () => {
      const outsider = await staff('facilitator', OTHER_COURSE);
      await outsider.agent.get(`/courses/${COURSE}/live-sessions/new`).expect(403);
      expect((await outsider.post(`/courses/${COURSE}/live-sessions`, formFor(workdayStart(5)))).status).to.equal(403);
      const someone = await learner(COURSE);
      await someone.agent.get(`/courses/${COURSE}/live-sessions/new`).expect(403);
      const manager = await staff('manager');
      await manager.agent.get('/courses/no-existe/live-sessions/new').expect(404);
    });

    // The rules between fields (what a modality needs, end after start) are the service's: they come once the form reads.
    it('keeps what was typed and lists every problem in the error summary, agenda rows included', async () => {
      const facilitator = await staff('facilitator', COURSE);
      const start = workdayStart(6);
      const response = await facilitator.post(`/courses/${COURSE}/live-sessions`, formFor(start, {
        title: 'Encuentro de «gestoras»',
        endTime: '',
        modality: 'in_person',
        venue: '',
        capacity: 'cuarenta',
        'agenda-2-time': '9:30',
        'agenda-2-topic': 'Instalación',
        'agenda-4-topic': 'Mesas de trabajo',
      }));
      expect(response.status).to.equal(400);
      expect(summaryOf(response.text)).to.deep.equal([
        'Hora de finalización: Este campo es obligatorio.',
        'Cupo: Escribe un número entero entre 1 y 100 000, o déjalo vacío.',
        'Hora del punto 3: Escribe una hora válida en formato de 24 horas, como 14:30.',
        'Responsable del punto 3: Este campo es obligatorio.',
        'Hora del punto 5: Este campo es obligatorio.',
        'Responsable del punto 5: Este campo es obligatorio.',
      ]);
      expect(response.text).to.include('<a href="#field-agenda-4-time">');
      // What was typed stays, escaped; the links of the summary lead to the controls.
      expect(response.text).to.include('value="Encuentro de «gestoras»"');
      expect(response.text).to.include('value="cuarenta"');
      expect(response.text).to.include('value="Mesas de trabajo"');
      expect(response.text).to.include('value="in_person" checked');
      expect(response.text).to.include('<input type="text" id="field-capacity" name="capacity" value="cuarenta" inputmode="numeric" aria-describedby="field-capacity-hint field-capacity-error" aria-invalid="true"');
      expect(await ctx.services.liveSessions.upcomingFor(facilitator.actor, { courseSlug: COURSE, limit: 100 })).to.deep.equal([]);
    });

    it('shows the service’s refusals on the fields they concern: an end before the start, an agenda item outside the session, a past date', async () => {
      const facilitator = await staff('facilitator', COURSE);
      const start = workdayStart(7);
      const refused = await facilitator.post(`/courses/${COURSE}/live-sessions`, formFor(start, {
        endTime: '08:00',
        'agenda-3-time': '18:00',
        'agenda-3-topic': 'Cierre',
        'agenda-3-responsible': 'Equipo territorial',
      }));
      expect(refused.status).to.equal(400);
      expect(summaryOf(refused.text)).to.include('Hora de finalización: El final debe ser posterior al inicio.');
      expect(summaryOf(refused.text)).to.include('Hora del punto 4: Cada punto de la agenda debe caer dentro de la sesión.');
      expect(refused.text).to.include('value="Equipo territorial"');

      const past = bogotaFields(new Date(clock.now().getTime() - 2 * DAY));
      const inThePast = await facilitator.post(`/courses/${COURSE}/live-sessions`, formFor(start, { date: past.date }));
      expect(summaryOf(inThePast.text)).to.deep.equal(['Fecha: La fecha debe ser futura.']);
      const impossible = await facilitator.post(`/courses/${COURSE}/live-sessions`, formFor(start, { date: '2027-02-30' }));
      expect(summaryOf(impossible.text)).to.deep.equal(['Fecha: Escribe una fecha válida, como 2026-11-21.']);
    });

    it('without JavaScript, loads a department’s municipalities and adds agenda rows, keeping what was typed and saving nothing', async () => {
      const facilitator = await staff('facilitator', COURSE);
      const fields = formFor(workdayStart(8), { modality: 'hybrid', venue: 'Casa de la Cultura', departmentCode: '52', 'agenda-0-topic': 'Bienvenida' });
      const municipalities = await facilitator.post(`/courses/${COURSE}/live-sessions`, { ...fields, action: 'loadMunicipalities' });
      expect(municipalities.status).to.equal(200);
      expect(municipalities.text).to.include('<option value="52001">Pasto</option>');
      expect(municipalities.text).to.include('value="Casa de la Cultura"');
      expect(municipalities.text).not.to.include('class="error-summary"');
      const rows = await facilitator.post(`/courses/${COURSE}/live-sessions`, { ...fields, agendaRows: '6', action: 'addAgendaRows' });
      expect(rows.text.match(/name="agenda-\d+-topic"/g)).to.have.length(9);
      expect(rows.text).to.include('name="agendaRows" value="9"');
      expect(rows.text).to.include('value="Bienvenida"');
      expect(await ctx.services.liveSessions.upcomingFor(facilitator.actor, { courseSlug: COURSE, limit: 100 })).to.deep.equal([]);
    });

    it('schedules a hybrid session with its agenda from Bogotá times, ignoring empty rows, and shows it with a message', async () => {
      const facilitator = await staff('facilitator', COURSE);
      const start = workdayStart(9);
      const { date } = bogotaFields(start);
      const response = await facilitator.post(`/courses/${COURSE}/live-sessions`, {
        ...formFor(start, { modality: 'hybrid', venue: 'Biblioteca Pública Piloto', departmentCode: '05', municipalityCode: '05001', capacity: '40' }),
        'agenda-0-time': '09:00',
        'agenda-0-topic': 'Instalación',
        'agenda-0-responsible': 'Gestora social de Antioquia',
        'agenda-2-time': '10:30',
        'agenda-2-topic': 'Mesas de trabajo',
        'agenda-2-responsible': 'Equipo territorial',
      });
      const id = sessionIdOf(response);
      const stored = await ctx.services.liveSessions.getSession(facilitator.actor, id);
      expect(stored).to.include({
        title: 'Seminario regional de gestión social',
        courseSlug: COURSE,
        facilitatorId: facilitator.id,
        startsAt: `${date}T14:00:00.000Z`,
        endsAt: `${date}T17:00:00.000Z`,
        modality: 'hybrid',
        meetingUrl: 'https://meet.example.org/seminario',
        venue: 'Biblioteca Pública Piloto',
        municipalityCode: '05001',
        capacity: 40,
        cohortId: null,
        status: 'scheduled',
      });
      expect(stored.agenda).to.deep.equal([
        { startsAt: `${date}T14:00:00.000Z`, topic: 'Instalación', responsible: 'Gestora social de Antioquia' },
        { startsAt: `${date}T15:30:00.000Z`, topic: 'Mesas de trabajo', responsible: 'Equipo territorial' },
      ]);

      const page = await follow(facilitator, response);
      expect(flashesOf(page.text)).to.deep.equal(['success: Programaste la sesión «Seminario regional de gestión social».']);
      expect(page.text).to.include('<h1>Seminario regional de gestión social</h1>');
      expect(page.text).to.include(', de 09:00 a 12:00 (hora de Colombia)');
      expect(page.text).to.include('Biblioteca Pública Piloto, Medellín (Antioquia)');
      expect(page.text).to.include('<a href="https://meet.example.org/seminario">https://meet.example.org/seminario</a>');
      expect(page.text).to.include('40 cupos');
      expect(page.text).to.match(/<th scope="row">09:00<\/th>\s*<td>Instalación<\/td>\s*<td>Gestora social de Antioquia<\/td>/);
      // The team's links; no RSVP form for someone who is not invited.
      expect(page.text).to.include(`<a href="/live-sessions/${id}/attendance">Tomar asistencia</a>`);
      expect(page.text).to.include(`<a href="/live-sessions/${id}/edit">Editar la sesión</a>`);
      expect(page.text).to.include(`<a href="/live-sessions/${id}/cancel">Cancelar la sesión</a>`);
      expect(page.text).not.to.include('¿Asistirás?');
    });

    it('warns, after scheduling, when the session falls on a Colombian public holiday', async () => {
      const facilitator = await staff('facilitator', COURSE);
      const year = clock.now().getUTCFullYear() + 1;
      const response = await facilitator.post(`/courses/${COURSE}/live-sessions`, formFor(new Date(`${year}-12-08T09:00:00-05:00`)));
      const page = await follow(facilitator, response);
      expect(flashesOf(page.text)).to.deep.equal([
        'success: Programaste la sesión «Seminario regional de gestión social».',
        'warning: Ten en cuenta que la sesión cae en un día festivo en Colombia (Inmaculada Concepción). Quedó programada de todos modos.',
      ]);
    });

    it('refuses to double-book the facilitator, on the form, with what was typed', async () => {
      const facilitator = await staff('facilitator', COURSE);
      const start = workdayStart(10);
      await scheduleThroughForm(facilitator, formFor(start));
      const again = await facilitator.post(`/courses/${COURSE}/live-sessions`, formFor(new Date(start.getTime() + HOUR), { title: 'Sesión que se cruza' }));
      expect(again.status).to.equal(409);
      expect(summaryOf(again.text)).to.deep.equal(['Hora de inicio: Quien facilita ya tiene otra sesión programada en ese horario.']);
      expect(again.text).to.include('value="Sesión que se cruza"');
    });
  });

  describe('a recurring series from the schedule form', () => {
    const WEEK = 7 * DAY;

    /** The first day `days` ahead or later that falls on `weekday` in Bogotá (0 = Sunday), at 09:00. */
    const nextWeekday = (days: number, weekday: number): Date => {
      for (let offset = days; ; offset += 1) {
        const start = new Date(`${bogotaFields(new Date(clock.now().getTime() + offset * DAY)).date}T09:00:00-05:00`);
        if (new TZDate(start.getTime(), 'America/Bogota').getDay() === weekday) return start;
      }
    };

    /** The sessions of a series, soonest first, as the service gives them. */
    const seriesOf = async (who: Person, seriesId: string) =>
      (await ctx.services.liveSessions.listSessions(who.actor, COURSE)).filter((session) => session.seriesId === seriesId);

    /** The course's sessions that `who` leads. */
    const scheduledBy = async (who: Person) =>
      (await ctx.services.liveSessions.listSessions(who.actor, COURSE)).filter((session) => session.facilitatorId === who.id);

    it('offers a repetition on a new session only, "No se repite" chosen, its hints tied to the fields', async () => {
      const facilitator = await staff('facilitator', COURSE);
      const page = await facilitator.agent.get(`/courses/${COURSE}/live-sessions/new`).expect(200);
      expect(page.text).to.match(/<fieldset class="group" aria-describedby="group-\d+-hint">\s*<legend><h2 class="group-title">Repetición<\/h2><\/legend>/);
      expect(page.text).to.include('<fieldset class="choices">\n    <legend>Frecuencia</legend>');
      expect(page.text).to.include('<input type="radio" id="field-recurrence" name="recurrence" value="none" checked>');
      for (const [index, value, text] of [[1, 'weekly', 'Cada semana'], [2, 'biweekly', 'Cada dos semanas'], [3, 'weekdays', 'Cada día hábil (lunes a viernes)']]) {
        expect(page.text).to.include(`<input type="radio" id="field-recurrence-${index}" name="recurrence" value="${value}">\n      <label for="field-recurrence-${index}">${text}</label>`);
      }
      expect(page.text).to.include('<label for="field-sessionCount">Número de sesiones</label>');
      expect(page.text).to.include('<p class="hint" id="field-sessionCount-hint">Si la sesión se repite: entre 2 y 52, contando la primera.</p>');
      expect(page.text).to.include('<input type="text" id="field-sessionCount" name="sessionCount" value="" inputmode="numeric" aria-describedby="field-sessionCount-hint"');

      const id = await scheduleThroughForm(facilitator, formFor(workdayStart(30)));
      const edit = await facilitator.agent.get(`/live-sessions/${id}/edit`).expect(200);
      expect(edit.text).not.to.include('Repetición');
      expect(edit.text).not.to.include('name="recurrence"');
      expect(edit.text).not.to.include('name="sessionCount"');
    });

    it('schedules a weekly series of three a week apart, says how many, and shows each session’s place in it', async () => {
      const facilitator = await staff('facilitator', COURSE);
      const start = workdayStart(31);
      const response = await facilitator.post(`/courses/${COURSE}/live-sessions`, formFor(start, { title: 'Ciclo de formación', recurrence: 'weekly', sessionCount: '3' }));
      const firstId = sessionIdOf(response);
      const first = await ctx.services.liveSessions.getSession(facilitator.actor, firstId);
      expect(first.seriesId).to.be.a('string');
      const series = await seriesOf(facilitator, first.seriesId!);
      expect(series.map((session) => session.startsAt)).to.deep.equal([0, 1, 2].map((week) => new Date(start.getTime() + week * WEEK).toISOString()));
      expect(series.map((session) => session.endsAt)).to.deep.equal([0, 1, 2].map((week) => new Date(start.getTime() + week * WEEK + 3 * HOUR).toISOString()));
      expect(series[0]!.id).to.equal(firstId);
      expect(series.every((session) => session.title === 'Ciclo de formación')).to.equal(true);

      // The first session's page; a holiday among the three would only add a warning.
      const page = await follow(facilitator, response);
      expect(flashesOf(page.text)[0]).to.equal('success: Programaste 3 sesiones de «Ciclo de formación».');
      expect(page.text).to.include('<nav class="series-nav" aria-label="Sesiones de la serie">');
      expect(page.text).to.include('<p>Sesión 1 de 3 de una serie</p>');
      expect(page.text).to.match(/<span aria-current="page">Sesión 1: [^<]+<\/span>/);
      expect(page.text).to.match(new RegExp(`<a href="/live-sessions/${series[1]!.id}">Sesión 2: [^<]+</a>`));
      expect(page.text).to.match(new RegExp(`<a href="/live-sessions/${series[2]!.id}">Sesión 3: [^<]+</a>`));

      // An invited learner sees the series too; a cancelled session stays in it, marked.
      await facilitator.post(`/live-sessions/${series[2]!.id}/cancel`);
      const someone = await learner(COURSE);
      const second = await someone.agent.get(`/live-sessions/${series[1]!.id}`).expect(200);
      expect(second.text).to.include('<p>Sesión 2 de 3 de una serie</p>');
      expect(second.text).to.match(new RegExp(`<a href="/live-sessions/${firstId}">Sesión 1: [^<]+</a>`));
      expect(second.text).to.match(new RegExp(`<a href="/live-sessions/${series[2]!.id}">Sesión 3: [^<]+ \\(cancelada\\)</a>`));
      const english = await someone.agent.get(`/live-sessions/${series[1]!.id}?lang=en`).expect(200);
      expect(english.text).to.include('<p>Session 2 of 3 in a series</p>');
      expect(english.text).not.to.match(/live-sessions:[a-zA-Z]/);
    });

    it('repeats every two weeks, and every working day from a Monday', async () => {
      const facilitator = await staff('facilitator', COURSE);
      const biweekly = workdayStart(32, 15);
      const everyOther = await ctx.services.liveSessions.getSession(facilitator.actor, await scheduleThroughForm(facilitator, formFor(biweekly, { recurrence: 'biweekly', sessionCount: '2' }, 1)));
      expect((await seriesOf(facilitator, everyOther.seriesId!)).map((session) => session.startsAt)).to.deep.equal([biweekly, new Date(biweekly.getTime() + 2 * WEEK)].map((date) => date.toISOString()));

      const monday = nextWeekday(60, 1);
      const weekdays = await ctx.services.liveSessions.getSession(facilitator.actor, await scheduleThroughForm(facilitator, formFor(monday, { recurrence: 'weekdays', sessionCount: '6' }, 1)));
      const days = (await seriesOf(facilitator, weekdays.seriesId!)).map((session) => new TZDate(Date.parse(session.startsAt), 'America/Bogota').getDay());
      // Monday to Friday, then the next Monday: the weekend is skipped.
      expect(days).to.deep.equal([1, 2, 3, 4, 5, 1]);
    });

    it('refuses a number of sessions out of range, or missing, on its field, keeping what was typed and saving nothing', async () => {
      const facilitator = await staff('facilitator', COURSE);
      const start = workdayStart(33);
      for (const [sessionCount, message] of [
        ['60', 'Escribe un número entero entre 2 y 52.'],
        ['1', 'Escribe un número entero entre 2 y 52.'],
        ['seis', 'Escribe un número entero entre 2 y 52.'],
        ['', 'Este campo es obligatorio.'],
      ] as const) {
        const refused = await facilitator.post(`/courses/${COURSE}/live-sessions`, formFor(start, { title: 'Serie demasiado larga', recurrence: 'weekly', sessionCount }));
        expect(refused.status, sessionCount).to.equal(400);
        expect(summaryOf(refused.text), sessionCount).to.deep.equal([`Número de sesiones: ${message}`]);
        expect(refused.text).to.include('<a href="#field-sessionCount">');
        expect(refused.text).to.include(`<input type="text" id="field-sessionCount" name="sessionCount" value="${sessionCount}" inputmode="numeric" aria-describedby="field-sessionCount-hint field-sessionCount-error" aria-invalid="true"`);
        expect(refused.text).to.include('name="recurrence" value="weekly" checked');
        expect(refused.text).not.to.include('name="recurrence" value="none" checked');
        expect(refused.text).to.include('value="Serie demasiado larga"');
      }
      expect(await scheduledBy(facilitator)).to.deep.equal([]);
    });

    it('shows on the repetition a series of working days that would start on a Saturday, keeping what was typed', async () => {
      const facilitator = await staff('facilitator', COURSE);
      const saturday = nextWeekday(34, 6);
      const refused = await facilitator.post(`/courses/${COURSE}/live-sessions`, formFor(saturday, { title: 'Taller de fin de semana', recurrence: 'weekdays', sessionCount: '5' }));
      expect(refused.status).to.equal(400);
      const message = 'La primera sesión debe caer en uno de los días de la repetición: para «Cada día hábil», elige una fecha de lunes a viernes.';
      expect(summaryOf(refused.text)).to.deep.equal([`Frecuencia: ${message}`]);
      expect(refused.text).to.include('<a href="#field-recurrence">');
      expect(refused.text).to.include('<fieldset class="choices" aria-describedby="field-recurrence-error">');
      expect(refused.text).to.include(`<p class="error-message" id="field-recurrence-error"><span class="visually-hidden">Error:</span> ${message}</p>`);
      expect(refused.text).to.include('name="recurrence" value="weekdays" checked');
      expect(refused.text).to.include('name="sessionCount" value="5"');
      expect(refused.text).to.include(`value="${bogotaFields(saturday).date}"`);
      expect(await scheduledBy(facilitator)).to.deep.equal([]);
    });

    it('refuses, on the start time, a series one of whose sessions would double-book the facilitator; none is scheduled', async () => {
      const facilitator = await staff('facilitator', COURSE);
      const start = workdayStart(36);
      await scheduleThroughForm(facilitator, formFor(new Date(start.getTime() + 2 * WEEK), { title: 'Sesión ya programada' }));
      const refused = await facilitator.post(`/courses/${COURSE}/live-sessions`, formFor(start, { title: 'Serie que se cruza', recurrence: 'weekly', sessionCount: '4' }));
      expect(refused.status).to.equal(409);
      expect(summaryOf(refused.text)).to.deep.equal(['Hora de inicio: Quien facilita ya tiene otra sesión programada en el horario de alguna de las sesiones de la serie.']);
      expect(refused.text).to.include('name="sessionCount" value="4"');
      expect((await scheduledBy(facilitator)).map((session) => session.title)).to.deep.equal(['Sesión ya programada']);
    });

    it('"No se repite" schedules one session, whatever number was left in the field', async () => {
      const facilitator = await staff('facilitator', COURSE);
      const response = await facilitator.post(`/courses/${COURSE}/live-sessions`, formFor(workdayStart(35), { title: 'Sesión única', recurrence: 'none', sessionCount: '99' }));
      const id = sessionIdOf(response);
      expect((await ctx.services.liveSessions.getSession(facilitator.actor, id)).seriesId).to.equal(null);
      expect(await scheduledBy(facilitator)).to.have.length(1);
      const page = await follow(facilitator, response);
      expect(flashesOf(page.text)).to.deep.equal(['success: Programaste la sesión «Sesión única».']);
      expect(page.text).not.to.include('series-nav');
    });
  });

  describe('the session page, RSVP and the calendar file', () => {
    it('an invited learner sees the session and answers; the answer shows, the counts follow, and a full session refuses with a message', async () => {
      const facilitator = await staff('facilitator', COURSE);
      const id = await scheduleThroughForm(facilitator, formFor(workdayStart(12), { capacity: '1' }));
      const first = await learner(COURSE);
      const page = await first.agent.get(`/live-sessions/${id}`).expect(200);
      expect(page.text).to.include('<h2 id="rsvp-heading">¿Asistirás?</h2>');
      expect(page.text).to.include('Aún no has respondido.');
      expect(page.text).to.include('<button type="submit" class="primary" name="response" value="yes">Sí asistiré</button>');
      expect(page.text).to.include(`<a href="/live-sessions/${id}/calendar.ics" download>Añadir a mi calendario</a>`);
      expect(page.text).to.include(`<a href="/live-sessions/${id}/agenda">Ver la agenda para imprimir</a>`);
      expect(page.text).not.to.include('Tomar asistencia');

      const answered = await follow(first, await first.post(`/live-sessions/${id}/rsvp`, { response: 'yes' }));
      expect(flashesOf(answered.text)).to.deep.equal(['success: ¡Gracias! Te esperamos.']);
      expect(answered.text).to.include('Tu respuesta: sí asistirás.');
      expect(answered.text).to.include('Sí asistirán: 1 · No podrán asistir: 0');

      const second = await learner(COURSE);
      const full = await follow(second, await second.post(`/live-sessions/${id}/rsvp`, { response: 'yes' }));
      expect(flashesOf(full.text)).to.deep.equal(['error: Ya no quedan cupos en esta sesión.']);
      expect(full.text).to.include('Aún no has respondido.');
      const declined = await follow(second, await second.post(`/live-sessions/${id}/rsvp`, { response: 'no' }));
      expect(declined.text).to.include('Tu respuesta: no podrás asistir.');
      expect((await ctx.services.liveSessions.getSession(facilitator.actor, id)).rsvpCounts).to.deep.equal({ yes: 1, no: 1 });
    });

    it('refuses a learner who is not invited (403) and answers 404 for an unknown session', async () => {
      const facilitator = await staff('facilitator', COURSE);
      const id = await scheduleThroughForm(facilitator, formFor(workdayStart(13)));
      const stranger = await learner(OTHER_COURSE);
      await stranger.agent.get(`/live-sessions/${id}`).expect(403);
      await stranger.agent.get(`/live-sessions/${id}/calendar.ics`).expect(403);
      await stranger.agent.get(`/live-sessions/${id}/agenda`).expect(403);
      expect((await stranger.post(`/live-sessions/${id}/rsvp`, { response: 'yes' })).status).to.equal(403);
      await stranger.agent.get('/live-sessions/0123456789abcdef01234567').expect(404);
      await stranger.agent.get('/live-sessions/no-es-un-id').expect(404);
    });

    it('serves the calendar file as a text/calendar attachment, at the right instant', async () => {
      const facilitator = await staff('facilitator', COURSE);
      const start = workdayStart(14, 8);
      const id = await scheduleThroughForm(facilitator, formFor(start, { title: 'Sesión con calendario', startTime: '08:30', endTime: '10:00' }));
      const someone = await learner(COURSE);
      const download = await someone.agent.get(`/live-sessions/${id}/calendar.ics`).expect(200);
      expect(download.headers['content-type']).to.equal('text/calendar; charset=utf-8');
      expect(download.headers['content-disposition']).to.equal(`attachment; filename=sesion-${id}.ics`);
      const event = eventOf(download.text);
      const { date } = bogotaFields(start);
      expect(new Date(event.start!).toISOString()).to.equal(`${date}T13:30:00.000Z`);
      expect(new Date(event.end!).toISOString()).to.equal(`${date}T15:00:00.000Z`);
      expect(event.summary).to.equal('Sesión con calendario');
    });

    it('prints the agenda like a regional seminar’s: institution, course, session, date, place and the table', async () => {
      const facilitator = await staff('facilitator', COURSE);
      const id = await scheduleThroughForm(facilitator, {
        ...formFor(workdayStart(15), { title: 'Seminario de inducción', modality: 'in_person', venue: 'Casa de la Cultura', departmentCode: '52', municipalityCode: '52001' }),
        'agenda-0-time': '09:00',
        'agenda-0-topic': 'Instalación y saludo',
        'agenda-0-responsible': 'Gobernación de Nariño',
        'agenda-1-time': '10:15',
        'agenda-1-topic': 'La red de gestores sociales',
        'agenda-1-responsible': 'Equipo nacional',
      });
      const someone = await learner(COURSE);
      const page = await someone.agent.get(`/live-sessions/${id}/agenda`).expect(200);
      expect(page.text).to.include(`<title>Agenda: Seminario de inducción · Capacita</title>`);
      expect(page.text).to.include(`<p class="agenda-institution">${INSTITUTION}</p>`);
      expect(page.text).to.include('<p class="agenda-course">Curso de prueba</p>');
      expect(page.text).to.include('<h1>Seminario de inducción</h1>');
      expect(page.text).to.include('Casa de la Cultura, Pasto (Nariño)');
      expect(page.text).not.to.include('meet.example.org');
      expect(page.text).to.match(/<th scope="col">Hora<\/th>\s*<th scope="col">Tema<\/th>\s*<th scope="col">Responsable<\/th>/);
      expect(page.text).to.match(/<th scope="row">09:00<\/th>\s*<td>Instalación y saludo<\/td>\s*<td>Gobernación de Nariño<\/td>/);
      expect(page.text).to.match(/<th scope="row">10:15<\/th>\s*<td>La red de gestores sociales<\/td>\s*<td>Equipo nacional<\/td>/);
      expect(page.text).to.include('<button type="button" class="primary" data-print hidden>Imprimir</button>');
      expect(page.text).to.include('src="/js/print.js"');
    });
  });

  describe('editing and cancelling', () => {
    it('edits through the same form, prefilled; only what changed is sent, and an unchanged form changes nothing', async () => {
      const facilitator = await staff('facilitator', COURSE);
      const start = workdayStart(16);
      const id = await scheduleThroughForm(facilitator, {
        ...formFor(start, { capacity: '25' }),
        'agenda-0-time': '09:00',
        'agenda-0-topic': 'Bienvenida',
        'agenda-0-responsible': 'Coordinación',
      });
      const form = await facilitator.agent.get(`/live-sessions/${id}/edit`).expect(200);
      expect(form.text).to.include('<h1>Editar «Seminario regional de gestión social»</h1>');
      expect(form.text).to.include(`value="${bogotaFields(start).date}"`);
      expect(form.text).to.include('name="startTime" value="09:00"');
      expect(form.text).to.include('name="endTime" value="12:00"');
      expect(form.text).to.include('value="virtual" checked');
      expect(form.text).to.include('name="capacity" value="25"');
      expect(form.text).to.include('name="agenda-0-topic" value="Bienvenida"');
      expect(form.text.match(/name="agenda-\d+-topic"/g)).to.have.length(6);

      const unchanged = await follow(facilitator, await facilitator.post(`/live-sessions/${id}/edit`, {
        ...formFor(start, { capacity: '25' }),
        'agenda-0-time': '09:00',
        'agenda-0-topic': 'Bienvenida',
        'agenda-0-responsible': 'Coordinación',
      }));
      expect(flashesOf(unchanged.text)).to.deep.equal(['info: No cambiaste nada de la sesión.']);
      expect((await ctx.services.liveSessions.getSession(facilitator.actor, id)).sequence).to.equal(0);

      const edited = await follow(facilitator, await facilitator.post(`/live-sessions/${id}/edit`, {
        ...formFor(start, { title: 'Seminario reprogramado', capacity: '' }),
        'agenda-0-time': '09:00',
        'agenda-0-topic': 'Bienvenida',
        'agenda-0-responsible': 'Coordinación',
        'agenda-1-time': '11:00',
        'agenda-1-topic': 'Conclusiones',
        'agenda-1-responsible': 'Relatoría',
      }));
      expect(flashesOf(edited.text)).to.deep.equal(['success: Guardaste los cambios de «Seminario reprogramado».']);
      const stored = await ctx.services.liveSessions.getSession(facilitator.actor, id);
      expect(stored).to.include({ title: 'Seminario reprogramado', capacity: null, sequence: 1, startsAt: start.toISOString() });
      expect(stored.agenda.map((item) => item.topic)).to.deep.equal(['Bienvenida', 'Conclusiones']);

      const invalid = await facilitator.post(`/live-sessions/${id}/edit`, formFor(start, { title: '', endTime: '07:00' }));
      expect(invalid.status).to.equal(400);
      expect(summaryOf(invalid.text)).to.deep.equal(['Título: Este campo es obligatorio.']);
    });

    it('a facilitator of another course cannot open the edit or cancel pages, nor post them (403)', async () => {
      const facilitator = await staff('facilitator', COURSE);
      const id = await scheduleThroughForm(facilitator, formFor(workdayStart(17)));
      const outsider = await staff('facilitator', OTHER_COURSE);
      await outsider.agent.get(`/live-sessions/${id}/edit`).expect(403);
      await outsider.agent.get(`/live-sessions/${id}/cancel`).expect(403);
      expect((await outsider.post(`/live-sessions/${id}/edit`, formFor(workdayStart(17), { title: 'Intruso' }))).status).to.equal(403);
      expect((await outsider.post(`/live-sessions/${id}/cancel`)).status).to.equal(403);
      expect(await ctx.services.liveSessions.getSession(facilitator.actor, id)).to.include({ title: 'Seminario regional de gestión social', status: 'scheduled' });
    });

    it('cancels after a confirmation page; the session then shows it clearly and takes no answers', async () => {
      const facilitator = await staff('facilitator', COURSE);
      const id = await scheduleThroughForm(facilitator, formFor(workdayStart(18)));
      const someone = await learner(COURSE);
      const confirm = await facilitator.agent.get(`/live-sessions/${id}/cancel`).expect(200);
      expect(confirm.text).to.include('<h1>¿Cancelar «Seminario regional de gestión social»?</h1>');
      expect(confirm.text).to.include(`<form method="post" action="/live-sessions/${id}/cancel" class="actions">`);
      expect(confirm.text).to.include('<button type="submit" class="danger">Sí, cancelar la sesión</button>');
      const cancelled = await follow(facilitator, await facilitator.post(`/live-sessions/${id}/cancel`));
      expect(flashesOf(cancelled.text)).to.deep.equal(['success: Cancelaste la sesión «Seminario regional de gestión social».']);
      expect(cancelled.text).to.include('<span class="status status-cancelled">Cancelada</span>');
      expect(cancelled.text).not.to.include('Editar la sesión');
      expect((await ctx.services.liveSessions.getSession(facilitator.actor, id)).status).to.equal('cancelled');

      const seen = await someone.agent.get(`/live-sessions/${id}`).expect(200);
      expect(seen.text).to.include('Esta sesión fue cancelada: no se realizará.');
      expect(seen.text).not.to.include('name="response"');
      const refused = await follow(someone, await someone.post(`/live-sessions/${id}/rsvp`, { response: 'yes' }));
      expect(flashesOf(refused.text)).to.deep.equal(['error: Esta sesión fue cancelada.']);
      const edit = await follow(facilitator, await facilitator.agent.get(`/live-sessions/${id}/edit`));
      expect(flashesOf(edit.text)).to.deep.equal(['info: Esta sesión fue cancelada: ya no se puede editar.']);
    });
  });

  describe('the attendance roster', () => {
    it('is read-only with an explanation before attendance opens, then saves the boxes ticked; completion follows', async () => {
      const facilitator = await staff('facilitator', WITH_SESSIONS);
      // Close in time: the suite's clock moves forward below. The form takes one date, so
      // an hour that would end past midnight in Bogotá starts at midnight instead.
      let start = new Date(Math.ceil((clock.now().getTime() + 3 * HOUR) / HOUR) * HOUR);
      if (bogotaFields(start).date !== bogotaFields(new Date(start.getTime() + HOUR)).date) start = new Date(start.getTime() + HOUR);
      const id = await scheduleThroughForm(facilitator, formFor(start, { title: 'Sesión de cierre' }, 1), WITH_SESSIONS);
      const ana = await learner(WITH_SESSIONS, { givenName: 'Ana', familyName: 'Angulo' });
      const beto = await learner(WITH_SESSIONS, { givenName: 'Beto', familyName: 'Bravo' });
      await ana.post(`/live-sessions/${id}/rsvp`, { response: 'yes' });
      await ana.post(`/courses/${WITH_SESSIONS}/lessons/inicio/complete`);

      const early = await facilitator.agent.get(`/live-sessions/${id}/attendance`).expect(200);
      expect(early.text).to.include('<h1>Asistencia: Sesión de cierre</h1>');
      expect(early.text).to.include('La asistencia se puede registrar desde una hora antes del inicio');
      expect(early.text).to.match(/<th scope="row">Ana Angulo<\/th>\s*<td>[^<]+<\/td>\s*<td>Asistirá<\/td>\s*<td>Ausente<\/td>/);
      expect(early.text).to.match(/<th scope="row">Beto Bravo<\/th>\s*<td>[^<]+<\/td>\s*<td>Sin respuesta<\/td>/);
      expect(early.text).not.to.include('type="checkbox"');
      const tooEarly = await follow(facilitator, await facilitator.post(`/live-sessions/${id}/attendance`, { present: ana.id }));
      expect(flashesOf(tooEarly.text)).to.deep.equal(['error: Todavía no: la asistencia se puede registrar desde una hora antes del inicio.']);

      clock.advance(start.getTime() - clock.now().getTime() - HOUR + 60_000);
      const open = await facilitator.agent.get(`/live-sessions/${id}/attendance`).expect(200);
      expect(open.text).to.include(`<input type="checkbox" id="present-${ana.id}" name="present" value="${ana.id}">`);
      expect(open.text).to.include(`<label for="present-${ana.id}">Presente<span class="visually-hidden">: Ana Angulo</span></label>`);
      expect(open.text).to.include('src="/js/attendance.js"');
      expect(open.text).to.include('role="status" data-saved="Guardado"');

      // Without script: the form's one button.
      const saved = await follow(facilitator, await facilitator.post(`/live-sessions/${id}/attendance`, { present: [ana.id, beto.id] }));
      expect(flashesOf(saved.text)).to.deep.equal(['success: Guardaste la asistencia. Presentes: 2; ausentes: 0.']);
      expect(saved.text).to.include(`value="${ana.id}" checked>`);
      expect(saved.text).to.include('Presentes: 2 de 2');

      // With script: each change, as JSON, the CSRF token in a header.
      const token = await facilitator.csrf();
      const json = await facilitator.agent
        .post(`/live-sessions/${id}/attendance`)
        .set('X-CSRF-Token', token)
        .set('Accept', 'application/json')
        .send({ present: [ana.id] })
        .expect(200);
      expect(json.body).to.deep.equal({ present: 1, absent: 1 });
      const roster = await ctx.services.liveSessions.roster(facilitator.actor, id);
      expect(roster.people.map((person) => [person.name, person.isPresent])).to.deep.equal([['Ana Angulo', true], ['Beto Bravo', false]]);

      // Ana did the lesson and attended: the course is complete.
      const mine = await ana.agent.get('/my-courses').expect(200);
      expect(mine.text).to.match(/Curso con sesiones<\/a><\/h2>\s*<p class="card-status"><span class="status status-completed">/);
    });

    it('refuses learners and a facilitator of another course, page and saves alike', async () => {
      const facilitator = await staff('facilitator', WITH_SESSIONS);
      const id = await scheduleThroughForm(facilitator, formFor(workdayStart(20)), WITH_SESSIONS);
      const someone = await learner(WITH_SESSIONS);
      await someone.agent.get(`/live-sessions/${id}/attendance`).expect(403);
      expect((await someone.post(`/live-sessions/${id}/attendance`, { present: someone.id })).status).to.equal(403);
      const outsider = await staff('facilitator', OTHER_COURSE);
      await outsider.agent.get(`/live-sessions/${id}/attendance`).expect(403);
      expect((await outsider.post(`/live-sessions/${id}/attendance`, { present: someone.id })).status).to.equal(403);
      const token = await outsider.csrf();
      await outsider.agent.post(`/live-sessions/${id}/attendance`).set('X-CSRF-Token', token).set('Accept', 'application/json').send({ present: [] }).expect(403);
    });
  });

  describe('in both languages', () => {
    it('shows every page in Spanish and in English, with no text left untranslated', async () => {
      const facilitator = await staff('facilitator', COURSE);
      const id = await scheduleThroughForm(facilitator, { ...formFor(workdayStart(24)), 'agenda-0-time': '09:00', 'agenda-0-topic': 'Apertura', 'agenda-0-responsible': 'Coordinación' });
      const paths = [`/courses/${COURSE}/live-sessions/new`, `/live-sessions/${id}`, `/live-sessions/${id}/edit`, `/live-sessions/${id}/cancel`, `/live-sessions/${id}/attendance`, `/live-sessions/${id}/agenda`];
      for (const language of ['es', 'en']) {
        for (const path of paths) {
          const page = await facilitator.agent.get(`${path}?lang=${language}`).expect(200);
          expect(page.text, `${language} ${path}`).to.include(`<html lang="${language}"`);
          expect(page.text, `${language} ${path}`).not.to.match(/(live-sessions|courses|enrollments|accounts):[a-zA-Z]/);
        }
      }
      const english = await facilitator.agent.get(`/live-sessions/${id}?lang=en`).expect(200);
      expect(english.text).to.include('(Colombia time)');
      expect(english.text).to.include('<th scope="col">Responsible</th>');
      expect(english.text).to.include('Take attendance');
    });
  });

  describe('the course page and "My courses"', () => {
    it('list the upcoming sessions a person is invited to, with their answer; the team gets a link to schedule one', async () => {
      const facilitator = await staff('facilitator', OTHER_COURSE);
      const start = workdayStart(22);
      const id = await scheduleThroughForm(facilitator, formFor(start, { title: 'Conversatorio sobre participación' }), OTHER_COURSE);
      const someone = await learner(OTHER_COURSE);
      await someone.post(`/live-sessions/${id}/rsvp`, { response: 'yes' });

      const course = await someone.agent.get(`/courses/${OTHER_COURSE}`).expect(200);
      expect(course.text).to.include('<h2 id="live-heading">Próximas sesiones en vivo</h2>');
      expect(course.text).to.include(`<a href="/live-sessions/${id}">Conversatorio sobre participación</a>`);
      expect(course.text).to.include('· Asistirás');
      expect(course.text).not.to.include('Programar una sesión en vivo');

      const team = await facilitator.agent.get(`/courses/${OTHER_COURSE}`).expect(200);
      expect(team.text).to.include(`<a class="button" href="/courses/${OTHER_COURSE}/live-sessions/new">Programar una sesión en vivo</a>`);
      expect(team.text).to.include(`<a href="/live-sessions/${id}">Conversatorio sobre participación</a>`);

      // A visitor sees no section at all; someone not enrolled, none of the sessions.
      const visitor = await request(ctx.app).get(`/courses/${OTHER_COURSE}`).expect(200);
      expect(visitor.text).not.to.include('live-heading');
      const stranger = await learner(COURSE);
      expect((await stranger.agent.get(`/courses/${OTHER_COURSE}`).expect(200)).text).not.to.include('Conversatorio sobre participación');

      const mine = await someone.agent.get('/my-courses').expect(200);
      expect(mine.text).to.include('<h2 id="live-sessions-heading">Próximas sesiones en vivo</h2>');
      expect(mine.text).to.match(new RegExp(`<th scope="row"><a href="/live-sessions/${id}">Conversatorio sobre participación</a></th>\\s*<td><a href="/courses/${OTHER_COURSE}">Otro curso</a></td>\\s*<td>[^<]+</td>\\s*<td>Asistirás</td>`));
      // The facilitator's own "My courses" lists the sessions of the course they facilitate.
      expect((await facilitator.agent.get('/my-courses').expect(200)).text).to.include(`<a href="/live-sessions/${id}">Conversatorio sobre participación</a>`);
      expect((await stranger.agent.get('/my-courses').expect(200)).text).not.to.include('Conversatorio sobre participación');
    });
  });
});
