import { expect } from 'chai';
import request from 'supertest';
import { useTestApp } from '../../helpers/app.js';
import { registerAndSignIn, registrationBody } from '../../helpers/factories.js';
import { signInThroughForm, webSession } from '../../helpers/web-session.js';

describe('CSRF: every form of the web carries a token of its session', () => {
  const ctx = useTestApp();

  const givenNameOf = async (auth: { Authorization: string }): Promise<string> =>
    (await request(ctx().app).get('/api/v1/me').set(auth).expect(200)).body.givenName as string;

  it('prints the token in every form of a page, as _csrf', async () => {
    const person = await registerAndSignIn(ctx().app);
    const session = await signInThroughForm(ctx().app, person);
    const page = await session.agent.get('/account/edit').expect(200);
    const forms = page.text.match(/<form method="post"[\s\S]*?<\/form>/g) ?? [];
    expect(forms.length).to.be.greaterThan(1); // the edit form and the sign-out form
    for (const form of forms) expect(form).to.match(/name="_csrf" value="[0-9a-f]{64}"/);
  });

  for (const [label, token] of [['without a token', undefined], ['with a wrong token', 'f'.repeat(64)]] as const) {
    it(`refuses a form ${label} with 403 and changes nothing`, async () => {
      const person = await registerAndSignIn(ctx().app);
      const session = await signInThroughForm(ctx().app, person);
      const before = await givenNameOf(person.auth);
      const response = await session.agent
        .post('/account/edit')
        .type('form')
        .send({ givenName: 'Cambiado', ...(token ? { _csrf: token } : {}) })
        .expect(403);
      expect(response.text).to.include('El formulario venció o no se envió desde esta página.');
      expect(await givenNameOf(person.auth)).to.equal(before);
      // Still signed in: the refusal did not sign out either.
      await session.agent.get('/account').expect(200);
    });
  }

  it("refuses another session's token", async () => {
    const person = await registerAndSignIn(ctx().app);
    const session = await signInThroughForm(ctx().app, person);
    const otherToken = await webSession(ctx().app).csrf();
    await session.agent.post('/logout').type('form').send({ _csrf: otherToken }).expect(403);
    await session.agent.get('/account').expect(200);
  });

  it('protects the public forms too: no registration and no sign-in without a token', async () => {
    const body = registrationBody();
    await request(ctx().app).post('/register').type('form').send({ ...body, dataConsent: 'yes' }).expect(403);
    await request(ctx().app).post('/api/v1/auth/tokens').send({ email: body.email, password: body.password }).expect(401);
    const person = await registerAndSignIn(ctx().app);
    const response = await request(ctx().app).post('/login').type('form').send({ email: person.email, password: person.password }).expect(403);
    expect(response.headers['set-cookie'] ?? []).to.deep.equal([]);
  });

  it('also takes the token in an X-CSRF-Token header, and copes with a form that has no body', async () => {
    const session = webSession(ctx().app);
    const token = await session.csrf();
    const response = await session.agent.post('/login').set('X-CSRF-Token', token).expect(401);
    expect(response.text).to.include('El correo o la contraseña no son correctos.');
  });

  it('leaves the JSON API alone: it authenticates with bearer tokens, which browsers never send by themselves', async () => {
    const person = await registerAndSignIn(ctx().app);
    await request(ctx().app).patch('/api/v1/me').set(person.auth).send({ givenName: 'Lucía' }).expect(200);
    expect(await givenNameOf(person.auth)).to.equal('Lucía');
  });
});
