import { expect } from 'chai';
import request from 'supertest';
import { useTestApp } from '../../helpers/app.js';
import { registerAndSignIn } from '../../helpers/factories.js';
import { signInThroughForm } from '../../helpers/web-session.js';

describe('"My account": see, correct, download and delete one\'s data', () => {
  const ctx = useTestApp();

  it('shows the profile with readable labels, and no browser may keep a copy of the page', async () => {
    const person = await registerAndSignIn(ctx().app);
    const session = await signInThroughForm(ctx().app, person);
    const page = await session.agent.get('/account').expect(200);
    expect(page.headers['cache-control']).to.equal('no-store');
    for (const shown of ['María José', 'Cédula de ciudadanía', 'Mujer', 'Antioquia', 'Medellín', 'Servidor/a público/a', 'Negro, afrocolombiano o afrodescendiente', '12 abr 1988']) {
      expect(page.text).to.include(shown);
    }
    expect(page.text).to.include('href="/account/export"');
    expect(page.text).to.include('href="/account/delete"');
  });

  it('edits the profile with the form filled in, and refuses invalid changes at the field', async () => {
    const person = await registerAndSignIn(ctx().app);
    const session = await signInThroughForm(ctx().app, person);
    const form = await session.agent.get('/account/edit').expect(200);
    expect(form.text).to.match(/id="field-givenName" name="givenName" value="María José"/);
    expect(form.text).to.match(/<option value="05001" selected>Medellín<\/option>/);

    const refused = await session.post('/account/edit', { givenName: 'Ana', departmentCode: '52', municipalityCode: '05001' });
    expect(refused.status).to.equal(400);
    expect(refused.text).to.include('El municipio no pertenece al departamento elegido.');

    const saved = await session.post('/account/edit', { givenName: 'Ana Lucía', departmentCode: '52', municipalityCode: '52001', position: 'Enlace de juventud' });
    expect(saved.status).to.equal(303);
    const page = await session.agent.get('/account');
    expect(page.text).to.include('Tus datos quedaron guardados.');
    expect(page.text).to.include('Ana Lucía');
    expect(page.text).to.include('Pasto');
    const me = await request(ctx().app).get('/api/v1/me').set(person.auth).expect(200);
    expect(me.body).to.include({ givenName: 'Ana Lucía', departmentCode: '52', municipalityCode: '52001', position: 'Enlace de juventud', email: person.email });
  });

  it('downloads everything held on the person as a JSON file', async () => {
    const person = await registerAndSignIn(ctx().app);
    const session = await signInThroughForm(ctx().app, person);
    const response = await session.agent.get('/account/export').expect(200).expect('Content-Type', /application\/json/);
    expect(response.headers['content-disposition']).to.match(/^attachment; filename="capacita-mis-datos\.json"/);
    const data = JSON.parse(response.text);
    expect(data.profile.email).to.equal(person.email);
    expect(data.consents).to.have.length(1);
  });

  it('deletes the account only with the password, then signs out for good', async () => {
    const person = await registerAndSignIn(ctx().app);
    const session = await signInThroughForm(ctx().app, person);
    const refused = await session.post('/account/delete', { password: 'no-es-la-mia' });
    expect(refused.status).to.equal(400);
    expect(refused.text).to.include('La contraseña no es correcta.');
    await session.agent.get('/account').expect(200);

    const deleted = await session.post('/account/delete', { password: person.password });
    expect(deleted.status).to.equal(303);
    expect(deleted.headers.location).to.equal('/');
    expect((await session.agent.get('/')).text).to.include('Tu cuenta fue eliminada.');
    await session.agent.get('/account').expect(303);
    await request(ctx().app).post('/api/v1/auth/tokens').send({ email: person.email, password: person.password }).expect(401);
  });
});
