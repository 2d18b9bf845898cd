import { expect } from 'chai';
import request from 'supertest';
import { TestClock, useTestApp } from '../../helpers/app.js';
import { registerAndSignIn, registrationBody } from '../../helpers/factories.js';

describe('API tokens and sign-in limits', () => {
  const clock = new TestClock();
  // Behind a proxy, so each test can sign in from an address of its own (X-Forwarded-For).
  const ctx = useTestApp({ TRUST_PROXY: 'true' }, clock);
  const signIn = (email: unknown, password: unknown, address = '203.0.113.7') =>
    request(ctx().app).post('/api/v1/auth/tokens').set('X-Forwarded-For', address).send({ email, password });

  it('answers 201 with a token, its expiry about 8 hours ahead, and the user', async () => {
    const body = registrationBody();
    const registered = await request(ctx().app).post('/api/v1/accounts').send(body).expect(201);
    const response = await signIn(body.email, body.password).expect(201);
    expect(response.body.token).to.match(/^cap_[A-Za-z0-9_-]{40,}$/);
    const hours = (Date.parse(response.body.expiresAt) - clock.now().getTime()) / 3_600_000;
    expect(hours).to.be.closeTo(8, 0.01);
    expect(response.body.user).to.deep.equal({ id: registered.body.id, email: String(body.email), roles: ['learner'] });
    const stored = await ctx().database.connection.collection('api_tokens').findOne({});
    expect(JSON.stringify(stored)).not.to.include(response.body.token);
  });

  it('gives the same 401 for an unknown email and for a wrong password', async () => {
    const person = await registerAndSignIn(ctx().app);
    const unknown = await signIn('nadie-registrado@example.org', 'cualquier-cosa-123').expect(401);
    const wrong = await signIn(person.email, 'no-es-la-clave-123').expect(401);
    expect(unknown.body.error.code).to.equal('unauthenticated');
    expect({ ...unknown.body.error, requestId: undefined }).to.deep.equal({ ...wrong.body.error, requestId: undefined });
  });

  it('refuses malformed credentials with 400 and operators in them with 400', async () => {
    await signIn({ $gt: '' }, 'x').expect(400);
    await request(ctx().app).post('/api/v1/auth/tokens').send({ email: 'a@b.co' }).expect(400);
  });

  it('works for a token until it is revoked with DELETE /auth/tokens/current', async () => {
    const person = await registerAndSignIn(ctx().app);
    await request(ctx().app).get('/api/v1/me').set(person.auth).expect(200);
    await request(ctx().app).delete('/api/v1/auth/tokens/current').set(person.auth).expect(204);
    const after = await request(ctx().app).get('/api/v1/me').set(person.auth).expect(401);
    expect(after.body.error.code).to.equal('unauthenticated');
  });

  it('stops accepting a token once it has expired', async () => {
    const person = await registerAndSignIn(ctx().app);
    clock.advance(8 * 3_600_000 + 1_000);
    await request(ctx().app).get('/api/v1/me').set(person.auth).expect(401);
  });

  it('answers 401 to requests without a token or with a made-up one', async () => {
    await request(ctx().app).get('/api/v1/me').expect(401);
    await request(ctx().app).get('/api/v1/me').set('Authorization', 'Bearer cap_madeupmadeupmadeupmadeup').expect(401);
    await request(ctx().app).get('/api/v1/me').set('Authorization', 'Basic dXNlcjpwYXNz').expect(401);
  });

  it('after 10 failures for one account answers 429 even to the right password, until the window passes', async () => {
    const person = await registerAndSignIn(ctx().app);
    for (let attempt = 0; attempt < 10; attempt += 1) await signIn(person.email, 'equivocada-123', '198.51.100.1').expect(401);
    const limited = await signIn(person.email, person.password, '198.51.100.2').expect(429);
    expect(limited.body.error.code).to.equal('rate_limited');
    expect(Number(limited.headers['retry-after'])).to.be.within(1, 15 * 60);
    // Another account is not affected.
    const other = await registerAndSignIn(ctx().app);
    await signIn(other.email, other.password, '198.51.100.2').expect(201);
    clock.advance(15 * 60_000 + 1_000);
    await signIn(person.email, person.password, '198.51.100.2').expect(201);
  });

  it('limits failures from one address at 100 per 15 minutes, whatever the accounts', async () => {
    const address = '192.0.2.99';
    for (let attempt = 0; attempt < 100; attempt += 1) {
      await signIn(`intento${attempt}@example.org`, 'equivocada-123', address).expect(401);
    }
    const person = await registerAndSignIn(ctx().app);
    await signIn(person.email, person.password, address).expect(429);
    await signIn(person.email, person.password, '192.0.2.100').expect(201);
  });

  it('does not count successful sign-ins', async () => {
    const person = await registerAndSignIn(ctx().app);
    for (let attempt = 0; attempt < 12; attempt += 1) await signIn(person.email, person.password, '198.51.100.50').expect(201);
  });
});
