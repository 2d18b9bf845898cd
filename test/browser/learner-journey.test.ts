import { expect } from 'chai';
import { expectSoundPage, useBrowserApp } from '../helpers/browser.js';

/**
 * A person uses Capacita in a real browser, as they would: registers (choosing the
 * department, then the municipality the page's script loads), signs out, signs in,
 * corrects their profile, signs out. Every page visited is checked with axe-core and
 * must show no serious or critical violation, no script error and no CSP violation.
 */
describe('in the browser: a person registers, signs in and out, and edits their profile', function () {
  this.timeout(120_000);
  const harness = useBrowserApp();
  const email = `navegador.${Date.now().toString(36)}@example.org`;
  const password = 'clave-navegador-2026';


  it('goes from registration to a signed-out session, with every page accessible', async () => {
    const { baseUrl, newPage } = harness();
    const page = await newPage();

    // The home page; the first Tab reaches the skip link.
    await page.goto(`${baseUrl}/`);
    await expectSoundPage(page);
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string>('document.activeElement.textContent')).to.equal('Saltar al contenido');

    await page.getByRole('link', { name: 'Crear cuenta' }).click();
    await page.waitForURL(`${baseUrl}/register`);
    await expectSoundPage(page);
    // With the script running, the no-script button is out of the way.
    expect(await page.locator('#field-departmentCode-button').isHidden()).to.equal(true);

    // Sending the empty form: the error summary, focused, with links to the fields.
    await page.getByRole('button', { name: 'Crear mi cuenta' }).click();
    await page.locator('.error-summary').waitFor();
    expect(await page.evaluate<string>("document.activeElement.className")).to.equal('error-summary');
    await expectSoundPage(page);
    await page.locator('.error-summary a[href="#field-email"]').click();
    expect(await page.evaluate<string>('document.activeElement.id')).to.equal('field-email');

    await page.getByLabel('Correo electrónico').fill(email);
    await page.getByLabel('Contraseña', { exact: true }).fill(password);
    await page.getByLabel('Nombres').fill('Valentina');
    await page.getByLabel('Apellidos').fill('Quiñónez Caicedo');
    await page.getByLabel('Tipo de documento').selectOption('CC');
    await page.getByLabel('Número de documento').fill(`52${Date.now() % 100_000_000}`);
    await page.getByLabel('Fecha de nacimiento').fill('1995-08-21');
    await page.getByLabel('Mujer').check();
    await page.getByLabel('Departamento').selectOption({ label: 'Nariño' });
    // The script fills the municipalities of Nariño from the public API.
    await page.locator('#field-municipalityCode option[value="52835"]').waitFor({ state: 'attached' });
    expect(await page.locator('#municipality-status').textContent()).to.match(/municipios/);
    await page.getByLabel('Municipio').selectOption({ label: 'San Andrés de Tumaco' });
    await page.getByLabel('Tipo de actor').selectOption('youth_network');
    await page.getByLabel('Negro, afrocolombiano o afrodescendiente').check();
    await page.getByLabel('Autorizo el tratamiento de mis datos personales').check();
    await page.getByRole('button', { name: 'Crear mi cuenta' }).click();
    await page.waitForURL(`${baseUrl}/account`);
    expect(await page.locator('.flash').textContent()).to.include('¡Te damos la bienvenida a Capacita!');
    expect(await page.locator('main').textContent()).to.include('San Andrés de Tumaco');
    await expectSoundPage(page);

    await page.getByRole('button', { name: 'Cerrar sesión' }).click();
    await page.waitForURL(`${baseUrl}/`);
    await page.getByText('Cerraste la sesión.').waitFor();

    // Back in, through the sign-in page (first with a wrong password).
    await page.getByRole('link', { name: 'Iniciar sesión' }).click();
    await page.waitForURL(`${baseUrl}/login`);
    await expectSoundPage(page);
    await page.getByLabel('Correo electrónico').fill(email);
    await page.getByLabel('Contraseña').fill('no-es-esta-clave');
    await page.getByRole('button', { name: 'Iniciar sesión' }).click();
    await page.getByText('El correo o la contraseña no son correctos.').first().waitFor();
    await expectSoundPage(page);
    await page.getByLabel('Contraseña').fill(password);
    await page.getByRole('button', { name: 'Iniciar sesión' }).click();
    await page.waitForURL(`${baseUrl}/`);
    await page.getByText('Hola, Valentina Quiñónez Caicedo. Iniciaste sesión.').waitFor();

    // Correct the profile: another department, so another list of municipalities.
    await page.getByRole('link', { name: 'Mi cuenta' }).click();
    await page.waitForURL(`${baseUrl}/account`);
    await page.getByRole('link', { name: 'Editar mis datos' }).click();
    await page.waitForURL(`${baseUrl}/account/edit`);
    await expectSoundPage(page);
    expect(await page.getByLabel('Nombres').inputValue()).to.equal('Valentina');
    await page.getByLabel('Cargo o rol').fill('Coordinadora de la red juvenil');
    await page.getByLabel('Departamento').selectOption({ label: 'Cauca' });
    await page.locator('#field-municipalityCode option[value="19001"]').waitFor({ state: 'attached' });
    await page.getByLabel('Municipio').selectOption({ label: 'Popayán' });
    await page.getByRole('button', { name: 'Guardar los cambios' }).click();
    await page.waitForURL(`${baseUrl}/account`);
    await page.getByText('Tus datos quedaron guardados.').waitFor();
    const account = await page.locator('main').textContent();
    expect(account).to.include('Popayán');
    expect(account).to.include('Coordinadora de la red juvenil');

    // The policy and the deletion page are part of the journey a person may take.
    await page.getByRole('link', { name: 'Política de tratamiento de datos personales' }).click();
    await page.waitForURL(`${baseUrl}/privacy`);
    await expectSoundPage(page);
    await page.goto(`${baseUrl}/account/delete`);
    await expectSoundPage(page);

    await page.getByRole('button', { name: 'Cerrar sesión' }).click();
    await page.waitForURL(`${baseUrl}/`);
    await page.goto(`${baseUrl}/account`);
    await page.waitForURL(`${baseUrl}/login?next=%2Faccount`);
    await expectSoundPage(page);
    await page.close();
  });

  it('offers the pages in English, accessible too', async () => {
    const { baseUrl, newPage } = harness();
    const page = await newPage();
    await page.goto(`${baseUrl}/register`);
    await page.getByRole('link', { name: 'English' }).click();
    await page.waitForURL(`${baseUrl}/register?lang=en`);
    expect(await page.locator('h1').textContent()).to.equal('Create an account');
    await expectSoundPage(page);
    await page.goto(`${baseUrl}/forgot-password`);
    expect(await page.locator('h1').textContent()).to.equal('Reset your password');
    await expectSoundPage(page);
    await page.getByRole('link', { name: 'Español' }).click();
    await page.waitForURL(`${baseUrl}/forgot-password?lang=es`);
    expect(await page.locator('h1').textContent()).to.equal('Restablecer la contraseña');
    await page.close();
  });

  it('fits a phone-sized screen without losing accessibility', async () => {
    const { baseUrl, newPage } = harness();
    const page = await newPage();
    await page.setViewportSize({ width: 360, height: 740 });
    for (const path of ['/', '/register', '/login', '/privacy']) {
      await page.goto(`${baseUrl}${path}`);
      await expectSoundPage(page);
      // Nothing wider than the screen: no sideways scrolling.
      expect(await page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth'), path).to.equal(true);
    }
    await page.close();
  });
});
