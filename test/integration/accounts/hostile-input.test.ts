import { expect } from 'chai';
import fc from 'fast-check';
import request from 'supertest';
import { useTestApp } from '../../helpers/app.js';
import { registrationBody, type SignedIn } from '../../helpers/factories.js';

/**
 * Random and hostile bodies at the public edges: every one must get a 4xx in the API's
 * error shape, and nothing may be stored.
 */

const operatorObjects = fc.constantFrom<unknown>({ $gt: '' }, { $ne: null }, { $regex: '.*' }, { $where: 'sleep(1000)' }, { $in: ['a'] }, { __proto__: { admin: true } });
const hostileValue = fc.oneof(
  operatorObjects,
  fc.string({ maxLength: 40 }),
  fc.string({ minLength: 5_000, maxLength: 20_000 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
);
const registrationFields = Object.keys(registrationBody());

/** A valid registration with some fields replaced by hostile values, or extra fields added. */
const hostileRegistration = fc
  .record({
    replaced: fc.dictionary(fc.constantFrom(...registrationFields), hostileValue, { minKeys: 1, maxKeys: 4 }),
    extra: fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }).filter((key) => !registrationFields.includes(key)), hostileValue, { maxKeys: 2 }),
  })
  // Values that happen to be valid for their field would make a valid registration.
  .filter(({ replaced, extra }) => Object.keys(extra).length > 0 || Object.values(replaced).some((value) => typeof value !== 'string' && value !== true));

function expectErrorShape(response: request.Response): void {
  expect(response.status, JSON.stringify(response.body).slice(0, 300)).to.be.within(400, 499);
  expect(response.body.error.code).to.be.a('string');
  expect(response.body.error.message).to.be.a('string');
}

describe('hostile input at the accounts edges (property-based)', function () {
  this.timeout(120_000);
  const ctx = useTestApp();
  const users = () => ctx().database.connection.collection('users');

  it('registration: every hostile body gets a 4xx error and stores nothing', async () => {
    const before = await users().countDocuments();
    await fc.assert(
      fc.asyncProperty(hostileRegistration, async ({ replaced, extra }) => {
        const body = { ...registrationBody(), ...replaced, ...extra };
        const response = await request(ctx().app).post('/api/v1/accounts').send(body);
        expectErrorShape(response);
      }),
      { numRuns: 150 },
    );
    expect(await users().countDocuments()).to.equal(before);
  });

  it('registration: arbitrary JSON values as the whole body get a 4xx error', async () => {
    const before = await users().countDocuments();
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 3 }), async (value) => {
        const response = await request(ctx().app).post('/api/v1/accounts').set('Content-Type', 'application/json').send(JSON.stringify(value));
        expectErrorShape(response);
      }),
      { numRuns: 100 },
    );
    expect(await users().countDocuments()).to.equal(before);
  });

  it('sign-in: hostile credentials get a 4xx error and never a token', async () => {
    await fc.assert(
      fc.asyncProperty(hostileValue, hostileValue, fc.dictionary(fc.string({ maxLength: 6 }), hostileValue, { maxKeys: 2 }), async (email, password, extra) => {
        const response = await request(ctx().app).post('/api/v1/auth/tokens').send({ email, password, ...extra });
        expectErrorShape(response);
        expect(response.body).not.to.have.property('token');
      }),
      { numRuns: 120 },
    );
    expect(await ctx().database.connection.collection('api_tokens').countDocuments()).to.equal(0);
  });

  it('CSV import: hostile files get a 4xx error or per-row errors, and create nobody', async () => {
    const email = `admin.hostil.${Date.now().toString(36)}@example.org`;
    await ctx().services.accounts.auth.createSystemAccount({ email, roles: ['admin'], password: 'clave-admin-hostil-1' });
    const token = (await request(ctx().app).post('/api/v1/auth/tokens').send({ email, password: 'clave-admin-hostil-1' }).expect(201)).body.token;
    const admin: Pick<SignedIn, 'auth'> = { auth: { Authorization: `Bearer ${token}` } };
    const header = Object.keys(registrationBody()).filter((column) => column !== 'dataConsent' && column !== 'password').join(',');
    const cell = fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('{"$gt": ""}', '=cmd|/C calc!A0', '"', '""', '\\', '\u0000', 'null', '-1'));
    const before = await users().countDocuments();
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(cell, { minLength: 1, maxLength: 22 }), { minLength: 1, maxLength: 6 }), fc.boolean(), async (rows, withHeader) => {
        const csv = [...(withHeader ? [header] : []), ...rows.map((cells) => cells.map((value) => `"${value.replace(/"/g, '""')}"`).join(','))].join('\n');
        const response = await request(ctx().app).post('/api/v1/users/import').set(admin.auth).set('Content-Type', 'text/csv').send(csv);
        if (response.status === 200) {
          expect(response.body.created).to.equal(0);
          expect(response.body.errors).to.be.an('array').that.is.not.empty;
        } else {
          expectErrorShape(response);
        }
      }),
      { numRuns: 80 },
    );
    expect(await users().countDocuments()).to.equal(before);
  });
});
