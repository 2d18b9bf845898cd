import { expect } from 'chai';
import { ObjectId } from 'mongodb';
import request from 'supertest';
import { useTestApp } from '../../helpers/app.js';
import { registerAndSignIn, registrationBody } from '../../helpers/factories.js';

describe('the signed-in person: /api/v1/me', () => {
  const ctx = useTestApp();

  it('GET /me answers the caller\'s own profile', async () => {
    const person = await registerAndSignIn(ctx().app);
    const response = await request(ctx().app).get('/api/v1/me').set(person.auth).expect(200);
    expect(response.body).to.include({ id: person.id, email: person.email, birthDate: '1988-04-12' });
  });

  it('PATCH /me updates profile fields and answers 200 with the profile', async () => {
    const person = await registerAndSignIn(ctx().app);
    const response = await request(ctx().app)
      .patch('/api/v1/me')
      .set(person.auth)
      .send({ position: 'Enlace de juventud', departmentCode: '11', municipalityCode: '11001', genderIdentity: 'mujer trans' })
      .expect(200);
    expect(response.body).to.include({ position: 'Enlace de juventud', departmentCode: '11', municipalityCode: '11001', genderIdentity: 'mujer trans' });
  });

  it('PATCH /me clears an optional field sent as null', async () => {
    const person = await registerAndSignIn(ctx().app);
    const response = await request(ctx().app).patch('/api/v1/me').set(person.auth).send({ phone: null, organization: null }).expect(200);
    expect(response.body).to.include({ phone: null, organization: null, position: 'Gestora social' });
    await request(ctx().app).patch('/api/v1/me').set(person.auth).send({ givenName: null }).expect(400);
  });

  for (const [label, body] of [
    ['roles', { roles: ['admin'] }],
    ['email', { email: 'otro@example.org' }],
    ['an unknown field', { favouriteColour: 'green' }],
    ['a password', { password: 'nueva-clave-2026' }],
  ] as const) {
    it(`PATCH /me with ${label} answers 400 and changes nothing`, async () => {
      const person = await registerAndSignIn(ctx().app);
      await request(ctx().app).patch('/api/v1/me').set(person.auth).send(body).expect(400);
      const me = await request(ctx().app).get('/api/v1/me').set(person.auth).expect(200);
      expect(me.body.roles).to.deep.equal(['learner']);
      expect(me.body.email).to.equal(person.email);
    });
  }

  it('PATCH /me refuses a municipality outside the (current) department', async () => {
    const person = await registerAndSignIn(ctx().app);
    const response = await request(ctx().app).patch('/api/v1/me').set(person.auth).send({ municipalityCode: '76001' }).expect(400);
    expect(response.body.error.details.fields).to.have.property('municipalityCode');
  });

  it('GET /me/export carries the profile, the consent with its date and version, and token metadata', async () => {
    const person = await registerAndSignIn(ctx().app);
    const response = await request(ctx().app).get('/api/v1/me/export').set(person.auth).expect(200);
    expect(response.headers['content-disposition']).to.match(/attachment/);
    expect(response.body.profile).to.include({ id: person.id, email: person.email });
    expect(response.body.consents[0]).to.have.keys('policyVersion', 'acceptedAt', 'source');
    expect(response.body.apiTokens).to.have.length(1);
    expect(response.body.enrollments).to.deep.equal([]);
    expect(response.body.quizAttempts).to.deep.equal([]);
    expect(JSON.stringify(response.body)).not.to.include(person.token);
  });

  it('DELETE /me anonymises the person: identifying data gone, statistics fields kept, sign-in impossible', async () => {
    const body = registrationBody();
    await request(ctx().app).post('/api/v1/accounts').send(body).expect(201);
    const token = (await request(ctx().app).post('/api/v1/auth/tokens').send({ email: body.email, password: body.password }).expect(201)).body.token;
    const auth = { Authorization: `Bearer ${token}` };
    const id = (await request(ctx().app).get('/api/v1/me').set(auth).expect(200)).body.id;

    await request(ctx().app).delete('/api/v1/me').set(auth).send({ password: 'no-es-esta-123' }).expect(400);
    await request(ctx().app).delete('/api/v1/me').set(auth).send({ password: body.password }).expect(204);

    const stored = await ctx().database.connection.collection('users').findOne({ _id: new ObjectId(String(id)) });
    for (const erased of ['email', 'passwordHash', 'givenName', 'familyName', 'documentType', 'documentNumber', 'birthDate', 'phone', 'organization', 'position']) {
      expect(stored, erased).not.to.have.property(erased);
    }
    expect(stored).to.include({ status: 'deleted', sex: 'female', departmentCode: '05', municipalityCode: '05001', actorType: 'public_servant', ethnicGroup: 'afrocolombian', ageBand: '29-40' });
    await request(ctx().app).get('/api/v1/me').set(auth).expect(401);
    await request(ctx().app).post('/api/v1/auth/tokens').send({ email: body.email, password: body.password }).expect(401);
    // The email and document are free again.
    await request(ctx().app).post('/api/v1/accounts').send({ ...body }).expect(201);
  });
});
