import { expect } from 'chai';
import request from 'supertest';
import { expectSoundPage, signInAndConsent, useBrowserApp } from '../helpers/browser.js';
import { courseFixture, shortCourseFiles } from '../helpers/course-fixture.js';
import { registerAndSignIn } from '../helpers/factories.js';
import { accountWithRoles } from '../helpers/web-session.js';

const COURSE = 'curso-gestionado';
const COURSE_TITLE = 'Gestión del riesgo comunitario';
const fixture = courseFixture(shortCourseFiles(COURSE, { title: COURSE_TITLE, hours: 20, signatories: [{ name: 'Ana Pérez', role: 'Coordinación académica' }] }));

/**
 * A manager's round through the certificate pages in a real browser: from the menu to
 * the list, a certificate revoked (first refused without a reason, with the error
 * summary), and one issued by hand to someone who took the course in person. Every
 * page is checked with axe-core.
 */
describe('in the browser: a manager looks after certificates', function () {
  this.timeout(120_000);
  const harness = useBrowserApp({ COURSES_DIR: fixture.root });
  after(() => fixture.cleanUp());

  it('finds a certificate, revokes it with a reason, and issues one by hand', async () => {
    const { baseUrl, newPage, testApp } = harness();
    await testApp.services.courses.importCourses();
    const online = await registerAndSignIn(testApp.app, { givenName: 'Yurani', familyName: 'Mosquera Palacios' });
    await request(testApp.app).post(`/api/v1/courses/${COURSE}/enrollments`).set(online.auth).send({}).expect(201);
    await request(testApp.app).post(`/api/v1/courses/${COURSE}/lessons/inicio/complete`).set(online.auth).expect(200);
    const [certificate] = await testApp.services.certificates.myCertificates({ id: online.id });
    const code = certificate!.code;
    const offline = await registerAndSignIn(testApp.app, { givenName: 'Jhon Jairo', familyName: 'Asprilla', documentNumber: '1077456789' });

    const manager = await accountWithRoles(testApp.services, ['manager']);
    const page = await newPage();
    await signInAndConsent(page, baseUrl, manager);
    await page.getByRole('link', { name: 'Certificados' }).click();
    await page.waitForURL(`${baseUrl}/admin/certificates`);
    await expectSoundPage(page);

    await page.getByLabel('Buscar', { exact: true }).fill('yurani mosquera');
    await page.getByLabel('Curso').selectOption(COURSE);
    await page.getByRole('button', { name: 'Buscar' }).click();
    await page.getByRole('link', { name: 'Descargar los certificados de este curso (ZIP)' }).waitFor();
    await expectSoundPage(page);
    await page.getByRole('link', { name: code }).click();
    await page.waitForURL(`${baseUrl}/admin/certificates/${code}`);
    await expectSoundPage(page);

    await page.getByRole('button', { name: 'Revocar el certificado' }).click();
    await page.getByRole('link', { name: 'Motivo: Este campo es obligatorio.' }).waitFor();
    await expectSoundPage(page);
    await page.getByLabel('Motivo').fill('Asistencia no verificada.');
    await page.getByLabel(/Entiendo que el certificado dejará de ser válido/).check();
    await page.getByRole('button', { name: 'Revocar el certificado' }).click();
    await page.getByText(`El certificado ${code} quedó revocado.`).waitFor();
    await expectSoundPage(page);

    await page.goto(`${baseUrl}/admin/certificates/new`);
    await expectSoundPage(page);
    await page.getByLabel('Persona').fill('1.077.456.789');
    await page.getByRole('button', { name: 'Buscar a la persona' }).click();
    await page.getByText('Jhon Jairo Asprilla').waitFor();
    await page.getByLabel('Curso', { exact: true }).selectOption(COURSE);
    await page.getByLabel('Fecha en que completó el curso').fill('2026-03-14');
    await page.getByLabel('Nota').fill('Taller presencial en Quibdó; acta 4.');
    await page.getByRole('button', { name: 'Expedir el certificado' }).click();
    await page.getByText(/Certificado CAP-[0-9A-Z]{4}-[0-9A-Z]{4} expedido/).waitFor();
    await expectSoundPage(page);
    const [issued] = await testApp.services.certificates.myCertificates({ id: offline.id });
    expect(page.url()).to.equal(`${baseUrl}/admin/certificates/${issued!.code}`);

    await page.setViewportSize({ width: 390, height: 844 });
    for (const path of ['/admin/certificates', `/admin/certificates/${issued!.code}`, '/admin/certificates/new']) {
      await page.goto(`${baseUrl}${path}`);
      expect(await page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth'), path).to.equal(true);
    }
  });
});
