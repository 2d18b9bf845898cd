import { expect } from 'chai';
import request from 'supertest';
import { useTestApp } from '../../helpers/app.js';
import { registerAndSignIn } from '../../helpers/factories.js';
import { signInThroughForm, webSession } from '../../helpers/web-session.js';

describe('pages that need a person, and where sign-in leads', () => {
  const ctx = useTestApp();

  it('sends an anonymous visitor of a protected page to sign in, remembering the page', async () => {
    await request(ctx().app).get('/account/edit?tab=1').expect(303).expect('Location', '/login?next=%2Faccount%2Fedit%3Ftab%3D1');
    await request(ctx().app).get('/admin/users').expect(303).expect('Location', '/login?next=%2Fadmin%2Fusers');
  });

  it('after signing in, goes back to that page', async () => {
    const person = await registerAndSignIn(ctx().app);
    const session = webSession(ctx().app);
    const form = await session.agent.get('/login?next=%2Faccount%2Fedit').expect(200);
    expect(form.text).to.include('name="next" value="/account/edit"');
    const response = await session.post('/login', { email: person.email, password: person.password, next: '/account/edit' });
    expect(response.status).to.equal(303);
    expect(response.headers.location).to.equal('/account/edit');
  });

  for (const next of ['//evil.example', 'https://evil.example/phish', '/\\evil.example', '/\t/evil.example', 'javascript:alert(1)', 'evil.example']) {
    it(`never leaves the site after signing in: next=${JSON.stringify(next)} leads home`, async () => {
      const person = await registerAndSignIn(ctx().app);
      const session = webSession(ctx().app);
      const form = await session.agent.get(`/login?next=${encodeURIComponent(next)}`).expect(200);
      expect(form.text).to.include('name="next" value="/"');
      const response = await session.post('/login', { email: person.email, password: person.password, next });
      expect(response.status).to.equal(303);
      expect(response.headers.location).to.equal('/');
    });
  }

  it('a signed-in person without the permission gets the 403 page, not a sign-in form', async () => {
    const person = await registerAndSignIn(ctx().app);
    const session = await signInThroughForm(ctx().app, person);
    const response = await session.agent.get('/admin/users').expect(403);
    expect(response.text).to.include('Acceso no permitido');
    expect(response.text).to.include('No tienes permiso para ver esta página.');
  });
});
