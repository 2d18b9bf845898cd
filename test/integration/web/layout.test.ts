import { expect } from 'chai';
import request from 'supertest';
import { useTestApp } from '../../helpers/app.js';
import { registerAndSignIn } from '../../helpers/factories.js';
import { accountWithRoles, cookiesOf, signInThroughForm, webSession, type WebSession } from '../../helpers/web-session.js';

/** The labels of the main menu (links and the sign-out button). */
function menuOf(html: string): string[] {
  const nav = /<nav class="main-nav"[\s\S]*?<\/nav>/.exec(html)![0];
  return [...nav.matchAll(/<(?:a|button)\b[^>]*>([^<]+)<\/(?:a|button)>/g)].map((match) => match[1]!.trim());
}

describe('the web shell: layout, menu by role, language, weight', () => {
  const ctx = useTestApp();
  const sessions = new Map<string, WebSession>();

  before(async () => {
    sessions.set('learner', await signInThroughForm(ctx().app, await registerAndSignIn(ctx().app)));
    sessions.set('manager', await signInThroughForm(ctx().app, await accountWithRoles(ctx().services, ['manager'])));
    sessions.set('admin', await signInThroughForm(ctx().app, await accountWithRoles(ctx().services, ['admin'])));
  });

  it('shows each person the menu of the pages their roles open', async () => {
    expect(menuOf((await request(ctx().app).get('/')).text)).to.deep.equal(['Inicio', 'Cursos', 'Iniciar sesión', 'Crear cuenta']);
    expect(menuOf((await sessions.get('learner')!.agent.get('/')).text)).to.deep.equal(['Inicio', 'Cursos', 'Mis cursos', 'Mi cuenta', 'Cerrar sesión']);
    expect(menuOf((await sessions.get('manager')!.agent.get('/')).text)).to.deep.equal(['Inicio', 'Cursos', 'Mis cursos', 'Mi cuenta', 'Importar participantes', 'Certificados', 'Estadísticas', 'Cerrar sesión']);
    expect(menuOf((await sessions.get('admin')!.agent.get('/')).text)).to.deep.equal([
      'Inicio', 'Cursos', 'Mis cursos', 'Mi cuenta', 'Usuarios', 'Importar participantes', 'Certificados', 'Estadísticas', 'Correo saliente', 'Institución', 'Cerrar sesión',
    ]);
  });

  it('marks the current page in the menu', async () => {
    const page = await sessions.get('admin')!.agent.get('/admin/users/new');
    expect(page.text).to.include('<a href="/admin/users" aria-current="page">Usuarios</a>');
    expect(page.text).to.include('<a href="/account">Mi cuenta</a>');
  });

  it('speaks English on request and remembers it, on the same page', async () => {
    const session = webSession(ctx().app);
    const english = await session.agent.get('/login?lang=en&next=%2Faccount').expect(200);
    expect(english.text).to.include('<html lang="en"');
    expect(english.text).to.include('<h1>Sign in</h1>');
    expect(cookiesOf(english).some((cookie) => /^lang=en;.*HttpOnly.*SameSite=Lax/i.test(cookie))).to.equal(true);
    // The language links keep the page and its query.
    expect(english.text).to.include('href="/login?lang=es&amp;next=%2Faccount"');
    const next = await session.agent.get('/register').expect(200);
    expect(next.text).to.include('Create an account');
    expect(next.text).to.include('Prefer not to say');
  });

  it('every page: one h1, a skip link to main, a language, and no inline script or style', async () => {
    const admin = sessions.get('admin')!;
    const learner = sessions.get('learner')!;
    const pages = [
      await request(ctx().app).get('/'),
      await request(ctx().app).get('/login'),
      await request(ctx().app).get('/register'),
      await request(ctx().app).get('/forgot-password'),
      await request(ctx().app).get('/privacy'),
      await request(ctx().app).get('/reset-password?token=abcdefghijklmnop'),
      await request(ctx().app).get('/no-such-page'),
      await learner.agent.get('/account'),
      await learner.agent.get('/account/edit'),
      await learner.agent.get('/account/delete'),
      await admin.agent.get('/admin/users'),
      await admin.agent.get('/admin/users/new'),
      await admin.agent.get('/admin/users/import'),
      await admin.agent.get('/admin/outbox'),
    ];
    for (const page of pages) {
      const where = page.request.url;
      expect(page.text.match(/<h1[ >]/g), where).to.have.length(1);
      expect(page.text, where).to.include('<a class="skip-link" href="#main">');
      expect(page.text, where).to.include('<main id="main"');
      expect(page.text, where).to.match(/<html lang="(es|en)"/);
      expect(page.text, where).not.to.match(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(page.text, where).not.to.match(/\sstyle=/);
      expect(page.text, where).not.to.match(/\son[a-z]+=/);
    }
  });

  it('keeps the heaviest page under 100 KB on first load, with its CSS and scripts', async () => {
    const page = await request(ctx().app).get('/register').expect(200);
    const assets = [...page.text.matchAll(/(?:href|src)="(\/(?:css|js|images)\/[^"]+)"/g)].map((match) => match[1]!);
    expect(assets).to.include.members(['/css/app.css', '/js/territories.js', '/images/logo.svg']);
    let total = Buffer.byteLength(page.text);
    for (const asset of new Set(assets)) total += Number((await request(ctx().app).get(asset).expect(200)).headers['content-length']);
    expect(total).to.be.lessThan(100 * 1024);
  });

  it('shows dates in Bogotá time', async () => {
    const admin = sessions.get('admin')!;
    const person = await registerAndSignIn(ctx().app, { givenName: 'Hortensia' });
    // 03:30 UTC on 1 March is still 28 February (22:30) in Bogotá.
    await ctx().database.connection.collection('users').updateOne(
      { email: person.email },
      { $set: { createdAt: new Date('2026-03-01T03:30:00Z') } },
    );
    const page = await admin.agent.get(`/admin/users/${person.id}`);
    expect(page.text).to.include('Registrada el 28 feb 2026, 22:30');
  });
});
