import { expect } from 'chai';
import { PNG } from 'pngjs';
import request from 'supertest';
import { createTestApp, useTestApp } from '../../helpers/app.js';
import { accountWithRoles, csrfTokenIn, signInThroughForm, type WebSession } from '../../helpers/web-session.js';

/** A real PNG of the given size, every pixel the programme's green. */
function png(width: number, height: number): Buffer {
  const image = new PNG({ width, height });
  for (let offset = 0; offset < image.data.length; offset += 4) image.data.set([0x0b, 0x5d, 0x4b, 0xff], offset);
  return PNG.sync.write(image);
}

/** The logo form as a browser sends it: the page's token first, then the file. */
async function uploadLogo(session: WebSession, data: Buffer, { filename = 'logo.png', contentType = 'image/png' } = {}): Promise<request.Response> {
  const page = await session.agent.get('/admin/settings').expect(200);
  return session.agent.post('/admin/settings/logo').field('_csrf', csrfTokenIn(page.text)).attach('logo', data, { filename, contentType });
}

describe('institution settings: what certificates print, set by administrators', () => {
  const ctx = useTestApp({ INSTITUTION_NAME: 'Gobernación de Prueba' });
  let admin: WebSession;

  before(async () => {
    admin = await signInThroughForm(ctx().app, await accountWithRoles(ctx().services, ['admin']));
  });

  it('starts from the configured name, Bogotá and no logo', async () => {
    const fresh = await createTestApp({ INSTITUTION_NAME: 'Alcaldía Configurada' });
    try {
      expect(await fresh.services.settings.institution()).to.deep.equal({ name: 'Alcaldía Configurada', city: 'Bogotá D.C.', logo: null });
      await request(fresh.app).get('/settings/logo').expect(404);
    } finally {
      await fresh.close();
    }
  });

  it('saves the name and city from the form, and institution() returns them', async () => {
    const refused = await admin.post('/admin/settings', { name: '  ', city: 'Pasto' });
    expect(refused.status).to.equal(400);
    expect(refused.text).to.include('<a href="#field-name">Nombre de la institución: Este campo es obligatorio.</a>');
    expect(refused.text).to.match(/id="field-city" name="city" value="Pasto"/);

    const saved = await admin.post('/admin/settings', { name: 'Gobernación de Nariño', city: 'San Juan de Pasto' });
    expect(saved.status).to.equal(303);
    expect(saved.headers.location).to.equal('/admin/settings');
    const page = await admin.agent.get('/admin/settings').expect(200);
    expect(page.text).to.include('Guardamos los datos de la institución.');
    expect(page.text).to.match(/id="field-name" name="name" value="Gobernación de Nariño"/);
    const institution = await ctx().services.settings.institution();
    expect(institution).to.include({ name: 'Gobernación de Nariño', city: 'San Juan de Pasto' });
  });

  it('takes a PNG logo, shows it on the page and serves it publicly with caching headers', async () => {
    const logo = png(64, 64);
    const response = await uploadLogo(admin, logo);
    expect(response.status, response.text).to.equal(303);
    const page = await admin.agent.get('/admin/settings').expect(200);
    expect(page.text).to.include('Guardamos el nuevo logo.');
    const src = /<img src="(\/settings\/logo\?v=[0-9a-z]+)" alt="Logo de [^"]+">/.exec(page.text)?.[1];
    expect(src, 'the preview').to.be.a('string');
    expect((await ctx().services.settings.institution()).logo?.equals(logo)).to.equal(true);

    // Public: no session needed, and no cookie set on a cacheable answer.
    const served = await request(ctx().app).get('/settings/logo').buffer(true).expect(200);
    expect(served.headers['content-type']).to.equal('image/png');
    expect(Buffer.compare(served.body as Buffer, logo)).to.equal(0);
    expect(served.headers['cache-control']).to.equal('public, max-age=300');
    expect(served.headers['set-cookie']).to.equal(undefined);
    const etag = String(served.headers.etag);
    expect(etag).to.match(/^"[0-9a-z]+"$/);
    await request(ctx().app).get('/settings/logo').set('If-None-Match', etag).expect(304);
    const versioned = await request(ctx().app).get(src!).expect(200);
    expect(versioned.headers['cache-control']).to.equal('public, max-age=31536000, immutable');
  });

  it('reads the type from the bytes: a JPEG sent as "image/png" is stored and served as JPEG', async () => {
    const sof0 = [0xff, 0xc0, 0x00, 0x11, 0x08, 0x00, 0x40, 0x00, 0x40, 0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01];
    const scan = [0xff, 0xda, 0x00, 0x0c, 0x03, 0x01, 0x00, 0x02, 0x11, 0x03, 0x11, 0x00, 0x3f, 0x00, 0x12, 0x34];
    const jpeg = Buffer.from([0xff, 0xd8, ...sof0, ...scan, 0xff, 0xd9]);
    expect((await uploadLogo(admin, jpeg, { filename: 'logo.png', contentType: 'image/png' })).status).to.equal(303);
    const served = await request(ctx().app).get('/settings/logo').expect(200);
    expect(served.headers['content-type']).to.equal('image/jpeg');
  });

  describe('refusals store nothing', () => {
    let stored: Buffer;
    beforeEach(async () => {
      stored = png(48, 48);
      expect((await uploadLogo(admin, stored)).status).to.equal(303);
    });
    const isStillStored = async (): Promise<void> => {
      expect((await ctx().services.settings.logo())?.data.equals(stored)).to.equal(true);
    };

    it('refuses a file that is not a PNG or JPEG, whatever it claims to be', async () => {
      const response = await uploadLogo(admin, Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), { filename: 'logo.png', contentType: 'image/png' });
      expect(response.status).to.equal(400);
      expect(response.text).to.include('<a href="#field-logo">Reemplazar el logo: El archivo no es una imagen PNG ni JPEG.</a>');
      await isStillStored();
    });

    it('refuses a file over 200 KB', async () => {
      const huge = Buffer.concat([png(64, 64), Buffer.alloc(300 * 1024)]);
      const response = await uploadLogo(admin, huge);
      expect(response.status).to.equal(400);
      expect(response.text).to.include('El archivo pesa más de 200 KB.');
      await isStillStored();
    });

    it('refuses an image of absurd dimensions', async () => {
      const response = await uploadLogo(admin, png(3000, 20));
      expect(response.status).to.equal(400);
      expect(response.text).to.include('La imagen debe medir entre 16 y 1200 píxeles de lado.');
      await isStillStored();
    });

    it('asks for a file when none was chosen', async () => {
      const page = await admin.agent.get('/admin/settings').expect(200);
      const response = await admin.agent.post('/admin/settings/logo').field('_csrf', csrfTokenIn(page.text)).attach('logo', Buffer.alloc(0), { filename: '' });
      expect(response.status).to.equal(400);
      expect(response.text).to.include('Elige un archivo de imagen.');
      await isStillStored();
    });

    it('refuses an upload without the CSRF token, or with the token after the file', async () => {
      const withoutToken = await admin.agent.post('/admin/settings/logo').attach('logo', png(32, 32), { filename: 'logo.png', contentType: 'image/png' });
      expect(withoutToken.status).to.equal(403);
      expect(withoutToken.text).to.include('El formulario venció o no se envió desde esta página.');
      const page = await admin.agent.get('/admin/settings').expect(200);
      const tokenLast = await admin.agent
        .post('/admin/settings/logo')
        .attach('logo', png(32, 32), { filename: 'logo.png', contentType: 'image/png' })
        .field('_csrf', csrfTokenIn(page.text));
      expect(tokenLast.status).to.equal(403);
      await isStillStored();
    });
  });

  it('removes the logo', async () => {
    expect((await uploadLogo(admin, png(40, 40))).status).to.equal(303);
    const removed = await admin.post('/admin/settings/logo/remove');
    expect(removed.status).to.equal(303);
    const page = await admin.agent.get('/admin/settings').expect(200);
    expect(page.text).to.include('Quitamos el logo');
    expect(page.text).not.to.include('<img src="/settings/logo');
    await request(ctx().app).get('/settings/logo').expect(404);
    expect((await ctx().services.settings.institution()).logo).to.equal(null);
  });

  it('is for administrators only', async () => {
    const manager = await signInThroughForm(ctx().app, await accountWithRoles(ctx().services, ['manager', 'facilitator']));
    await manager.agent.get('/admin/settings').expect(403);
    expect((await manager.post('/admin/settings', { name: 'Intrusa', city: 'Cali' })).status).to.equal(403);
    const token = await manager.csrf();
    await manager.agent.post('/admin/settings/logo').field('_csrf', token).attach('logo', png(32, 32), { filename: 'logo.png', contentType: 'image/png' }).expect(403);
    expect((await ctx().services.settings.institution()).name).not.to.equal('Intrusa');
    const anonymous = await request(ctx().app).get('/admin/settings');
    expect(anonymous.status).to.equal(303);
    expect(anonymous.headers.location).to.match(/^\/login/);
  });

  it('shows administrators the page in the menu', async () => {
    const home = await admin.agent.get('/').expect(200);
    expect(home.text).to.include('<a href="/admin/settings">Institución</a>');
  });
});
