import { expect } from 'chai';
import { registerAndSignIn } from '../helpers/factories.js';
import { expectSoundPage, useBrowserApp } from '../helpers/browser.js';
import { accountWithRoles } from '../helpers/web-session.js';

/**
 * An administrator in a real browser: signs in (accepting the data policy the first
 * time), finds a person, gives them a role, imports a small CSV file through the file
 * picker, and looks at the outgoing mail. Every page is checked with axe-core.
 */
describe('in the browser: an administrator manages people', function () {
  this.timeout(120_000);
  const harness = useBrowserApp();


  it('signs in, finds a person, changes a role and imports learners from a CSV file', async () => {
    const { baseUrl, newPage, testApp } = harness();
    const admin = await accountWithRoles(testApp.services, ['admin']);
    await registerAndSignIn(testApp.app, { givenName: 'Wilmer', familyName: 'Angulo Cuero' });
    const page = await newPage();

    // A protected page first: sign in, accept the policy, land where we were going.
    await page.goto(`${baseUrl}/admin/users`);
    await page.waitForURL(`${baseUrl}/login?next=%2Fadmin%2Fusers`);
    await page.getByLabel('Correo electrónico').fill(admin.email);
    await page.getByLabel('Contraseña').fill(admin.password);
    await page.getByRole('button', { name: 'Iniciar sesión' }).click();
    await page.waitForURL(/\/consent\?next=/);
    await expectSoundPage(page);
    await page.getByLabel('Autorizo el tratamiento de mis datos personales').check();
    await page.getByRole('button', { name: 'Continuar' }).click();
    await page.waitForURL(`${baseUrl}/admin/users`);
    await expectSoundPage(page);

    // Search.
    await page.getByLabel('Buscar', { exact: true }).fill('Wilmer');
    await page.getByRole('button', { name: 'Buscar' }).click();
    await page.waitForURL(`${baseUrl}/admin/users?q=Wilmer&role=`);
    const rows = page.locator('table.data-table tbody tr');
    expect(await rows.count()).to.equal(1);
    await expectSoundPage(page);

    // A role.
    await page.getByRole('link', { name: 'Wilmer Angulo Cuero' }).click();
    await page.waitForURL(/\/admin\/users\/[0-9a-f]{24}$/);
    await expectSoundPage(page);
    await page.getByLabel('Facilitador/a').check();
    await page.getByRole('button', { name: 'Guardar los roles' }).click();
    await page.getByText('Los roles quedaron guardados.').waitFor();
    expect(await page.getByLabel('Facilitador/a').isChecked()).to.equal(true);
    expect(await page.getByLabel('Participante').isChecked()).to.equal(true);

    // An import, through the file picker (the script copies the file into the text box).
    await page.getByRole('link', { name: 'Importar participantes' }).click();
    await page.waitForURL(`${baseUrl}/admin/users/import`);
    await expectSoundPage(page);
    const stamp = Date.now().toString(36);
    const csv = [
      'email,givenName,familyName,documentType,documentNumber,sex,birthDate,departmentCode,municipalityCode,actorType,dataConsent',
      `yuri.${stamp}@example.org,Yuri,Mosquera,CC,81${Date.now() % 10_000_000},female,1992-11-03,27,27001,community_leader,sí`,
      `jhon.${stamp}@example.org,Jhon Jairo,Palacios,TI,82${Date.now() % 10_000_000},male,2009-02-14,27,27001,youth_network,no`,
    ].join('\n');
    await page.getByLabel('Archivo CSV').setInputFiles({ name: 'participantes.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.waitForFunction("document.getElementById('field-csv').value.includes('Mosquera')");
    await page.getByRole('button', { name: 'Importar' }).click();
    await page.getByRole('heading', { name: 'Resultado de la importación' }).waitFor();
    expect(await page.getByRole('status').filter({ hasText: 'Cuentas creadas' }).textContent()).to.include('Cuentas creadas: 2.');
    await expectSoundPage(page);

    // A file with a mistake: nothing is created and the row is named.
    await page.getByLabel('Contenido del CSV').fill(csv.replace('female', 'mujer').replaceAll(stamp, `${stamp}b`).replace(/,81(\d+)/, ',83$1').replace(/,82(\d+)/, ',84$1'));
    await page.getByRole('button', { name: 'Importar' }).click();
    await page.getByText('no se creó ninguna cuenta').waitFor();
    expect(await page.locator('table.data-table tbody tr').first().textContent()).to.match(/2\s+sex\s+Elige una de las opciones\./);
    await expectSoundPage(page);

    // The outgoing mail (the imported people were not mailed; the registration was).
    await page.getByRole('link', { name: 'Correo saliente' }).click();
    await page.waitForURL(`${baseUrl}/admin/outbox`);
    await expectSoundPage(page);

    await page.getByRole('link', { name: 'Usuarios' }).click();
    await page.waitForURL(`${baseUrl}/admin/users`);
    await page.getByRole('link', { name: 'Crear una cuenta' }).click();
    await page.waitForURL(`${baseUrl}/admin/users/new`);
    await expectSoundPage(page);
    await page.close();
  });
});
