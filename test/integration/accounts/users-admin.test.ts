import { expect } from 'chai';
import request from 'supertest';
import { useTestApp } from '../../helpers/app.js';
import { registerAndSignIn, registrationBody, type SignedIn } from '../../helpers/factories.js';

/** An account with the given roles, made by the system and signed in. */
async function staff(ctx: () => import('../../helpers/app.js').TestApp, roles: Array<'admin' | 'manager' | 'facilitator'>): Promise<SignedIn> {
  const email = `staff.${roles.join('-')}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}@example.org`;
  const password = 'clave-de-personal-2026';
  await ctx().services.accounts.auth.createSystemAccount({ email, roles, password });
  const token = (await request(ctx().app).post('/api/v1/auth/tokens').send({ email, password }).expect(201)).body.token as string;
  const me = await request(ctx().app).get('/api/v1/me').set('Authorization', `Bearer ${token}`).expect(200);
  return { id: me.body.id, email, password, token, auth: { Authorization: `Bearer ${token}` } };
}

describe('people management: /api/v1/users', () => {
  const ctx = useTestApp();
  let admin: SignedIn;
  before(async () => {
    admin = await staff(ctx, ['admin']);
  });

  it('POST /users (admin) creates an account with roles and without dataConsent → 201', async () => {
    const { dataConsent: _consent, ...body } = registrationBody();
    const response = await request(ctx().app).post('/api/v1/users').set(admin.auth).send({ ...body, roles: ['facilitator', 'learner'] }).expect(201);
    expect(response.body.roles).to.have.members(['facilitator', 'learner']);
    expect(response.body.consentPending).to.equal(true);
  });

  it('POST /users refuses dataConsent as an unknown field and bad roles', async () => {
    await request(ctx().app).post('/api/v1/users').set(admin.auth).send({ ...registrationBody(), roles: ['learner'] }).expect(400);
    const { dataConsent: _consent, ...body } = registrationBody();
    await request(ctx().app).post('/api/v1/users').set(admin.auth).send({ ...body, roles: ['superuser'] }).expect(400);
  });

  it('PUT /users/:id/roles replaces the roles → 200 with the user', async () => {
    const person = await registerAndSignIn(ctx().app);
    const response = await request(ctx().app).put(`/api/v1/users/${person.id}/roles`).set(admin.auth).send({ roles: ['manager'] }).expect(200);
    expect(response.body.roles).to.deep.equal(['manager']);
    const me = await request(ctx().app).get('/api/v1/me').set(person.auth).expect(200);
    expect(me.body.roles).to.deep.equal(['manager']);
  });

  it('does not let the last administrator lose the admin role', async () => {
    const users = ctx().database.connection.collection('users');
    const otherAdmins = await users.find({ roles: 'admin', _id: { $ne: new (await import('mongodb')).ObjectId(admin.id) } }).toArray();
    await users.updateMany({ _id: { $in: otherAdmins.map((user) => user._id) } }, { $set: { status: 'deactivated' } });
    const response = await request(ctx().app).put(`/api/v1/users/${admin.id}/roles`).set(admin.auth).send({ roles: ['learner'] }).expect(409);
    expect(response.body.error.details.reason).to.equal('last_admin');
    await users.updateMany({ _id: { $in: otherAdmins.map((user) => user._id) } }, { $set: { status: 'active' } });
  });

  it('deactivation ends the person\'s tokens; activation lets them sign in again', async () => {
    const person = await registerAndSignIn(ctx().app);
    await request(ctx().app).post(`/api/v1/users/${person.id}/deactivate`).set(admin.auth).expect(200);
    await request(ctx().app).get('/api/v1/me').set(person.auth).expect(401);
    await request(ctx().app).post('/api/v1/auth/tokens').send({ email: person.email, password: person.password }).expect(401);
    await request(ctx().app).post(`/api/v1/users/${person.id}/activate`).set(admin.auth).expect(200);
    await request(ctx().app).post('/api/v1/auth/tokens').send({ email: person.email, password: person.password }).expect(201);
  });

  it('GET /users searches by name or email and pages with a cursor', async () => {
    const marker = `Buscable${Date.now().toString(36).replace(/\d/g, '')}`;
    for (let i = 0; i < 3; i += 1) await registerAndSignIn(ctx().app, { givenName: marker });
    const first = await request(ctx().app).get(`/api/v1/users?q=${marker}&limit=2`).set(admin.auth).expect(200);
    expect(first.body.items).to.have.length(2);
    expect(first.body.nextCursor).to.be.a('string');
    const second = await request(ctx().app).get(`/api/v1/users?q=${marker}&limit=2&cursor=${first.body.nextCursor}`).set(admin.auth).expect(200);
    expect(second.body.items).to.have.length(1);
    expect(second.body.nextCursor).to.equal(null);
    await request(ctx().app).get('/api/v1/users?limit=501').set(admin.auth).expect(400);
  });

  it('unknown and malformed user ids answer 404', async () => {
    await request(ctx().app).put('/api/v1/users/0123456789abcdef01234567/roles').set(admin.auth).send({ roles: ['learner'] }).expect(404);
    await request(ctx().app).get('/api/v1/users/not-an-id').set(admin.auth).expect(404);
  });
});

describe('CSV import of learners: POST /api/v1/users/import', () => {
  const ctx = useTestApp();
  let admin: SignedIn;
  let manager: SignedIn;
  before(async () => {
    admin = await staff(ctx, ['admin']);
    manager = await staff(ctx, ['manager']);
  });
  const header = 'email,givenName,familyName,documentType,documentNumber,sex,birthDate,departmentCode,municipalityCode,actorType,ethnicGroup,dataConsent';
  const line = (n: number, overrides: Partial<Record<string, string>> = {}) => {
    const values = {
      email: `importada${n}.${Date.now().toString(36)}@example.org`,
      givenName: 'Luz Dary',
      familyName: 'Rentería Mosquera',
      documentType: 'CC',
      documentNumber: `${Date.now() % 1_000_000}${String(n).padStart(5, '0')}`,
      sex: 'female',
      birthDate: '1979-08-30',
      departmentCode: '27',
      municipalityCode: '27001',
      actorType: 'community_leader',
      ethnicGroup: 'afrocolombian',
      dataConsent: 'sí',
      ...overrides,
    };
    return header.split(',').map((column) => values[column as keyof typeof values] ?? '').join(',');
  };
  const importCsv = (who: SignedIn, csv: string, query = '') =>
    request(ctx().app).post(`/api/v1/users/import${query}`).set(who.auth).set('Content-Type', 'text/csv').send(csv);

  it('creates every valid row (managers may import) and answers {created, skipped, errors}', async () => {
    const csv = [header, line(1), line(2), line(3)].join('\n');
    const response = await importCsv(manager, csv).expect(200);
    expect(response.body).to.deep.equal({ created: 3, skipped: 0, errors: [] });
  });

  it('is atomic by default: one bad row, nothing created, the row and its fields reported', async () => {
    const good = line(10);
    const csv = [header, good, line(11, { municipalityCode: '05001' }), line(12, { sex: 'robot', birthDate: '1979-02-31' })].join('\n');
    const response = await importCsv(admin, csv).expect(200);
    expect(response.body.created).to.equal(0);
    expect(response.body.errors.map((error: { row: number }) => error.row)).to.deep.equal([3, 4]);
    expect(response.body.errors[0].fields).to.have.property('municipalityCode');
    expect(response.body.errors[1].fields).to.include.keys('sex', 'birthDate');
    expect(await ctx().database.connection.collection('users').countDocuments({ email: good.split(',')[0] })).to.equal(0);
  });

  it('with ?atomic=false creates the valid rows and reports the rest', async () => {
    const csv = [header, line(20), line(21, { email: 'no-es-correo' })].join('\n');
    const response = await importCsv(admin, csv, '?atomic=false').expect(200);
    expect(response.body.created).to.equal(1);
    expect(response.body.errors).to.deep.equal([{ row: 3, fields: { email: response.body.errors[0].fields.email } }]);
  });

  it('skips people already registered with the same email and document, so re-importing is harmless', async () => {
    const csv = [header, line(30), line(31)].join('\n');
    await importCsv(admin, csv).expect(200);
    const again = await importCsv(admin, csv).expect(200);
    expect(again.body).to.deep.equal({ created: 0, skipped: 2, errors: [] });
  });

  it('reports duplicates inside the file and unknown columns', async () => {
    const row = line(40);
    const duplicate = await importCsv(admin, [header, row, row].join('\n')).expect(200);
    expect(duplicate.body.errors[0]).to.include({ row: 3 });
    const unknownColumn = await importCsv(admin, `${header},roles\n${line(41)},admin`).expect(200);
    expect(unknownColumn.body.errors[0]).to.deep.include({ row: 1 });
    expect(unknownColumn.body.errors[0].fields).to.have.property('roles');
  });

  it('refuses learners and anonymous callers', async () => {
    const learner = await registerAndSignIn(ctx().app);
    await importCsv(learner, [header, line(50)].join('\n')).expect(403);
    await request(ctx().app).post('/api/v1/users/import').set('Content-Type', 'text/csv').send(header).expect(401);
  });

  it('imports 5,000 rows in one go', async function () {
    this.timeout(120_000);
    const rows = Array.from({ length: 5000 }, (_, i) => line(100_000 + i, { documentNumber: `9${String(i).padStart(7, '0')}${Date.now() % 1000}` }));
    const response = await importCsv(admin, [header, ...rows].join('\n')).expect(200);
    expect(response.body).to.deep.equal({ created: 5000, skipped: 0, errors: [] });
  });
});
