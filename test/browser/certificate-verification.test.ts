import { expect } from 'chai';
import request from 'supertest';
import { expectSoundPage, useBrowserApp } from '../helpers/browser.js';
import { courseFixture, shortCourseFiles } from '../helpers/course-fixture.js';
import { registerAndSignIn } from '../helpers/factories.js';

const COURSE = 'curso-verificable';
const fixture = courseFixture(shortCourseFiles(COURSE, { title: 'Comunicación para la movilización social', hours: 16, signatories: [{ name: 'Ana Pérez', role: 'Coordinación académica' }] }));

/**
 * What the QR code on a certificate opens, in a real browser: someone types the code as
 * it reads on paper (lower case, spaces), lands on the certificate's page, and on a
 * phone's width nothing runs off the screen. Every page is checked with axe-core.
 */
describe('in the browser: verifying a certificate', function () {
  this.timeout(120_000);
  const harness = useBrowserApp({ COURSES_DIR: fixture.root });
  after(() => fixture.cleanUp());

  it('types a code, lands on the valid certificate, and reads well at 390 px', async () => {
    const { baseUrl, newPage, testApp } = harness();
    await testApp.services.courses.importCourses();
    const person = await registerAndSignIn(testApp.app, { givenName: 'María Fernanda', familyName: 'Quiñones Mosquera' });
    await request(testApp.app).post(`/api/v1/courses/${COURSE}/enrollments`).set(person.auth).send({}).expect(201);
    await request(testApp.app).post(`/api/v1/courses/${COURSE}/lessons/inicio/complete`).set(person.auth).expect(200);
    const [certificate] = await testApp.services.certificates.myCertificates({ id: person.id });
    const code = certificate!.code;

    const page = await newPage();
    await page.goto(`${baseUrl}/`);
    await page.getByRole('link', { name: 'Verificar un certificado' }).click();
    await page.waitForURL(`${baseUrl}/verify`);
    await expectSoundPage(page);

    await page.getByLabel('Código de verificación').fill(code.toLowerCase().replaceAll('-', ' '));
    await page.getByRole('button', { name: 'Verificar' }).click();
    await page.waitForURL(`${baseUrl}/verify/${code}`);
    await page.getByText('Certificado válido').waitFor();
    expect(await page.locator('.verify-details').textContent()).to.include('María Fernanda Quiñones Mosquera');
    await expectSoundPage(page);

    await page.setViewportSize({ width: 390, height: 844 });
    for (const path of [`/verify/${code}`, '/verify', '/verify/CAP-0000-0000', '/verify?code=abc']) {
      await page.goto(`${baseUrl}${path}`);
      expect(await page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth'), path).to.equal(true);
      await expectSoundPage(page);
    }
  });
});
