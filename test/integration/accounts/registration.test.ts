import { expect } from 'chai';
import request from 'supertest';
import { useTestApp } from '../../helpers/app.js';
import { registerAndSignIn, registrationBody } from '../../helpers/factories.js';

describe('POST /api/v1/accounts (registration)', () => {
  const ctx = useTestApp();
  const register = (body: Record<string, unknown>) => request(ctx().app).post('/api/v1/accounts').send(body);
  const users = () => ctx().database.connection.collection('users');

  it('creates a learner and answers 201 with the profile, never the password or its hash', async () => {
    const body = registrationBody({ email: 'Ana.Gomez.Reg@Example.ORG' });
    const response = await register(body).expect(201);
    expect(response.body).to.include({
      email: 'ana.gomez.reg@example.org',
      givenName: 'María José',
      familyName: "Gómez O'Neill",
      sex: 'female',
      departmentCode: '05',
      municipalityCode: '05001',
      birthDate: '1988-04-12',
    });
    expect(response.body.roles).to.deep.equal(['learner']);
    expect(response.body.id).to.be.a('string');
    expect(JSON.stringify(response.body)).not.to.match(/passwordHash|argon2|contraseña-segura/i);
    const stored = await users().findOne({ email: 'ana.gomez.reg@example.org' });
    expect(stored?.passwordHash).to.match(/^\$argon2id\$/);
    expect(stored?.consents).to.have.length(1);
    expect(stored?.consents[0].policyVersion).to.be.a('string');
    expect(stored?.consents[0].acceptedAt).to.be.instanceOf(Date);
  });

  it('treats emails case-insensitively: a duplicate in other letters answers 409', async () => {
    const body = registrationBody({ email: 'duplicado@example.org' });
    await register(body).expect(201);
    const response = await register(registrationBody({ email: 'DUPLICADO@example.org' })).expect(409);
    expect(response.body.error.code).to.equal('conflict');
    expect(response.body.error.details.fields).to.have.property('email');
  });

  it('answers 409 for a second account with the same document type and number', async () => {
    const first = registrationBody();
    await register(first).expect(201);
    const response = await register(registrationBody({ documentType: first.documentType, documentNumber: first.documentNumber })).expect(409);
    expect(response.body.error.details.fields).to.have.property('documentNumber');
  });

  it('accepts the same document number under another document type', async () => {
    const first = registrationBody({ documentType: 'CC' });
    await register(first).expect(201);
    await register(registrationBody({ documentType: 'PA', documentNumber: first.documentNumber })).expect(201);
  });

  for (const consent of [false, 'true', undefined, null]) {
    it(`refuses dataConsent ${JSON.stringify(consent)} with 400 and stores nothing`, async () => {
      const body = registrationBody({ dataConsent: consent });
      if (consent === undefined) delete body.dataConsent;
      const response = await register(body).expect(400);
      expect(response.body.error.code).to.equal('validation_failed');
      expect(response.body.error.details.fields).to.have.property('dataConsent');
      expect(await users().countDocuments({ email: body.email })).to.equal(0);
    });
  }

  it('refuses a municipality that does not belong to the department', async () => {
    const response = await register(registrationBody({ departmentCode: '05', municipalityCode: '11001' })).expect(400);
    expect(response.body.error.details.fields).to.have.property('municipalityCode');
  });

  it('refuses unknown departments and municipalities', async () => {
    await register(registrationBody({ departmentCode: '00', municipalityCode: '00001' })).expect(400);
    await register(registrationBody({ departmentCode: '05', municipalityCode: '05999' })).expect(400);
  });

  it('refuses a password shorter than 10 characters', async () => {
    const response = await register(registrationBody({ password: 'corta-123' })).expect(400);
    expect(response.body.error.details.fields).to.have.property('password');
  });

  it('refuses unknown fields instead of storing them', async () => {
    const body = registrationBody({ roles: ['admin'], isAdmin: true });
    const response = await register(body).expect(400);
    expect(response.body.error.details.fields).to.include.keys('roles', 'isAdmin');
    expect(await users().countDocuments({ email: body.email })).to.equal(0);
  });

  it('refuses operators where strings belong', async () => {
    const response = await register(registrationBody({ email: { $gt: '' }, documentNumber: { $ne: null } })).expect(400);
    expect(response.body.error.details.fields).to.include.keys('email', 'documentNumber');
  });

  it('refuses impossible and implausible birth dates', async () => {
    await register(registrationBody({ birthDate: '1990-02-30' })).expect(400);
    await register(registrationBody({ birthDate: '2025-01-01' })).expect(400);
    await register(registrationBody({ birthDate: '12/04/1988' })).expect(400);
  });

  it('keeps accents, ñ and apostrophes in names, and normalises document numbers typed with dots', async () => {
    const response = await register(registrationBody({ givenName: 'Ñuñoa Zoë', familyName: "D'Alemán Peña", documentNumber: '1.023.456.789' })).expect(201);
    expect(response.body).to.include({ givenName: 'Ñuñoa Zoë', familyName: "D'Alemán Peña", documentNumber: '1023456789' });
  });

  it('answers a non-object body with 400', async () => {
    await request(ctx().app).post('/api/v1/accounts').set('Content-Type', 'application/json').send('[1,2,3]').expect(400);
    await request(ctx().app).post('/api/v1/accounts').set('Content-Type', 'application/json').send('"texto"').expect(400);
  });

  it('gives field messages in English when asked', async () => {
    const response = await register(registrationBody({ password: 'short' })).set('Accept-Language', 'en').expect(400);
    expect(response.body.error.details.fields.password).to.match(/at least 10 characters/);
  });

  it('queues an email-verification mail for the new account', async () => {
    const person = await registerAndSignIn(ctx().app);
    const mails = await ctx().database.connection.collection('outbox_mails').find({ to: person.email }).toArray();
    expect(mails).to.have.length(1);
    expect(String(mails[0]?.text)).to.include('/verify-email?token=');
  });
});
