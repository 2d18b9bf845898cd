import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { expectSoundPage, useBrowserApp } from '../helpers/browser.js';
import { courseFixture, sampleCourseFiles } from '../helpers/course-fixture.js';
import { registerAndSignIn } from '../helpers/factories.js';

/**
 * A learner in a real browser: finds a course in the catalog, enrolls, reads two
 * lessons marking them done, sees the progress move, signs out and back in, and
 * continues where they left off. The catalog, the course page, the lesson page and
 * "My courses" are checked with axe-core (no serious or critical violation), and no
 * page may have a script error, a CSP violation or a sub-resource that fails.
 */
describe('in the browser: a learner finds a course, enrolls, studies and comes back to it', function () {
  this.timeout(120_000);
  const fixture = courseFixture(sampleCourseFiles());
  const harness = useBrowserApp({ COURSES_DIR: fixture.root });
  before(async () => {
    await harness().testApp.services.courses.importCourses();
  });
  after(() => fixture.cleanUp());


  async function signIn(page: Page, baseUrl: string, credentials: { email: string; password: string }): Promise<void> {
    await page.getByRole('link', { name: 'Iniciar sesión' }).click();
    await page.waitForURL(`${baseUrl}/login`);
    await page.getByLabel('Correo electrónico').fill(credentials.email);
    await page.getByLabel('Contraseña').fill(credentials.password);
    await page.getByRole('button', { name: 'Iniciar sesión' }).click();
    await page.waitForURL(`${baseUrl}/`);
  }

  const progressOf = (page: Page): Promise<string | null> => page.locator('#course-progress').getAttribute('value');

  it('goes from the catalog to the second lesson, and back to it after signing in again', async () => {
    const { baseUrl, newPage, testApp } = harness();
    const learner = await registerAndSignIn(testApp.app, { givenName: 'Yaneth', familyName: 'Mosquera Palacios' });
    const lessons = `${baseUrl}/courses/curso-de-prueba/lessons`;
    const page = await newPage();

    await page.goto(`${baseUrl}/`);
    await signIn(page, baseUrl, learner);

    // The catalog, from the menu.
    await page.getByRole('link', { name: 'Cursos', exact: true }).click();
    await page.waitForURL(`${baseUrl}/courses`);
    await expectSoundPage(page);
    const card = page.locator('.card', { hasText: 'Curso de prueba' });
    expect(await card.textContent()).to.include('12 horas');
    expect(await card.textContent()).to.include('Con certificado');

    // The course page: the modules, the lessons and the enrollment form.
    await page.getByRole('link', { name: 'Curso de prueba' }).click();
    await page.waitForURL(`${baseUrl}/courses/curso-de-prueba`);
    expect(await page.locator('h1').textContent()).to.equal('Curso de prueba');
    await page.getByRole('heading', { name: 'Módulo 1: Primer módulo' }).waitFor();
    await expectSoundPage(page);

    await page.getByRole('button', { name: 'Inscribirme' }).click();
    await page.getByText('Te inscribiste en «Curso de prueba». Empieza cuando quieras.').waitFor();
    expect(await progressOf(page)).to.equal('0');
    expect(await page.locator('.progress-text').textContent()).to.equal('0 % completado');
    await expectSoundPage(page);

    // The first lesson, then marked done: on to the second, with the progress moved.
    await page.getByRole('link', { name: 'Empezar el curso' }).click();
    await page.waitForURL(`${lessons}/bienvenida`);
    expect(await page.locator('h1').textContent()).to.equal('Bienvenida');
    expect(await page.getByRole('img', { name: 'Diagrama de tres pasos' }).isVisible()).to.equal(true);
    await expectSoundPage(page);
    await page.getByRole('button', { name: 'Marcar como terminada' }).click();
    await page.waitForURL(`${lessons}/el-territorio`);
    await page.getByText('Terminaste «Bienvenida». Llevas el 25 % del curso.').waitFor();
    expect(await progressOf(page)).to.equal('25');
    expect(await page.locator('.progress-text').textContent()).to.equal('25 % completado');
    await expectSoundPage(page);

    await page.getByRole('button', { name: 'Marcar como terminada' }).click();
    await page.waitForURL(`${lessons}/cierre`);
    await page.getByText('Terminaste «El territorio». Llevas el 50 % del curso.').waitFor();
    expect(await progressOf(page)).to.equal('50');
    // The lessons done are ticked off in the course outline beside the lesson.
    expect(await page.locator('.lesson-outline .is-done').allTextContents()).to.have.length(2);
    await expectSoundPage(page);

    // Signed out and back in: "continue where I left off" brings them to the third lesson.
    await page.getByRole('button', { name: 'Cerrar sesión' }).click();
    await page.waitForURL(`${baseUrl}/`);
    await page.goto(`${baseUrl}/my-courses`);
    await page.waitForURL(`${baseUrl}/login?next=%2Fmy-courses`);
    await page.goto(`${baseUrl}/`);
    await signIn(page, baseUrl, learner);

    await page.getByRole('link', { name: 'Mis cursos' }).click();
    await page.waitForURL(`${baseUrl}/my-courses`);
    expect(await page.locator('.progress-text').textContent()).to.equal('50 % completado');
    await expectSoundPage(page);
    await page.getByRole('link', { name: 'Continuar donde quedé en «Curso de prueba»' }).click();
    await page.waitForURL(`${lessons}/cierre`);
    expect(await page.locator('h1').textContent()).to.equal('Cierre');

    // The course page says the same, and shows the two lessons done.
    await page.getByRole('navigation', { name: 'Estás aquí' }).getByRole('link', { name: 'Curso de prueba' }).click();
    await page.waitForURL(`${baseUrl}/courses/curso-de-prueba`);
    expect(await page.getByRole('link', { name: 'Continuar donde quedé' }).getAttribute('href')).to.equal('/courses/curso-de-prueba/lessons/cierre');
    expect(await page.locator('.lesson-item.is-done').count()).to.equal(2);
    expect(await progressOf(page)).to.equal('50');
    await expectSoundPage(page);

    // On a phone-sized screen the course and the lesson fit, without sideways scrolling.
    await page.setViewportSize({ width: 360, height: 740 });
    for (const path of ['/courses', '/courses/curso-de-prueba', '/courses/curso-de-prueba/lessons/el-territorio', '/my-courses']) {
      await page.goto(`${baseUrl}${path}`);
      await expectSoundPage(page);
      expect(await page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth'), path).to.equal(true);
    }
    await page.close();
  });
});
