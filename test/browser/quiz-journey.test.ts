import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { expectSoundPage, useBrowserApp } from '../helpers/browser.js';
import { courseFixture, sampleCourseFiles } from '../helpers/course-fixture.js';
import { registerAndSignIn } from '../helpers/factories.js';

/**
 * The acceptance of the quiz engine: "A browser test takes a quiz, fails it, retakes it,
 * passes it, and the module shows as complete". The sample course's quiz has one
 * question of each type, in file order, so the test knows the right answers. The quiz
 * intro, the attempt and the result pages are checked with axe-core (no serious or
 * critical violation), and no page may have a script error or a CSP violation.
 */
describe('in the browser: a learner fails a quiz, retakes it, passes it, and the module is complete', function () {
  this.timeout(120_000);
  const fixture = courseFixture(sampleCourseFiles());
  const harness = useBrowserApp({ COURSES_DIR: fixture.root });
  before(async () => {
    await harness().testApp.services.courses.importCourses();
  });
  after(() => fixture.cleanUp());


  /** Answers every question, right or wrong, as a person does: by the labels. */
  async function answer(page: Page, right: boolean): Promise<void> {
    const question = (number: number) => page.getByRole('group', { name: new RegExp(`^Pregunta ${number}\\.`) });
    await question(1).getByLabel(right ? 'El DANE' : 'El ICBF').check();
    await question(2).getByLabel(right ? 'El cabildo abierto' : 'El decreto').check();
    if (right) await question(2).getByLabel('La consulta popular').check();
    await question(3).getByLabel(right ? 'Verdadero' : 'Falso').check();
    await question(4).getByLabel('Tu respuesta').fill(right ? 'dane' : 'ICBF');
    await question(5).getByLabel('Tu respuesta').fill(right ? '32' : '30');
    await question(6).getByLabel('05').selectOption({ label: right ? 'Antioquia' : 'Valle del Cauca' });
    await question(6).getByLabel('11').selectOption({ label: 'Bogotá D.C.' });
    await question(6).getByLabel('76').selectOption({ label: right ? 'Valle del Cauca' : 'Antioquia' });
  }

  it('fails the module quiz, retakes it, passes it, and sees the module complete', async () => {
    const { baseUrl, newPage, testApp } = harness();
    const learner = await registerAndSignIn(testApp.app, { givenName: 'Luz Dary', familyName: 'Caicedo Riascos' });
    const course = `${baseUrl}/courses/curso-de-prueba`;
    const quiz = `${course}/quizzes/primer-modulo`;
    const page = await newPage();

    await page.goto(`${baseUrl}/login`);
    await page.getByLabel('Correo electrónico').fill(learner.email);
    await page.getByLabel('Contraseña').fill(learner.password);
    await page.getByRole('button', { name: 'Iniciar sesión' }).click();
    await page.waitForURL(`${baseUrl}/`);

    // Enrolled, the module's two lessons read and marked done; the last one leads to the quiz.
    await page.goto(course);
    await page.getByRole('button', { name: 'Inscribirme' }).click();
    await page.getByRole('link', { name: 'Empezar el curso' }).click();
    await page.getByRole('button', { name: 'Marcar como terminada' }).click();
    await page.waitForURL(`${course}/lessons/el-territorio`);
    await page.getByRole('button', { name: 'Marcar como terminada' }).click();
    await page.waitForURL(`${course}/lessons/cierre`);
    await page.goto(`${course}/lessons/el-territorio`);
    await page.getByRole('link', { name: 'Presentar la evaluación del módulo: Evaluación del primer módulo' }).click();
    await page.waitForURL(quiz);

    // The intro.
    expect(await page.locator('h1').textContent()).to.equal('Evaluación del primer módulo');
    expect(await page.locator('.quiz-facts').textContent()).to.include('Intentos: 0 de 3');
    await expectSoundPage(page);

    // First attempt: every answer wrong, then saved, then submitted.
    await page.getByRole('button', { name: 'Comenzar' }).click();
    await page.waitForURL(/\/attempts\/[0-9a-f]{24}$/);
    expect(await page.locator('fieldset.question').count()).to.equal(6);
    await expectSoundPage(page);
    await answer(page, false);
    await page.getByRole('button', { name: 'Guardar' }).click();
    await page.getByText('Guardamos tus respuestas. Puedes seguir respondiendo.').waitFor();
    expect(await page.getByLabel('El ICBF').isChecked()).to.equal(true);
    await page.getByRole('button', { name: 'Enviar' }).click();
    await page.getByText('No aprobaste: necesitas 70 %').waitFor();
    expect(await page.locator('#result-heading').textContent()).to.equal('Tu calificación: 5,6 %');
    expect(await page.getByText('Revisión de tus respuestas').isVisible()).to.equal(true);
    await expectSoundPage(page);

    // The course page: the quiz is not passed, the module not complete.
    await page.getByRole('link', { name: 'Volver al curso' }).click();
    await page.waitForURL(course);
    expect(await page.locator('.module-complete').count()).to.equal(0);

    // The retake, from the intro, by keyboard where a person would: all right this time.
    await page.getByRole('link', { name: 'Evaluación: Evaluación del primer módulo' }).click();
    await page.waitForURL(quiz);
    expect(await page.locator('.best-score').textContent()).to.include('Tu mejor calificación: 5,6 %');
    await page.getByRole('button', { name: 'Intentar de nuevo' }).click();
    await page.waitForURL(/\/attempts\/[0-9a-f]{24}$/);
    await answer(page, true);
    await page.getByRole('group', { name: /^Pregunta 1\./ }).getByLabel('El DANE').focus();
    await page.keyboard.press('ArrowDown'); // radios move with the arrows…
    expect(await page.getByLabel('El ICBF').isChecked()).to.equal(true);
    await page.keyboard.press('ArrowUp'); // …and back
    expect(await page.getByLabel('El DANE').isChecked()).to.equal(true);
    await page.getByRole('button', { name: 'Enviar' }).click();
    await page.getByText('Aprobaste', { exact: true }).waitFor();
    expect(await page.locator('#result-heading').textContent()).to.equal('Tu calificación: 100 %');
    expect(await page.getByText('6 de 6 preguntas correctas').isVisible()).to.equal(true);
    await expectSoundPage(page);

    // The module shows as complete on the course page.
    await page.getByRole('link', { name: 'Volver al curso' }).click();
    await page.waitForURL(course);
    expect(await page.getByRole('heading', { name: /Módulo 1: Primer módulo/ }).textContent()).to.include('Módulo completado');
    expect(await page.locator('.quiz-item').textContent()).to.include('Aprobada');
    await expectSoundPage(page);
    await page.close();
  });
});
