import { expect } from 'chai';
import request from 'supertest';
import { useTestApp } from '../../helpers/app.js';
import { registerAndSignIn, registrationBody } from '../../helpers/factories.js';
import { accountWithRoles, signInThroughForm, type WebSession } from '../../helpers/web-session.js';

const CSV_HEADER = 'email,givenName,familyName,documentType,documentNumber,sex,birthDate,departmentCode,municipalityCode,actorType,dataConsent';
let rowSequence = 0;

/** A valid CSV row for a new learner (named `givenName`). */
function csvRow(givenName: string, overrides: Partial<Record<'email' | 'documentNumber' | 'sex' | 'municipalityCode', string>> = {}): string {
  rowSequence += 1;
  const unique = `${Date.now().toString(36)}x${rowSequence}`;
  const values = {
    email: `importada.${unique}@example.org`,
    documentNumber: `77${Date.now() % 1_000_000}${rowSequence}`,
    sex: 'female',
    municipalityCode: '52001',
    ...overrides,
  };
  return [values.email, givenName, 'Rosero', 'CC', values.documentNumber, values.sex, '1990-05-17', '52', values.municipalityCode, 'community_leader', 'sí'].join(',');
}

/** The rows of the first data table on a page. */
const tableRows = (html: string): string[] => html.split('<tbody>')[1]?.split('</tbody>')[0]?.match(/<tr>[\s\S]*?<\/tr>/g) ?? [];

describe('the administrators\' pages for people', () => {
  const ctx = useTestApp();
  let admin: WebSession;
  let adminId: string;

  before(async () => {
    const credentials = await accountWithRoles(ctx().services, ['admin']);
    admin = await signInThroughForm(ctx().app, credentials);
    const found = await ctx().services.accounts.service.listUsers({ search: credentials.email, limit: 1 });
    adminId = found.items[0]!.id;
  });

  it('lists people and finds them by name, email or document, with a role filter', async () => {
    const marker = 'Eufrosina';
    const person = await registerAndSignIn(ctx().app, { givenName: marker });
    const list = await admin.agent.get('/admin/users').expect(200);
    expect(list.text).to.include('<caption id="users-caption">Usuarios (fecha de registro en hora de Bogotá)</caption>');
    const found = await admin.agent.get(`/admin/users?q=${marker}`).expect(200);
    const rows = tableRows(found.text);
    expect(rows).to.have.length(1);
    expect(rows[0]).to.include(`href="/admin/users/${person.id}"`);
    expect(rows[0]).to.include(person.email);
    expect(rows[0]).to.include('Participante');
    expect(found.text).to.match(/id="field-q" name="q" value="Eufrosina"/);
    const admins = await admin.agent.get(`/admin/users?q=${marker}&role=admin`).expect(200);
    expect(tableRows(admins.text)).to.have.length(0);
    expect(admins.text).to.include('No encontramos usuarios con esos criterios.');
    await admin.agent.get('/admin/users?role=emperor').expect(400);
  });

  it('pages through long lists, 25 at a time', async () => {
    const marker = 'Paginada';
    const csv = [CSV_HEADER, ...Array.from({ length: 27 }, () => csvRow(marker))].join('\n');
    await admin.post('/admin/users/import', { csv, atomic: 'yes' }).then((response) => expect(response.status).to.equal(200));
    const first = await admin.agent.get(`/admin/users?q=${marker}`).expect(200);
    expect(tableRows(first.text)).to.have.length(25);
    const next = /href="([^"]+)" rel="next"/.exec(first.text)![1]!.replaceAll('&amp;', '&');
    const second = await admin.agent.get(next).expect(200);
    expect(tableRows(second.text)).to.have.length(2);
    expect(second.text).not.to.include('rel="next"');
    expect(second.text).to.include('Primera página');
  });

  it('creates an account from the form, and mails a link to choose the password when none is given', async () => {
    const { dataConsent: _consent, password: _password, ...body } = registrationBody();
    const refused = await admin.post('/admin/users/new', { ...(body as Record<string, string>), email: 'sin-arroba' });
    expect(refused.status).to.equal(400);
    expect(refused.text).to.include('<a href="#field-roles">Roles: Elige al menos un rol.</a>');
    expect(refused.text).to.include('value="sin-arroba"');

    const created = await admin.post('/admin/users/new', { ...(body as Record<string, string>), roles: ['learner', 'facilitator'] });
    expect(created.status).to.equal(303);
    const page = await admin.agent.get(String(created.headers.location)).expect(200);
    expect(page.text).to.include('le enviamos un enlace para elegir su contraseña');
    expect(page.text).to.match(/value="facilitator" checked>/);
    const mail = await ctx().database.connection.collection('outbox_mails').findOne({ to: body.email });
    expect(mail?.text).to.include('/reset-password?token=');
    expect(mail?.subject).to.equal('Te crearon una cuenta en Capacita');
  });

  it('changes roles, refusing none at all and the last administrator losing the role', async () => {
    const person = await registerAndSignIn(ctx().app);
    const saved = await admin.post(`/admin/users/${person.id}/roles`, { roles: ['learner', 'manager'] });
    expect(saved.status).to.equal(303);
    expect((await request(ctx().app).get('/api/v1/me').set(person.auth)).body.roles).to.deep.equal(['learner', 'manager']);
    expect((await admin.agent.get(`/admin/users/${person.id}`)).text).to.include('Los roles quedaron guardados.');

    const none = await admin.post(`/admin/users/${person.id}/roles`, {});
    expect(none.status).to.equal(400);
    expect(none.text).to.include('Elige al menos un rol.');

    const otherAdmins = await ctx().services.accounts.service.listUsers({ role: 'admin', limit: 50 });
    if (otherAdmins.items.length === 1) {
      const last = await admin.post(`/admin/users/${adminId}/roles`, { roles: ['learner'] });
      expect(last.status).to.equal(409);
      expect(last.text).to.include('última cuenta administradora activa');
    }
  });

  it('deactivates an account (which signs the person out) and activates it again; never one\'s own', async () => {
    const person = await registerAndSignIn(ctx().app);
    const personSession = await signInThroughForm(ctx().app, person);
    expect((await admin.post(`/admin/users/${person.id}/deactivate`)).status).to.equal(303);
    expect((await admin.agent.get(`/admin/users/${person.id}`)).text).to.include('La cuenta quedó desactivada.');
    await personSession.agent.get('/account').expect(303);
    expect((await admin.post(`/admin/users/${person.id}/activate`)).status).to.equal(303);
    await signInThroughForm(ctx().app, person);

    const self = await admin.post(`/admin/users/${adminId}/deactivate`);
    expect(self.status).to.equal(303);
    expect((await admin.agent.get(`/admin/users/${adminId}`)).text).to.include('No puedes desactivar tu propia cuenta.');
    await admin.agent.get('/account').expect(200);
  });

  it('imports learners atomically: one bad row and nothing is created, with the row and column of each problem', async () => {
    const marker = 'Atomica';
    const csv = [CSV_HEADER, csvRow(marker), csvRow(marker, { sex: 'robot' }), csvRow(marker, { municipalityCode: '05001' })].join('\n');
    const response = await admin.post('/admin/users/import', { csv, atomic: 'yes' });
    expect(response.status).to.equal(422);
    expect(response.text).to.include('Cuentas creadas: 0.');
    expect(response.text).to.include('no se creó ninguna cuenta');
    const problems = tableRows(response.text).map((row) => row.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim());
    expect(problems).to.deep.equal(['3 sex Elige una de las opciones.', '4 municipalityCode El municipio no pertenece al departamento elegido.']);
    // The text stays in the box, to be corrected and sent again.
    expect(response.text).to.include(marker);
    expect((await ctx().services.accounts.service.listUsers({ search: marker, limit: 10 })).items).to.have.length(0);
  });

  it('imports the valid rows when asked to, and skips people already registered', async () => {
    const marker = 'Parcial';
    const good = csvRow(marker);
    const csv = [CSV_HEADER, good, csvRow(marker, { sex: 'robot' })].join('\n');
    const response = await admin.post('/admin/users/import', { csv });
    expect(response.status).to.equal(422);
    expect(response.text).to.include('Cuentas creadas: 1. Omitidas porque ya existían: 0.');
    const again = await admin.post('/admin/users/import', { csv: [CSV_HEADER, good].join('\n'), atomic: 'yes' });
    expect(again.status).to.equal(200);
    expect(again.text).to.include('Cuentas creadas: 0. Omitidas porque ya existían: 1.');
  });

  it('names an unknown column of the header, and asks for content when the box is empty', async () => {
    const response = await admin.post('/admin/users/import', { csv: 'email,favouriteColour\nana@example.org,verde', atomic: 'yes' });
    expect(response.status).to.equal(422);
    expect(response.text).to.include('<code>favouriteColour</code>');
    const empty = await admin.post('/admin/users/import', { csv: '', atomic: 'yes' });
    expect(empty.status).to.equal(400);
    expect(empty.text).to.include('<a href="#field-csv">Contenido del CSV: Este campo es obligatorio.</a>');
  });

  it('offers a CSV template with the header row', async () => {
    const response = await admin.agent.get('/admin/users/import/template.csv').expect(200).expect('Content-Type', /text\/csv/);
    expect(response.text).to.match(/^\uFEFFemail,password,givenName,familyName/);
  });

  it('lets a programme manager import learners, but not see the list of people', async () => {
    const manager = await signInThroughForm(ctx().app, await accountWithRoles(ctx().services, ['manager']));
    const page = await manager.agent.get('/admin/users/import').expect(200);
    expect(page.text).to.include('<a href="/admin/users/import" aria-current="page">Importar participantes</a>');
    expect(page.text).not.to.include('href="/admin/users"');
    expect((await manager.post('/admin/users/import', { csv: [CSV_HEADER, csvRow('Gestionada')].join('\n'), atomic: 'yes' })).status).to.equal(200);
    await manager.agent.get('/admin/users').expect(403);
    await manager.agent.get('/admin/outbox').expect(403);
  });

  it('shows the outgoing mail to administrators, behind the same session and CSRF protection', async () => {
    const page = await admin.agent.get('/admin/outbox').expect(200);
    expect(page.text).to.include('Correos salientes');
    expect(page.text).to.include('<a href="/admin/outbox" aria-current="page">Correo saliente</a>');
    const mail = await ctx().database.connection.collection('outbox_mails').findOne({});
    await admin.agent.post(`/admin/outbox/${String(mail!._id)}/retry`).type('form').send({}).expect(403);
  });
});
