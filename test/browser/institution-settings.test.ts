import { expect } from 'chai';
import { PNG } from 'pngjs';
import { expectSoundPage, signInAndConsent, useBrowserApp } from '../helpers/browser.js';
import { accountWithRoles } from '../helpers/web-session.js';

/**
 * An administrator sets what certificates print, in a real browser: the only multipart
 * form of the site, so this is where a browser's own ordering of the token and the file
 * is checked (src/web/multipart.ts wants the token first). Every page is checked with axe.
 */
describe('in the browser: an administrator sets the institution\'s details', function () {
  this.timeout(120_000);
  const harness = useBrowserApp();

  it('saves the name and city, uploads a logo and sees it, then removes it', async () => {
    const { baseUrl, newPage, testApp } = harness();
    const admin = await accountWithRoles(testApp.services, ['admin']);
    const page = await newPage();
    await signInAndConsent(page, baseUrl, admin, '/admin/settings');
    await page.waitForURL(`${baseUrl}/admin/settings`);
    await expectSoundPage(page);

    await page.getByLabel('Nombre de la institución').fill('Gobernación del Chocó');
    await page.getByLabel('Ciudad de expedición').fill('Quibdó');
    await page.getByRole('button', { name: 'Guardar' }).click();
    await page.getByText('Guardamos los datos de la institución.').waitFor();
    expect(await testApp.services.settings.institution()).to.include({ name: 'Gobernación del Chocó', city: 'Quibdó' });

    const logo = new PNG({ width: 120, height: 60 });
    for (let offset = 0; offset < logo.data.length; offset += 4) logo.data.set([0x0b, 0x5d, 0x4b, 0xff], offset);
    await page.getByLabel('Archivo del logo').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: PNG.sync.write(logo) });
    await page.getByRole('button', { name: 'Cargar logo' }).click();
    await page.getByText('Guardamos el nuevo logo.').waitFor();
    await page.getByRole('img', { name: 'Logo de Gobernación del Chocó' }).waitFor();
    // Loaded from /settings/logo: the picture is really there, not just its alt text.
    await page.waitForFunction("document.querySelector('.logo-preview img').naturalWidth === 120");
    await expectSoundPage(page);

    // A file that is no image: refused with the reason, next to the field.
    await page.getByLabel('Reemplazar el logo').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: Buffer.from('no soy una imagen') });
    await page.getByRole('button', { name: 'Cargar logo' }).click();
    await page.getByRole('link', { name: 'Reemplazar el logo: El archivo no es una imagen PNG ni JPEG.' }).waitFor();
    await expectSoundPage(page);

    await page.getByRole('button', { name: 'Quitar el logo' }).click();
    await page.getByText('Quitamos el logo').waitFor();
    expect(await page.getByRole('img', { name: /^Logo de/ }).count()).to.equal(0);
    await expectSoundPage(page);
  });
});
