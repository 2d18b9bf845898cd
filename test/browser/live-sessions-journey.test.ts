import { readFileSync } from 'node:fs';
import { TZDate } from '@date-fns/tz';
import { expect } from 'chai';
import ical, { type VEvent } from 'node-ical';
import type { Page } from 'playwright-core';
import request from 'supertest';
import { holidaysDuring } from '../../src/live-sessions/index.js';
import { TestClock } from '../helpers/app.js';
import { expectSoundPage, useBrowserApp } from '../helpers/browser.js';
import { courseFixture, liveSessionCourseFiles } from '../helpers/course-fixture.js';
import { registerAndSignIn } from '../helpers/factories.js';
import { accountWithRoles } from '../helpers/web-session.js';

const COURSE = 'seminario-regional';
const HOUR = 3_600_000;

/**
 * A live session from end to end in a real browser: a facilitator schedules it with an
 * agenda through the form; a learner answers "yes" and downloads the calendar file; when
 * attendance opens (the server's clock moved on), the facilitator ticks the learner
 * present, which saves at once; and the learner, whose course asks for one attended
 * session and nothing else left to do, finds it completed. Every new page is checked
 * with axe-core, and none may have a script error, a CSP violation or a failed resource.
 */
describe('in the browser: a facilitator schedules a live session, a learner answers and attends, the course completes', function () {
  this.timeout(180_000);
  const clock = new TestClock();
  const fixture = courseFixture(liveSessionCourseFiles(COURSE, 'Seminario regional de gestión social'));
  const harness = useBrowserApp({ COURSES_DIR: fixture.root }, clock);
  before(async () => {
    await harness().testApp.services.courses.importCourses();
  });
  after(() => fixture.cleanUp());

  async function signIn(page: Page, baseUrl: string, credentials: { email: string; password: string }): Promise<void> {
    await page.goto(`${baseUrl}/login`);
    await page.getByLabel('Correo electrónico').fill(credentials.email);
    await page.getByLabel('Contraseña').fill(credentials.password);
    await page.getByRole('button', { name: 'Iniciar sesión' }).click();
    await page.waitForURL((url) => url.pathname !== '/login');
    // Accounts made by an operator accept the data policy on their first sign-in.
    if (new URL(page.url()).pathname === '/consent') {
      await page.getByLabel('Autorizo el tratamiento de mis datos personales').check();
      await page.getByRole('button', { name: 'Continuar' }).click();
      await page.waitForURL((url) => url.pathname !== '/consent');
    }
  }

  async function signOut(page: Page, baseUrl: string): Promise<void> {
    await page.getByRole('button', { name: 'Cerrar sesión' }).click();
    await page.waitForURL(`${baseUrl}/`);
  }

  /** Tomorrow or later, 10:00 in Bogotá, on a day that is not a holiday (no warning in the way). */
  function sessionStart(): Date {
    for (let days = 1; ; days += 1) {
      const day = new TZDate(clock.now().getTime() + days * 24 * HOUR, 'America/Bogota');
      const start = new Date(new TZDate(day.getFullYear(), day.getMonth(), day.getDate(), 10, 0, 'America/Bogota').getTime());
      if (holidaysDuring(start, new Date(start.getTime() + 2 * HOUR)).length === 0) return start;
    }
  }

  it('schedules through the form, answers, downloads the .ics, takes attendance, and completes the course', async () => {
    const { baseUrl, newPage, testApp } = harness();
    const facilitator = await accountWithRoles(testApp.services, ['facilitator']);
    const facilitatorId = String((await request(testApp.app).post('/api/v1/auth/tokens').send(facilitator).expect(201)).body.user.id);
    await testApp.services.courses.setFacilitators(COURSE, [facilitatorId]);
    const learner = await registerAndSignIn(testApp.app, { givenName: 'Yaneth', familyName: 'Mosquera Palacios' });
    // Enrolled, and the one lesson done: only the live session is missing.
    await request(testApp.app).post(`/api/v1/courses/${COURSE}/enrollments`).set(learner.auth).send({}).expect(201);
    await request(testApp.app).post(`/api/v1/courses/${COURSE}/lessons/inicio/complete`).set(learner.auth).expect(200);

    const start = sessionStart();
    const local = new TZDate(start.getTime(), 'America/Bogota');
    const day = `${local.getFullYear()}-${String(local.getMonth() + 1).padStart(2, '0')}-${String(local.getDate()).padStart(2, '0')}`;
    const page = await newPage();

    // The facilitator, from the course page to the form.
    await signIn(page, baseUrl, facilitator);
    await page.goto(`${baseUrl}/courses/${COURSE}`);
    await page.getByRole('link', { name: 'Programar una sesión en vivo' }).click();
    await page.waitForURL(`${baseUrl}/courses/${COURSE}/live-sessions/new`);
    await expectSoundPage(page);
    await page.getByLabel('Título').fill('Encuentro regional del Pacífico');
    await page.getByLabel('Fecha').fill(day);
    await page.getByLabel('Hora de inicio').fill('10:00');
    await page.getByLabel('Hora de finalización').fill('12:00');
    await page.getByRole('group', { name: 'Modalidad', exact: true }).getByLabel('Virtual').check();
    await page.getByLabel('Enlace de conexión').fill('https://meet.example.org/pacifico');
    await page.getByLabel('Cupo').fill('30');
    await page.getByLabel('Hora del punto 1').fill('10:00');
    await page.getByLabel('Tema del punto 1').fill('Instalación');
    await page.getByLabel('Responsable del punto 1').fill('Gestora social del Chocó');
    await page.getByLabel('Hora del punto 2').fill('10:45');
    await page.getByLabel('Tema del punto 2').fill('La red de gestores sociales');
    await page.getByLabel('Responsable del punto 2').fill('Equipo nacional');
    // The script adds rows in place, and focus moves to the first new one.
    await page.getByRole('button', { name: 'Añadir más filas' }).click();
    expect(await page.locator('#agenda-table tbody tr').count()).to.equal(9);
    expect(await page.evaluate<string | undefined>('document.activeElement?.id')).to.equal('field-agenda-6-time');
    await page.getByLabel('Hora del punto 7').fill('11:30');
    await page.getByLabel('Tema del punto 7').fill('Conclusiones');
    await page.getByLabel('Responsable del punto 7').fill('Relatoría');
    await expectSoundPage(page);
    await page.getByRole('button', { name: 'Programar la sesión' }).click();
    await page.getByText('Programaste la sesión «Encuentro regional del Pacífico».').waitFor();
    const sessionUrl = page.url();
    expect(sessionUrl).to.match(/\/live-sessions\/[0-9a-f]{24}$/);
    expect(await page.locator('.agenda-table tbody tr').allTextContents()).to.have.length(3);
    await expectSoundPage(page);

    // The printable agenda.
    await page.getByRole('link', { name: 'Ver la agenda para imprimir' }).click();
    await page.waitForURL(`${sessionUrl}/agenda`);
    expect(await page.getByRole('button', { name: 'Imprimir' }).isVisible()).to.equal(true);
    expect(await page.locator('.agenda-table tbody th').allTextContents()).to.deep.equal(['10:00', '10:45', '11:30']);
    await expectSoundPage(page);
    await signOut(page, baseUrl);

    // The learner finds it on "My courses", answers and takes the calendar file.
    await signIn(page, baseUrl, learner);
    await page.goto(`${baseUrl}/my-courses`);
    await expectSoundPage(page);
    await page.getByRole('link', { name: 'Encuentro regional del Pacífico' }).click();
    await page.waitForURL(sessionUrl);
    await expectSoundPage(page);
    await page.getByRole('button', { name: 'Sí asistiré' }).click();
    await page.getByText('¡Gracias! Te esperamos.').waitFor();
    expect(await page.locator('.rsvp-current').textContent()).to.equal('Tu respuesta: sí asistirás.');
    await expectSoundPage(page);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Añadir a mi calendario' }).click()]);
    expect(download.suggestedFilename()).to.match(/^sesion-[0-9a-f]{24}\.ics$/);
    const events = Object.values(ical.sync.parseICS(readFileSync((await download.path())!, 'utf8'))).filter((component) => component?.type === 'VEVENT') as VEvent[];
    expect(events).to.have.length(1);
    expect(new Date(events[0]!.start!).toISOString()).to.equal(start.toISOString());
    expect(events[0]!.summary).to.equal('Encuentro regional del Pacífico');
    await signOut(page, baseUrl);

    // Half an hour before the start (the server's clock), attendance is open.
    clock.advance(start.getTime() - 30 * 60_000 - clock.now().getTime());
    await signIn(page, baseUrl, facilitator);
    await page.goto(sessionUrl);
    await page.getByRole('link', { name: 'Tomar asistencia' }).click();
    await page.waitForURL(`${sessionUrl}/attendance`);
    await expectSoundPage(page);
    await page.getByLabel('Presente: Yaneth Mosquera Palacios').check();
    // Saved at once by the page's script, and said in the status region.
    await page.locator('#attendance-status', { hasText: 'Guardado' }).waitFor();
    expect(await page.locator('#attendance-count').textContent()).to.equal('Presentes: 1 de 1');
    const roster = await testApp.services.liveSessions.roster({ id: facilitatorId, email: facilitator.email, roles: ['facilitator'] }, sessionUrl.split('/').at(-1)!);
    expect(roster.people.map((person) => person.isPresent)).to.deep.equal([true]);
    await expectSoundPage(page);
    await page.reload();
    expect(await page.getByLabel('Presente: Yaneth Mosquera Palacios').isChecked()).to.equal(true);
    await signOut(page, baseUrl);

    // The learner's course is complete.
    await signIn(page, baseUrl, learner);
    await page.goto(`${baseUrl}/my-courses`);
    expect(await page.locator('.card .status').textContent()).to.equal('Completado');
    await page.goto(`${baseUrl}/courses/${COURSE}`);
    expect(await page.locator('#course-progress').getAttribute('value')).to.equal('100');
    await expectSoundPage(page);

    // On a phone-sized screen the session and its agenda fit, without sideways scrolling.
    await page.setViewportSize({ width: 360, height: 740 });
    for (const url of [sessionUrl, `${sessionUrl}/agenda`, `${baseUrl}/my-courses`]) {
      await page.goto(url);
      await expectSoundPage(page);
      expect(await page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth'), url).to.equal(true);
    }
    await page.close();
  });
});
