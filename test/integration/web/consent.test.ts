import { expect } from 'chai';
import request from 'supertest';
import { accountSchemas } from '../../../src/accounts/index.js';
import { useTestApp } from '../../helpers/app.js';
import { registrationBody } from '../../helpers/factories.js';
import { signInThroughForm } from '../../helpers/web-session.js';

describe('consent at first sign-in, for accounts made by an administrator or an import', () => {
  const ctx = useTestApp();

  it('leads to the consent page until the policy is accepted, then carries on to the page asked for', async () => {
    const { dataConsent: _consent, ...body } = registrationBody();
    const profile = await ctx().services.accounts.service.createUser(accountSchemas.adminUserSchema.parse({ ...body, roles: ['learner'] }));
    expect(profile.consentPending).to.equal(true);

    const session = await signInThroughForm(ctx().app, { email: String(body.email), password: String(body.password) }, { acceptConsent: false });
    await session.agent.get('/account/edit').expect(303).expect('Location', '/consent?next=%2Faccount%2Fedit');
    await session.agent.get('/privacy').expect(200);
    const page = await session.agent.get('/consent?next=%2Faccount%2Fedit').expect(200);
    expect(page.text).to.include('Autoriza el tratamiento de tus datos');
    expect(page.text).to.include('href="/privacy"');

    const refused = await session.post('/consent', { next: '/account/edit' });
    expect(refused.status).to.equal(400);
    expect(refused.text).to.include('Para continuar debes autorizar el tratamiento de tus datos personales.');

    const accepted = await session.post('/consent', { accept: 'yes', next: '/account/edit' });
    expect(accepted.status).to.equal(303);
    expect(accepted.headers.location).to.equal('/account/edit');
    await session.agent.get('/account/edit').expect(200);

    const token = (await request(ctx().app).post('/api/v1/auth/tokens').send({ email: body.email, password: body.password }).expect(201)).body.token;
    const me = await request(ctx().app).get('/api/v1/me').set('Authorization', `Bearer ${token}`).expect(200);
    expect(me.body.consentPending).to.equal(false);
  });

  it('lets the person decline by signing out', async () => {
    const { dataConsent: _consent, ...body } = registrationBody();
    await ctx().services.accounts.service.createUser(accountSchemas.adminUserSchema.parse({ ...body, roles: ['learner'] }));
    const session = await signInThroughForm(ctx().app, { email: String(body.email), password: String(body.password) }, { acceptConsent: false });
    const response = await session.post('/logout');
    expect(response.status).to.equal(303);
    await session.agent.get('/account').expect(303).expect('Location', '/login?next=%2Faccount');
  });
});
